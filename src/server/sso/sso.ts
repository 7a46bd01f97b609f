import * as client from 'openid-client';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { ConflictError, FieldError, ForbiddenError } from '#server/kernel/errors.ts';
import { hashToHex, randomToken } from '#server/kernel/tokens.ts';
import { settings } from '#server/platform/settings.ts';
import { recordAudit } from '#server/audit/index.ts';
import { managedOrganisation, organisationDomains } from '#server/organisations/index.ts';
import {
  createSession,
  createUser,
  DEACTIVATED,
  findPerson,
  findPersonByEmail,
  hashPassword,
  markEmailVerified,
} from '#server/accounts/index.ts';
import { domainOf } from '#lib/organisation-validation.ts';
import { decryptSecret, encryptSecret, secretsKeyIsSet } from './secrets.ts';
import * as repo from './repo.ts';

// OpenID Connect single sign-on per organisation (decision 0042), on openid-client:
// discovery, authorization code with PKCE, state and nonce each used once, and the ID
// token's issuer, audience, expiry and signature checked by the library. A provider may
// speak only for addresses at its organisation's verified domains.

const SIGN_IN_LIFETIME = 10 * 60 * 1000;
const CONFIG_LIFETIME = 10 * 60 * 1000;
const DISCOVERY_TIMEOUT_SECONDS = 4;
export const SSO_SCOPES = 'openid email profile';

/** A sign-in that came back from the provider and was refused; the message is for the person. */
export class SsoRefusal extends Error {}

const TRY_AGAIN = 'Single sign-on did not work this time. Go back to Sign in and try again.';

export function redirectUri(): string {
  return `${settings().PUBLIC_URL}/sso/callback`;
}

/** http:// only for a provider on this machine (tests, a local trial); https everywhere else. */
function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

const configurations = new Map<string, { updatedAt: number; at: number; config: client.Configuration }>();

async function configurationFor(provider: repo.ProviderRow): Promise<client.Configuration> {
  const cached = configurations.get(provider.organisation_id);
  if (cached && cached.updatedAt === provider.updated_at.getTime() && Date.now() - cached.at < CONFIG_LIFETIME)
    return cached.config;
  const config = await discover(
    provider.issuer,
    provider.client_id,
    decryptSecret(provider.client_secret_encrypted, provider.organisation_id),
  );
  configurations.set(provider.organisation_id, { updatedAt: provider.updated_at.getTime(), at: Date.now(), config });
  return config;
}

/**
 * Discovery. For Microsoft's shared issuers (/organizations/v2.0, /common/v2.0) the
 * metadata's issuer is `https://login.microsoftonline.com/{tenantid}/v2.0`; openid-client
 * then checks each ID token's `iss` against it with the token's own `tid` filled in.
 */
function discover(issuer: string, clientId: string, clientSecret: string): Promise<client.Configuration> {
  const url = new URL(issuer);
  return client.discovery(url, clientId, undefined, client.ClientSecretBasic(clientSecret), {
    timeout: DISCOVERY_TIMEOUT_SECONDS,
    ...(url.protocol === 'http:' && isLoopback(url) ? { execute: [client.allowInsecureRequests] } : {}),
  });
}

/** What the organisation page shows: never the secret, only whether one is stored. */
export async function ssoSettings(ctx: RequestContext, organisationId: string) {
  const organisation = await managedOrganisation(ctx, organisationId);
  const provider = await repo.findProvider(ctx.db, organisation.id);
  return {
    organisation: { id: organisation.id, name: organisation.name },
    issuer: provider?.issuer ?? '',
    clientId: provider?.client_id ?? '',
    hasSecret: provider !== undefined,
    requireSso: provider?.require_sso ?? false,
    redirectUri: redirectUri(),
    secretsKeySet: secretsKeyIsSet(),
  };
}

/**
 * Saves the organisation's provider after discovering it (a wrong issuer is refused here,
 * not at a nurse's first sign-in). An empty secret keeps the stored one.
 */
export async function saveSsoSettings(
  ctx: RequestContext,
  input: { organisationId: string; issuer: string; clientId: string; clientSecret: string; requireSso: boolean },
) {
  const organisation = await managedOrganisation(ctx, input.organisationId);
  if (!secretsKeyIsSet()) throw new ConflictError('Single sign-on needs the SECRETS_KEY setting on the server first.');
  const existing = await repo.findProvider(ctx.db, organisation.id);
  const secret = input.clientSecret || (existing && decryptSecret(existing.client_secret_encrypted, organisation.id));
  if (!secret) throw new FieldError('clientSecret', 'Enter the client secret from your identity provider.');
  try {
    await discover(input.issuer, input.clientId, secret);
  } catch {
    throw new FieldError(
      'issuer',
      `Rounds could not read ${input.issuer}/.well-known/openid-configuration. Check the issuer URL (docs/single-sign-on.md).`,
    );
  }
  if (input.requireSso && (await organisationDomains(ctx.db, organisation.id)).length === 0)
    throw new FieldError('requireSso', 'Add a verified domain first: single sign-on applies to its addresses.');
  await ctx.db.transaction().execute(async (tx) => {
    await repo.upsertProvider(tx, {
      organisationId: organisation.id,
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecretEncrypted: encryptSecret(secret, organisation.id),
      requireSso: input.requireSso,
      updatedBy: ctx.user.id,
    });
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.save-sso',
      target: `organisation:${organisation.id}`,
      // Never the secret: only whether it changed.
      details: {
        issuer: input.issuer,
        clientId: input.clientId,
        requireSso: input.requireSso,
        secretChanged: input.clientSecret !== '',
      },
    });
  });
  configurations.delete(organisation.id);
}

/** The single sign-on of the organisation this address belongs to, if it has one. */
export async function ssoForEmail(db: Kysely<Database>, email: string) {
  const domain = domainOf(email);
  const row = domain ? await repo.providerForDomain(db, domain) : undefined;
  return row
    ? { organisationId: row.organisation_id, organisationName: row.name, required: row.require_sso }
    : undefined;
}

/** Starts a sign-in at the organisation's provider: the URL to send the browser to, and the state for its cookie. */
export async function beginSsoSignIn(
  db: Kysely<Database>,
  input: { organisationId: string; email?: string; next?: string | null },
) {
  const provider = await repo.findProvider(db, input.organisationId);
  if (!provider) throw new ConflictError('This organisation has no single sign-on.');
  let config: client.Configuration;
  try {
    config = await configurationFor(provider);
  } catch (error) {
    console.error('[sso] discovery failed for organisation', provider.organisation_id, (error as Error).message);
    throw new ConflictError(
      'Your organisation’s sign-in service did not answer. Try again in a few minutes, or tell your IT department.',
    );
  }
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  await repo.deleteExpiredPendingSignIns(db);
  await repo.insertPendingSignIn(db, {
    stateHash: hashToHex(state),
    organisationId: provider.organisation_id,
    codeVerifier,
    nonce,
    next: input.next ?? null,
    expiresAt: new Date(Date.now() + SIGN_IN_LIFETIME),
  });
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(),
    scope: SSO_SCOPES,
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(input.email ? { login_hint: input.email } : {}),
  });
  return { url: url.href, state };
}

/**
 * The browser came back from the provider. `stateCookie` is the state this browser was
 * given when it left: an answer meant for another browser, or one used already, is refused.
 */
export async function finishSsoSignIn(
  db: Kysely<Database>,
  input: { callbackUrl: URL; stateCookie: string | undefined; userAgent: string },
) {
  const state = input.callbackUrl.searchParams.get('state');
  if (!state || !input.stateCookie || state !== input.stateCookie) throw new SsoRefusal(TRY_AGAIN);
  const pending = await repo.takePendingSignIn(db, hashToHex(state));
  if (!pending) throw new SsoRefusal(TRY_AGAIN);
  const provider = await repo.findProvider(db, pending.organisation_id);
  if (!provider) throw new SsoRefusal('Your organisation no longer signs in through single sign-on here.');
  if (input.callbackUrl.searchParams.has('error')) throw new SsoRefusal(TRY_AGAIN);

  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  let claims: Record<string, unknown> & { sub: string };
  try {
    const config = await configurationFor(provider);
    tokens = await client.authorizationCodeGrant(
      config,
      input.callbackUrl,
      {
        pkceCodeVerifier: pending.code_verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      },
      { redirect_uri: redirectUri() },
    );
    claims = { ...tokens.claims()! };
    // Providers that keep email and name out of the ID token (OpenID Connect Core §5.4) give
    // them at the userinfo endpoint, for the same subject (checked by the library).
    if (typeof claims.email !== 'string' && config.serverMetadata().userinfo_endpoint)
      claims = { ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims, sub: claims.sub };
  } catch (error) {
    // The reason goes to the log (never a token or secret: the library's message and code only).
    const code = (error as { code?: string }).code ?? '';
    console.error('[sso] sign-in refused for organisation', provider.organisation_id, code, (error as Error).message);
    throw new SsoRefusal(TRY_AGAIN);
  }
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const emailVerified = claims.email_verified === true;
  const name =
    (typeof claims.name === 'string' && claims.name.trim().slice(0, 100)) ||
    [claims.given_name, claims.family_name]
      .filter((part) => typeof part === 'string')
      .join(' ')
      .trim()
      .slice(0, 100) ||
    email.split('@')[0]!;

  const userId = await accountFor(db, {
    organisationId: provider.organisation_id,
    subject: claims.sub,
    email,
    emailVerified,
    name,
  });
  const { token, session } = await db.transaction().execute(async (tx) => {
    const created = await createSession(tx, userId, input.userAgent);
    await repo.insertSsoSession(tx, {
      sessionId: created.session.id,
      organisationId: provider.organisation_id,
      idToken: tokens.id_token!,
    });
    return created;
  });
  return { token, session, next: pending.next_path };
}

/**
 * The Rounds account for this provider account: the one linked before; else the account
 * with this address, linked now if the provider confirmed the address; else a new account
 * (confirmed only if the provider says so). Addresses outside the organisation's verified
 * domains are refused: an organisation's provider speaks only for its own people.
 */
async function accountFor(
  db: Kysely<Database>,
  claims: { organisationId: string; subject: string; email: string; emailVerified: boolean; name: string },
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const linked = await repo.linkedUser(tx, claims.organisationId, claims.subject);
    if (linked) {
      const person = await findPerson(tx, linked);
      if (!person) throw new SsoRefusal('This account was deleted. Ask your Rounds administrator.');
      if (person.deactivated_at) throw new SsoRefusal(DEACTIVATED);
      return linked;
    }
    const domains = await organisationDomains(tx as Kysely<Database>, claims.organisationId);
    if (!claims.email || !domains.includes(domainOf(claims.email) ?? ''))
      throw new SsoRefusal(
        'Your organisation’s sign-in service did not give an address at one of its domains, so Rounds cannot tell who you are. Tell your IT department.',
      );
    const existing = await findPersonByEmail(tx, claims.email);
    if (existing) {
      if (!claims.emailVerified)
        throw new SsoRefusal(
          'A Rounds account already uses this address, and your organisation’s sign-in service has not confirmed the address, so it cannot be linked. Sign in with your password, or ask your IT department.',
        );
      if (existing.deactivated_at) throw new SsoRefusal(DEACTIVATED);
      await repo.insertIdentity(tx, {
        organisationId: claims.organisationId,
        subject: claims.subject,
        userId: existing.id,
      });
      await markEmailVerified(tx, existing.id, claims.email);
      await recordAudit(tx, {
        actorId: existing.id,
        action: 'sso.link',
        target: `user:${existing.id}`,
        details: { organisationId: claims.organisationId },
      });
      return existing.id;
    }
    // Nobody signs in with this password: it is random and never shown (a reset still works
    // for a domain that does not require single sign-on).
    const created = await createUser(tx, {
      email: claims.email,
      name: claims.name,
      passwordHash: await hashPassword(randomToken(32)),
    });
    if (!created) throw new SsoRefusal(TRY_AGAIN);
    if (claims.emailVerified) await markEmailVerified(tx, created.id, claims.email);
    await repo.insertIdentity(tx, {
      organisationId: claims.organisationId,
      subject: claims.subject,
      userId: created.id,
    });
    await recordAudit(tx, {
      actorId: created.id,
      action: 'sso.create-account',
      target: `user:${created.id}`,
      details: { organisationId: claims.organisationId, emailVerified: claims.emailVerified },
    });
    return created.id;
  });
}

/**
 * Where to send the browser after its Rounds session ends: the provider's sign-out, when
 * the session began there and the provider advertises an end_session_endpoint.
 */
export async function providerSignOutUrl(db: Kysely<Database>, sessionId: string): Promise<string | undefined> {
  const ssoSession = await repo.findSsoSession(db, sessionId);
  if (!ssoSession) return undefined;
  const provider = await repo.findProvider(db, ssoSession.organisation_id);
  if (!provider) return undefined;
  try {
    const config = await configurationFor(provider);
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return client.buildEndSessionUrl(config, {
      id_token_hint: ssoSession.id_token,
      post_logout_redirect_uri: `${settings().PUBLIC_URL}/`,
    }).href;
  } catch {
    return undefined; // the Rounds session is over either way
  }
}

/** For the password sign-in: refuses a non-administrator at a domain whose organisation requires single sign-on. */
export function requireSsoRefusal(organisationName: string) {
  return new ForbiddenError(
    `${organisationName} signs you in through its own sign-in page. Leave the password empty and choose Sign in.`,
  );
}
