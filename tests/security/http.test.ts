// Session, cookie, header, redirect, cross-origin, sign-in and throttle checks against
// the built server.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseDevalue } from 'devalue';
import { testCatalog } from '../support/catalog.ts';
import { RULES } from '#server/platform/throttle.ts';
import {
  discoverActions,
  discoverRoutes,
  fillRoute,
  form,
  FORM,
  freshIp,
  http,
  PASSWORD,
  plausibleValues,
  sessionCookie,
  signUp,
  type TestUser,
} from './support.ts';

const origin = inject('origin');
const secureOrigin = inject('secureOrigin');
const catalog = testCatalog();
const course = catalog.courses[0]!;
const lesson = course.lessons[0]!;
const lessonPath = `/courses/${course.slug}/${lesson.slug}`;

function header(reply: { headers: Record<string, string | string[] | undefined> }, name: string): string {
  const value = reply.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

async function signIn(email: string, options: { cookie?: string; next?: string; ip?: string } = {}) {
  return http(origin, 'POST', '/login?_action=accounts.signIn', {
    headers: { origin, 'content-type': FORM, accept: 'text/html' },
    cookie: options.cookie,
    ip: options.ip ?? freshIp(),
    body: form({ email, password: PASSWORD, ...(options.next !== undefined ? { next: options.next } : {}) }),
  });
}

async function isSignedIn(cookie: string): Promise<boolean> {
  const reply = await http(origin, 'GET', `${lessonPath}/state.json`, { cookie });
  return (JSON.parse(reply.text) as { signedIn: boolean }).signedIn;
}

describe('sessions and cookies', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp(origin, 'session');
  });

  it('a new session token at every sign-in; the old one stops working', async () => {
    const reply = await signIn(user.email, { cookie: user.cookie });
    expect(reply.status).toBe(303);
    const fresh = sessionCookie(reply);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(user.cookie);
    expect(await isSignedIn(fresh!)).toBe(true);
    expect(await isSignedIn(user.cookie)).toBe(false);
    user.cookie = fresh!;
  });

  it('a session id planted before sign-in is never adopted (fixation)', async () => {
    const planted = 'session=aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const reply = await signIn(user.email, { cookie: planted });
    const fresh = sessionCookie(reply);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(planted);
    expect(await isSignedIn(planted)).toBe(false);
  });

  it('the session cookie is HttpOnly, SameSite=Lax, Path=/, host-only, expiring', async () => {
    const reply = await signIn(user.email);
    const line = reply.setCookies.find((c) => c.startsWith('session='))!;
    expect(line).toBeDefined();
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\/(;|$)/i);
    expect(line).toMatch(/;\s*Expires=/i);
    expect(line).not.toMatch(/;\s*Domain=/i);
  });

  it('with an https PUBLIC_URL the cookie is `__Host-session`, Secure', async () => {
    const reply = await http(secureOrigin, 'POST', '/_actions/accounts.signUp', {
      headers: { origin: secureOrigin, 'content-type': FORM },
      ip: freshIp(),
      body: form({ name: 'Sam Secure', email: `secure-${Date.now()}@example.org`, password: PASSWORD }),
    });
    expect(reply.status).toBe(200);
    const line = reply.setCookies.find((c) => c.startsWith('__Host-session='))!;
    expect(line).toBeDefined();
    expect(line).toMatch(/;\s*Secure/i);
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\/(;|$)/i);
    expect(line).not.toMatch(/;\s*Domain=/i);
  });

  /** A team and an invite made through the Actions by a fresh leader; the invite's code. */
  async function inviteOn(server: string): Promise<string> {
    const leader = await signUp(server, 'cookie-leader');
    const action = async (name: string, values: Record<string, string>) => {
      const reply = await http(server, 'POST', `/_actions/teams.${name}`, {
        headers: { origin: server, 'content-type': FORM },
        cookie: leader.cookie,
        ip: freshIp(),
        body: form(values),
      });
      expect(reply.status, reply.text).toBe(200);
      return parseDevalue(reply.text) as Record<string, string>;
    };
    const { teamId } = await action('create', { name: 'Cookie team', description: '' });
    return (await action('createInvite', { teamId: teamId!, days: '7', maxUses: '' })).code!;
  }

  /** Someone signed in whose email is not confirmed yet opens the invite: the code is kept for them. */
  async function pendingJoinLine(server: string, name: string): Promise<string> {
    const code = await inviteOn(server);
    const newcomer = await signUp(server, 'cookie-newcomer');
    const reply = await http(server, 'GET', `/join/${code}`, {
      cookie: newcomer.cookie,
      headers: { accept: 'text/html' },
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('Please confirm your email first.');
    const line = reply.setCookies.find((c) => c.startsWith(`${name}=`));
    expect(line, reply.setCookies.join('\n')).toBeDefined();
    expect(line).toContain(`${name}=${code};`);
    return line!;
  }

  function expectShortLived(line: string) {
    const maxAge = Number(/;\s*Max-Age=(\d+)/i.exec(line)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(48 * 3600);
  }

  it('the pending-join cookie is HttpOnly, SameSite=Lax, Path=/, host-only, short-lived', async () => {
    const line = await pendingJoinLine(origin, 'rounds_pending_join');
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\/(;|$)/i);
    expect(line).not.toMatch(/;\s*Domain=/i);
    expect(line).not.toMatch(/;\s*Secure/i);
    expectShortLived(line);
  });

  it('with an https PUBLIC_URL the pending-join cookie is `__Host-rounds_pending_join`, Secure', async () => {
    const line = await pendingJoinLine(secureOrigin, '__Host-rounds_pending_join');
    expect(line).toMatch(/;\s*Secure/i);
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\/(;|$)/i);
    expect(line).not.toMatch(/;\s*Domain=/i);
    expectShortLived(line);
  });

  it('signing out ends the session on the server and clears the cookie', async () => {
    const own = await signUp(origin, 'signout');
    const reply = await http(origin, 'POST', '/logout?_action=accounts.signOut', {
      headers: { origin, 'content-type': FORM },
      cookie: own.cookie,
      body: '',
    });
    expect(reply.status).toBe(303);
    expect(reply.setCookies.some((c) => /^session=;/.test(c) && /Max-Age=0/i.test(c))).toBe(true);
    expect(await isSignedIn(own.cookie)).toBe(false);
  });
});

describe('security headers', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp(origin, 'headers');
  });

  it.each(['/', '/login', '/account', '/journal', '/courses', lessonPath, '/no-such-page'])('%s', async (path) => {
    const reply = await http(origin, 'GET', path, {
      cookie: path === '/login' ? undefined : user.cookie,
      headers: { accept: 'text/html' },
    });
    expect([200, 404]).toContain(reply.status);
    expect(header(reply, 'x-content-type-options')).toBe('nosniff');
    expect(header(reply, 'x-frame-options')).toBe('DENY');
    expect(header(reply, 'referrer-policy')).toBe('strict-origin-when-cross-origin');
    const csp = header(reply, 'content-security-policy');
    expect(csp).toContain("frame-ancestors 'none'");
    // The script policy: in the header for on-demand pages, in a <meta> for prerendered ones.
    const meta = /<meta http-equiv="content-security-policy" content="([^"]+)"/i.exec(reply.text)?.[1] ?? '';
    expect(`${csp} ${meta}`).toMatch(/script-src [^;]*'sha(256|384|512)-/);
    // Nothing from elsewhere, no plugins, no <base>, forms post only here.
    for (const directive of ["default-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"])
      expect(`${csp}; ${meta}`, `${path}: ${directive}`).toContain(directive);
  });

  it('HSTS when PUBLIC_URL is https, on pages and files alike; not over plain http', async () => {
    for (const path of ['/login', '/courses', '/favicon.svg', '/healthz']) {
      const secure = await http(secureOrigin, 'GET', path);
      expect(header(secure, 'strict-transport-security'), path).toBe('max-age=31536000; includeSubDomains');
      const plain = await http(origin, 'GET', path);
      expect(header(plain, 'strict-transport-security'), path).toBe('');
    }
  });

  it('personal pages are never cached by shared caches', async () => {
    for (const path of [
      '/',
      '/account',
      '/journal',
      '/account/export.json',
      '/account/transcript',
      '/account/transcript.csv',
      '/account/transcript.pdf',
      `${lessonPath}/state.json`,
    ]) {
      const reply = await http(origin, 'GET', path, { cookie: user.cookie });
      expect(header(reply, 'cache-control'), path).toMatch(/private|no-store/);
    }
  });
});

describe('?next= only ever leads to a path on this site', () => {
  const EVIL = [
    '//evil.example',
    'https://evil.example',
    'http:evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%5Cevil.example',
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '///evil.example',
    ' //evil.example',
    '\t//evil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '//evil.example@rounds.invalid',
    '/@evil.example',
    'https:/evil.example',
  ];
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp(origin, 'next');
  });

  function expectLocal(location: string, what: string) {
    expect(location, what).not.toBe('');
    const target = new URL(location, origin);
    expect(target.origin, `${what} → ${location}`).toBe(origin);
    expect(
      location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'),
      `${what} → ${location}`,
    ).toBe(true);
  }

  it.each(EVIL)('signing in with next=%j', async (next) => {
    const reply = await signIn(user.email, { next });
    expect(reply.status).toBe(303);
    expectLocal(header(reply, 'location'), `sign-in next=${JSON.stringify(next)}`);
  });

  it.each(EVIL)('already signed in, GET /login?next=%j', async (next) => {
    const reply = await http(origin, 'GET', `/login?next=${encodeURIComponent(next)}`, { cookie: user.cookie });
    expect(reply.status).toBe(303);
    expectLocal(header(reply, 'location'), `GET /login next=${JSON.stringify(next)}`);
  });

  it('a same-site next is honoured', async () => {
    const reply = await signIn(user.email, { next: '/journal?q=a#top' });
    expect(header(reply, 'location')).toBe('/journal?q=a#top');
  });
});

describe('cross-origin writes are refused, whatever their kind', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp(origin, 'csrf');
  });
  const save = {
    courseSlug: course.slug,
    lessonSlug: lesson.slug,
    body: 'planted by another site',
    revision: String(Date.now()),
  };
  const multipart = () => {
    const data = new FormData();
    for (const [k, v] of Object.entries(save)) data.set(k, v);
    return data;
  };
  const CASES: [string, string, Record<string, string>, () => string | FormData][] = [
    ['Action, urlencoded form', '/_actions/reflections.save', { 'content-type': FORM }, () => form(save)],
    ['Action, multipart form', '/_actions/reflections.save', {}, multipart],
    ['Action, text/plain', '/_actions/reflections.save', { 'content-type': 'text/plain' }, () => form(save)],
    ['Action, JSON', '/_actions/reflections.save', { 'content-type': 'application/json' }, () => JSON.stringify(save)],
    [
      'page form (no-JS lesson save)',
      `${lessonPath}/reflection?_action=reflections.save`,
      { 'content-type': FORM },
      () => form(save),
    ],
    [
      'page form (account name)',
      '/account?_action=accounts.changeName',
      { 'content-type': FORM },
      () => form({ name: 'Pwned' }),
    ],
    ['page form (sign out)', '/logout?_action=accounts.signOut', { 'content-type': FORM }, () => ''],
  ];
  const ORIGINS: [string, Record<string, string>][] = [
    ['another site', { origin: 'https://evil.example' }],
    ['another port of this host', { origin: 'http://127.0.0.1:1' }],
    ['an opaque origin (null)', { origin: 'null' }],
    ['no Origin, Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['no Origin, Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ];

  it.each(
    CASES.flatMap(([label, path, headers, body]) =>
      ORIGINS.map(([from, extra]) => [`${label} from ${from}`, path, { ...headers, ...extra }, body] as const),
    ),
  )('%s → 403', async (_label, path, headers, body) => {
    const reply = await http(origin, 'POST', path, { headers, cookie: user.cookie, body: body(), ip: freshIp() });
    expect(reply.status).toBe(403);
  });

  it('nothing was written and the session survived', async () => {
    const state = JSON.parse((await http(origin, 'GET', `${lessonPath}/state.json`, { cookie: user.cookie })).text) as {
      signedIn: boolean;
      reflection: unknown;
    };
    expect(state.signedIn).toBe(true);
    expect(state.reflection).toBeNull();
    const account = await http(origin, 'GET', '/account', { cookie: user.cookie });
    expect(account.text).not.toContain('Pwned');
  });

  it('the same request from this site works (the refusals above are not a broken endpoint)', async () => {
    const reply = await http(origin, 'POST', '/_actions/reflections.save', {
      headers: { origin, 'content-type': FORM },
      cookie: user.cookie,
      body: form(save),
    });
    expect(reply.status).toBe(200);
  });
});

describe('signed out: every private page redirects to sign-in or answers 401, every private Action 401', () => {
  // Public by design (ARCHITECTURE.md's public URLs and the account pages). A new page
  // is private unless added here.
  const PUBLIC = [
    /^\/$/,
    /^\/courses(\/\[course\](\/\[lesson\](\/(state\.json|complete|reflection))?)?)?$/,
    /^\/(login|signup|logout|forgot-password|reset-password|verify-email|undo-email-change|healthz|404|500|issuer|offline)$/,
    /^\/certificates\/\[[^\]]+\](\.pdf|\.jwt)?$/,
    /^\/certificates\/status\/\[list\]$/,
    /^\/\.well-known\//,
    /^\/join(\/\[[^\]]+\])?$/,
    /^\/events\/\[[^\]]+\](\/qr\.(png|svg))?$/,
    /^\/(teams|events)\/.*unsubscribe$/,
    /^\/review\/from-email$/,
    // Where an organisation's identity provider sends the browser back (single sign-on).
    /^\/sso\/callback$/,
  ];
  const PUBLIC_ACTIONS = new Set([
    'accounts.signUp',
    'accounts.signIn',
    'accounts.signOut',
    'accounts.verifyEmail',
    'accounts.requestPasswordReset',
    'accounts.resetPassword',
    'accounts.undoEmailChange',
    'teams.unsubscribe',
    'events.unsubscribe',
    'review.answerFromEmail',
  ]);
  const routes = discoverRoutes().filter((r) => !PUBLIC.some((re) => re.test(r.pattern)));
  const actions = discoverActions().filter((a) => !PUBLIC_ACTIONS.has(a.name));

  it.each(routes.map((r) => [r.pattern] as const))('GET %s', async (pattern) => {
    const uuid = '00000000-0000-4000-8000-000000000000';
    const path = fillRoute(pattern, {
      course: course.slug,
      lesson: lesson.slug,
      id: uuid,
      slug: 'an-event',
      code: 'ABCD2345',
    });
    const reply = await http(origin, 'GET', path, { headers: { accept: 'text/html' } });
    if (reply.status === 401) return;
    expect([302, 303, 307], `${path}: ${reply.status}`).toContain(reply.status);
    expect(header(reply, 'location')).toMatch(/^\/login(\?|$)/);
  });

  it.each(actions.map((a) => [a.name, a] as const))('POST /_actions/%s', async (name, action) => {
    const values = plausibleValues(course.slug, lesson.slug);
    const body = form(Object.fromEntries(action.fields.map((f) => [f, values[f] ?? 'x'])));
    const reply = await http(origin, 'POST', `/_actions/${name}`, {
      headers: { origin, 'content-type': FORM },
      body,
      ip: freshIp(),
    });
    // Astro validates input before the handler runs: a 400 for input we could not
    // make plausible still says nothing and does nothing.
    expect([400, 401], `${name}: ${reply.status} ${reply.text.slice(0, 200)}`).toContain(reply.status);
    if (action.fields.every((f) => f in values)) expect(reply.status, `${name}: ${reply.text.slice(0, 200)}`).toBe(401);
  });
});

describe('admin pages', () => {
  it('the audit log is for administrators only: 403 with a message for anyone else', async () => {
    const learner = await signUp(origin, 'notadmin');
    const reply = await http(origin, 'GET', '/admin/audit', {
      cookie: learner.cookie,
      headers: { accept: 'text/html' },
    });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('Only administrators can see the audit log.');
    expect(reply.text).not.toContain('<table');
    // The administrator (the install's first account, made by the global setup) sees it.
    const asAdmin = await http(origin, 'GET', '/admin/audit', {
      cookie: inject('admin').cookie,
      headers: { accept: 'text/html' },
    });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.text).not.toContain('Only administrators can see the audit log.');
  });

  it('people and their Actions are for administrators only: 403 for anyone else, and nothing changes', async () => {
    const learner = await signUp(origin, 'notadminpeople');
    const admin = inject('admin');
    const asAdmin = (path: string) =>
      http(origin, 'GET', path, { cookie: admin.cookie, headers: { accept: 'text/html' } });
    const found = await asAdmin(`/admin/people?q=${encodeURIComponent(learner.email)}`);
    expect(found.status).toBe(200);
    const learnerId = /href="\/admin\/people\/([0-9a-f-]{36})"/.exec(found.text)?.[1];
    expect(learnerId, 'the administrator finds the learner').toBeDefined();
    for (const path of ['/admin/people', `/admin/people/${learnerId}`]) {
      const reply = await http(origin, 'GET', path, { cookie: learner.cookie, headers: { accept: 'text/html' } });
      expect(reply.status, path).toBe(403);
      expect(reply.text, path).toContain('Only administrators can use these pages.');
      expect(reply.text, path).not.toContain(admin.email);
      expect(reply.text, path).not.toMatch(/Search people|Make administrator|Deactivate account/);
    }
    // The learner tries each Action on their own account: refused, before anything changes.
    for (const name of ['grantAdmin', 'removeAdmin', 'deactivate', 'reactivate']) {
      const reply = await http(origin, 'POST', `/_actions/people.${name}`, {
        headers: { origin, 'content-type': FORM },
        body: form({ userId: learnerId! }),
        cookie: learner.cookie,
      });
      expect(reply.status, name).toBe(403);
    }
    const after = await asAdmin(`/admin/people/${learnerId}`);
    expect(after.text).toMatch(/<dd[^>]*>Member<\/dd>/);
    expect(after.text).toMatch(/<dd[^>]*>Active<\/dd>/);
  });
});

describe('throttles hold', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await signUp(origin, 'throttle');
  });

  const wrongSignIn = (email: string, ip: string, password = 'not the password at all') =>
    http(origin, 'POST', '/login?_action=accounts.signIn', {
      headers: { origin, 'content-type': FORM, accept: 'text/html' },
      ip,
      body: form({ email, password }),
    });

  it('10 failed sign-ins to one account from one address hold it there (even with the right password), not elsewhere', async () => {
    const guesser = freshIp();
    for (let i = 0; i < 10; i += 1) expect((await wrongSignIn(user.email, guesser)).status).toBe(400);
    const locked = await wrongSignIn(user.email, guesser, PASSWORD);
    expect(locked.status).toBe(429);
    expect(header(locked, 'retry-after')).not.toBe('');
    expect(locked.text).toMatch(/Too many attempts/);
    // The owner, on another network, signs in.
    expect((await wrongSignIn(user.email, freshIp(), PASSWORD)).status).toBe(303);
  });

  it('behind a proxy, the address is the one the proxy saw, not what the client wrote in X-Forwarded-For', async () => {
    // The client writes a new first entry each time; the proxy appends the address it saw.
    const seen = freshIp();
    const spray = (i: number) =>
      http(origin, 'POST', '/login?_action=accounts.signIn', {
        headers: { origin, 'content-type': FORM, accept: 'text/html', 'x-forwarded-for': `${freshIp()}, ${seen}` },
        body: form({ email: `sprayed-${i}@example.org`, password: 'not the password at all' }),
      });
    for (let i = 0; i < RULES.failedSignInPerIp.limit; i += 1) expect((await spray(i)).status).toBe(400);
    expect((await spray(RULES.failedSignInPerIp.limit)).status).toBe(429);
  });

  it('50 failed sign-ins from one address lock that address out', async () => {
    const ip = freshIp();
    for (let i = 0; i < 50; i += 1) expect((await wrongSignIn(`nobody-${i}@example.org`, ip)).status).toBe(400);
    expect((await wrongSignIn(`nobody-x@example.org`, ip)).status).toBe(429);
    const other = await signUp(origin, 'bystander');
    expect((await wrongSignIn(other.email, ip, PASSWORD)).status).toBe(429);
    // …and only that address.
    expect((await wrongSignIn(other.email, freshIp(), PASSWORD)).status).toBe(303);
  });

  it(`${RULES.failedJoinCodePerIp.limit} unknown join codes from one address: 429 with Retry-After for wrong codes; a right code is served`, async () => {
    const leader = await signUp(origin, 'join-throttle');
    const action = async (name: string, values: Record<string, string>) =>
      parseDevalue(
        (
          await http(origin, 'POST', `/_actions/teams.${name}`, {
            headers: { origin, 'content-type': FORM },
            cookie: leader.cookie,
            ip: freshIp(),
            body: form(values),
          })
        ).text,
      ) as Record<string, string>;
    const { teamId } = await action('create', { name: 'Throttle team', description: '' });
    const { code } = await action('createInvite', { teamId: teamId!, days: '7', maxUses: '' });
    const ip = freshIp();
    const open = (path: string, from = ip) => http(origin, 'GET', path, { ip: from, headers: { accept: 'text/html' } });
    // Team codes have 12 symbols, event codes 10 (older ones 8 and 6): every kind of guess counts.
    const guesses = ['/join/ZZZZZZZZZZZZ', '/join/ZZZZZZZZZZ', '/join/ZZZZZZZZ', '/join/ZZZZZZ'];
    for (let i = 0; i < RULES.failedJoinCodePerIp.limit; i += 1) {
      const guess = await open(guesses[i % guesses.length]!);
      expect(guess.status).toBe(404);
    }
    for (const path of ['/join/ZZZZZZZZZZZZ', '/join/ZZZZZZZZ']) {
      const refused = await open(path);
      expect(refused.status, path).toBe(429);
      const retryAfter = Number(header(refused, 'retry-after'));
      expect(retryAfter).toBeGreaterThan(RULES.failedJoinCodePerIp.windowSeconds - 120);
      expect(retryAfter).toBeLessThanOrEqual(RULES.failedJoinCodePerIp.windowSeconds);
      expect(refused.text).toContain(
        `Too many attempts. Please try again in ${RULES.failedJoinCodePerIp.windowSeconds / 60} minutes.`,
      );
    }
    // The join forms' Actions are held back too, with the same message (events: no confirmed email needed).
    const joiner = await signUp(origin, 'join-throttle-member');
    const joined = await http(origin, 'POST', '/_actions/events.join', {
      headers: { origin, 'content-type': FORM },
      cookie: joiner.cookie,
      ip,
      body: form({ code: 'ZZZZZ-ZZZZZ' }),
    });
    expect(joined.status).toBe(429);
    expect((JSON.parse(joined.text) as { message: string }).message).toMatch(/Too many attempts/);
    // Someone else behind the same address, with the right code, is served.
    const sameVenue = await open(`/join/${code}`);
    expect(sameVenue.status).toBe(200);
    expect(sameVenue.text).toContain('Join Throttle team');
  });

  it(`${RULES.signUpPerIp.limit} sign-ups an hour per address`, async () => {
    const ip = freshIp();
    const attempt = (i: number) =>
      http(origin, 'POST', '/_actions/accounts.signUp', {
        headers: { origin, 'content-type': FORM },
        ip,
        body: form({ name: 'Many Accounts', email: `many-${Date.now()}-${i}@example.org`, password: PASSWORD }),
      });
    for (let i = 0; i < RULES.signUpPerIp.limit; i += 1) expect((await attempt(i)).status).toBe(200);
    const refused = await attempt(RULES.signUpPerIp.limit);
    expect(refused.status).toBe(429);
    expect((JSON.parse(refused.text) as { message: string }).message).toMatch(/Too many attempts/);
  });

  it(`${RULES.mailPerIp.limit} password-reset emails an hour per address`, async () => {
    const ip = freshIp();
    const attempt = (i: number) =>
      http(origin, 'POST', '/_actions/accounts.requestPasswordReset', {
        headers: { origin, 'content-type': FORM },
        ip,
        body: form({ email: `reset-${i}@example.org` }),
      });
    for (let i = 0; i < RULES.mailPerIp.limit; i += 1) expect((await attempt(i)).status).toBe(200);
    expect((await attempt(RULES.mailPerIp.limit)).status).toBe(429);
  });

  it('reset requests for one address are never refused (one mail per cool-down goes out)', async () => {
    const attempt = () =>
      http(origin, 'POST', '/_actions/accounts.requestPasswordReset', {
        headers: { origin, 'content-type': FORM },
        ip: freshIp(),
        body: form({ email: user.email }),
      });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await attempt()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });
});
