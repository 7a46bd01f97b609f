// A real OpenID Provider for tests: oidc-provider (panva, OpenID-certified) on 127.0.0.1,
// with one confidential client for Rounds. Its development login form takes any login (the
// login is the email and the `sub`). `tamperIdTokens` re-signs the ID token
// in the token endpoint's answer with the provider's own key after changing claims: the
// provider's signature is genuine, so only Rounds' claim checks can refuse it.
import http from 'node:http';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair, importJWK, SignJWT, decodeJwt, type JWTPayload } from 'jose';

export interface TestOp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Change the claims of every ID token from now on (undefined: stop). */
  tamperIdTokens(change: ((claims: JWTPayload) => JWTPayload) | undefined): void;
  /** Follows an authorization URL through the login form as `login`; returns the redirect back to Rounds (not fetched). */
  signInAt(authorizationUrl: string, login: string): Promise<URL>;
  close(): Promise<void>;
}

/** Logins that start with this get `email_verified: false`. */
export const UNVERIFIED_PREFIX = 'unverified.';

/** The provider account's `sub`: oidc-provider uses the login (the account id) as it is. */
export function subjectOf(login: string): string {
  return login;
}

export async function startTestOp(options: {
  port: number;
  redirectUri: string;
  postLogoutRedirectUri?: string;
}): Promise<TestOp> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const clientId = 'rounds-test';
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const signingKey = await importJWK(jwk, 'RS256');

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: options.postLogoutRedirectUri ? [options.postLogoutRedirectUri] : [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [`cookie-${clientSecret}`] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    // Consent is given: the organisation's IT department registered Rounds.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          const email = id.startsWith(UNVERIFIED_PREFIX) ? id.slice(UNVERIFIED_PREFIX.length) : id;
          return {
            sub: id,
            email,
            email_verified: !id.startsWith(UNVERIFIED_PREFIX),
            name: `Nurse ${email.split('@')[0]}`,
          };
        },
      };
    },
  });

  let tamper: ((claims: JWTPayload) => JWTPayload) | undefined;
  const handle = provider.callback();
  const server = http.createServer((req, res) => {
    if (!tamper || !req.url?.startsWith('/token')) return void handle(req, res);
    const change = tamper;
    const chunks: Buffer[] = [];
    const end = res.end.bind(res);
    res.write = ((chunk: Buffer | string) => (chunks.push(Buffer.from(chunk)), true)) as typeof res.write;
    res.end = ((chunk?: Buffer | string) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id_token?: string };
        if (body.id_token)
          body.id_token = await new SignJWT(change(decodeJwt(body.id_token)))
            .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
            .sign(signingKey);
        const out = JSON.stringify(body);
        res.setHeader('content-length', Buffer.byteLength(out));
        end(out);
      })();
      return res;
    }) as typeof res.end;
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));

  async function signInAt(authorizationUrl: string, login: string): Promise<URL> {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const remember = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair!.indexOf('=');
        jar.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
    };
    let url = authorizationUrl;
    let init: RequestInit = {};
    for (let hop = 0; hop < 10; hop += 1) {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() },
      });
      remember(response);
      init = {};
      const location = response.headers.get('location');
      if (location) {
        const next = new URL(location, url);
        if (next.origin !== issuer) return next;
        url = next.href;
        continue;
      }
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!action || !html.includes('name="login"')) throw new Error(`unexpected provider page: ${html.slice(0, 300)}`);
      url = new URL(action.replace(/&amp;/g, '&'), url).href;
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
      };
    }
    throw new Error('the provider never sent the browser back');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    tamperIdTokens: (change) => {
      tamper = change;
    },
    signInAt,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
