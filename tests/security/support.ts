// Shared by the security tests: a raw HTTP client (paths are sent exactly as given,
// never normalised), accounts made through the real sign-up, and the app's surface
// discovered from the source so that new Actions and pages are covered without
// editing these tests:
//   - Actions: the keys of `server` in src/actions/index.ts, each mapped to its
//     `export const xActions = { name: defineAction({ … }) }` in src/actions/*.ts
//     (the convention every Actions file follows); fields from its `input: z.object({…})`.
//   - Pages and endpoints: every file under src/pages (route from its path).
//   - Form posts: every `actions.<domain>.<name>` a page file names is POSTed to that
//     page with `?_action=<domain>.<name>`, as the browser does.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { parse as parseDevalue } from 'devalue';
import type { Catalog } from '#lib/catalog.ts';
import { root } from '../load/harness.ts';

export const PASSWORD = 'copper meadow violin harbour 77';
const agent = new Agent({ connections: 16, headersTimeout: 30_000, bodyTimeout: 30_000 });

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
  setCookies: string[];
}

export async function http(
  origin: string,
  method: string,
  rawPath: string,
  options: {
    headers?: Record<string, string>;
    body?: string | Buffer | FormData;
    cookie?: string;
    ip?: string;
    timeoutMs?: number;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'user-agent': 'rounds-security-test', ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.ip) headers['x-forwarded-for'] = options.ip;
  const started = performance.now();
  let body: string | Buffer | undefined;
  if (options.body instanceof FormData) {
    const encoded = new Response(options.body);
    headers['content-type'] = encoded.headers.get('content-type')!;
    body = Buffer.from(await encoded.arrayBuffer());
  } else body = options.body;
  const response = await request(origin + rawPath, {
    method,
    headers,
    body,
    dispatcher: agent,
    signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
  });
  const text = await response.body.text();
  const raw = response.headers['set-cookie'];
  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    ms: performance.now() - started,
    setCookies: raw === undefined ? [] : ([] as string[]).concat(raw),
  };
}

export function form(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

export const FORM = 'application/x-www-form-urlencoded';

let ipCounter = 0;
/** A fresh client address per call (the server trusts X-Forwarded-For in this suite). */
export function freshIp(): string {
  ipCounter += 1;
  const n = (process.pid * 1000 + ipCounter) % 16_777_216;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function sessionCookie(reply: Reply): string | undefined {
  const match = reply.setCookies.map((line) => /^(session|__Host-session)=([^;]*)/.exec(line)).find(Boolean);
  return match && match[2] ? `${match[1]}=${match[2]}` : undefined;
}

let userCounter = 0;
export interface TestUser {
  email: string;
  cookie: string;
}

/** An account made through the real sign-up Action, signed in. */
export async function signUp(origin: string, label = 'sec'): Promise<TestUser> {
  userCounter += 1;
  const email = `${label}-${Date.now().toString(36)}-${userCounter}-${Math.random().toString(36).slice(2, 6)}@example.org`;
  const reply = await http(origin, 'POST', '/_actions/accounts.signUp', {
    headers: { origin, 'content-type': FORM },
    ip: freshIp(),
    body: form({ name: 'Sam Tester', email, password: PASSWORD }),
  });
  const cookie = sessionCookie(reply);
  if (reply.status !== 200 || !cookie) throw new Error(`sign-up failed: ${reply.status} ${reply.text.slice(0, 200)}`);
  return { email, cookie };
}

// ── discovery ───────────────────────────────────────────────────────────────

/** Top-level entries of an object/argument list body: `a: …`, `b` (shorthand) and `...c`. */
// Comments would otherwise split entries at their commas and hide names; `//` only at a line's start, so URLs in strings stay.
const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

function topLevelEntries(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  let quote: string | null = null;
  for (const ch of body) {
    if (quote) {
      if (ch === quote) quote = null;
      current += ch;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    if ('([{'.includes(ch)) depth += 1;
    if (')]}'.includes(ch)) depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** The text between the bracket at `open` and its partner. */
function balanced(text: string, open: number): string {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i += 1) {
    const ch = text[i]!;
    if (pairs[ch]) stack.push(pairs[ch]);
    else if (ch === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return text.slice(open + 1, i);
    }
  }
  return text.slice(open + 1);
}

function fieldsOf(objectBody: string, source: string): string[] {
  const fields: string[] = [];
  for (const entry of topLevelEntries(objectBody)) {
    const spread = /^\.\.\.(\w+)$/.exec(entry);
    if (spread) {
      const declaration = new RegExp(`const ${spread[1]}\\s*=\\s*\\{`).exec(source);
      if (declaration)
        fields.push(...fieldsOf(balanced(source, declaration.index + declaration[0].length - 1), source));
      continue;
    }
    const name = /^(\w+)\s*(:|$)/.exec(entry);
    if (name) fields.push(name[1]!);
  }
  return fields;
}

export interface ActionInfo {
  name: string;
  fields: string[];
}

export function discoverActions(): ActionInfo[] {
  const dir = path.join(root, 'src/actions');
  const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
  const serverAt = /export const server\s*=\s*\{/.exec(index);
  if (!serverAt) throw new Error('src/actions/index.ts has no `export const server = {…}`');
  const domains = topLevelEntries(balanced(index, serverAt.index + serverAt[0].length - 1)).map(
    (entry) => entry.split(':').map((s) => s.trim()) as [string, string],
  );
  const sources = readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => withoutComments(readFileSync(path.join(dir, file), 'utf8')));
  const actions: ActionInfo[] = [];
  for (const [domain, constName] of domains) {
    const source = sources.find((text) => new RegExp(`export const ${constName ?? domain}\\s*=\\s*\\{`).test(text));
    if (!source) throw new Error(`No \`export const ${constName} = {…}\` for Actions "${domain}" in src/actions/*.ts`);
    const at = new RegExp(`export const ${constName ?? domain}\\s*=\\s*\\{`).exec(source)!;
    for (const entry of topLevelEntries(balanced(source, at.index + at[0].length - 1))) {
      const match = /^(\w+)\s*:\s*defineAction\(/.exec(entry);
      if (!match) {
        if (entry.includes('defineAction('))
          throw new Error(`Cannot read the Action entry in ${domain}: ${entry.slice(0, 80)}`);
        continue;
      }
      const input = /input:\s*z\.object\(\{/.exec(entry);
      const named = /input:\s*z\.object\((\w+)\)/.exec(entry); // z.object(lessonInput)
      const fields = input
        ? fieldsOf(balanced(entry, input.index + input[0].length - 1), source)
        : named
          ? fieldsOf(`...${named[1]}`, source)
          : [];
      if (/\binput:/.test(entry) && fields.length === 0)
        throw new Error(`Cannot read the input fields of ${domain}.${match[1]}`);
      actions.push({ name: `${domain}.${match[1]}`, fields });
    }
  }
  return actions;
}

export interface RouteInfo {
  file: string;
  /** e.g. /courses/[course]/[lesson]/state.json */
  pattern: string;
  params: string[];
  /** Action names this page's forms post (`?_action=`). */
  formActions: string[];
  prerendered: boolean;
}

export function discoverRoutes(): RouteInfo[] {
  const pagesDir = path.join(root, 'src/pages');
  const routes: RouteInfo[] = [];
  const walk = (dir: string) => {
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, item.name);
      if (item.isDirectory()) walk(full);
      else if (/\.(astro|ts|md|mdx)$/.test(item.name) && !item.name.endsWith('.d.ts')) {
        const relative = path
          .relative(pagesDir, full)
          .replace(/\\/g, '/')
          .replace(/\.(astro|ts|md|mdx)$/, '');
        const pattern = ('/' + relative.replace(/(^|\/)index$/, '')).replace(/\/$/, '') || '/';
        const source = readFileSync(full, 'utf8');
        const formActions = [...new Set([...source.matchAll(/actions\.(\w+)\.(\w+)/g)].map((m) => `${m[1]}.${m[2]}`))];
        const params = [...pattern.matchAll(/\[(?:\.\.\.)?(\w+)\]/g)].map((m) => m[1]!);
        routes.push({
          file: path.relative(root, full),
          pattern,
          params,
          formActions,
          prerendered: /export const prerender\s*=\s*true/.test(source),
        });
      }
    }
  };
  walk(pagesDir);
  return routes.sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** Fills a route pattern's params. */
export function fillRoute(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_, name: string) => values[name] ?? 'x');
}

/** Plausible valid values for the fields Actions use today; unknown fields get "x". */
export function plausibleValues(courseSlug: string, lessonSlug: string): Record<string, string> {
  const uuid = '00000000-0000-4000-8000-000000000000';
  return {
    courseSlug,
    lessonSlug,
    question: '0',
    option: '0',
    body: 'A reflection.',
    revision: '1',
    id: uuid,
    teamId: uuid,
    userId: uuid,
    assignmentId: uuid,
    inviteId: uuid,
    eventId: uuid,
    certificateId: 'AAAAAAAAAAAAAAAAAAAAAA',
    reason: 'Issued in error',
    name: 'Team name',
    description: 'About us',
    note: 'Please finish',
    email: 'someone@example.org',
    confirmEmail: 'someone@example.org',
    password: PASSWORD,
    currentPassword: PASSWORD,
    token: 'abcdefghijklmnopqrstuvwxyz234567',
    sessionId: 'abcdefghijklmnop',
    role: 'member',
    days: '7',
    maxUses: '5',
    dueOn: '2031-01-15',
    repeatMonths: '12',
    timeZone: 'Europe/London',
    quietStart: '22:00',
    quietEnd: '07:00',
    on: 'on',
    reviewId: uuid,
    card: 'a-question-id',
    confidence: 'sure',
    attemptId: uuid,
    creditType: 'participation',
    hours: '0.25',
    attest: 'yes',
    changePractice: 'yes',
    biasFree: 'yes',
    enabledTypes: 'participation',
    accreditationStatement: 'Example statement',
    approverStatement: '',
    // A browser's push subscription (the endpoint at a push service Rounds sends to).
    endpoint: 'https://fcm.googleapis.com/fcm/send/fuzz',
    p256dh: `BA${'A'.repeat(85)}`,
    auth: 'AAAAAAAAAAAAAAAAAAAAAA',
  };
}

// ── a world with real ids ───────────────────────────────────────────────────

/** Posts a form to an Action as `cookie` and returns its data; throws on anything but 200. */
export async function act(
  origin: string,
  name: string,
  cookie: string | undefined,
  fields: Record<string, string | string[]> = {},
): Promise<unknown> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    for (const one of ([] as string[]).concat(value)) body.append(key, one);
  const reply = await http(origin, 'POST', `/_actions/${name}`, {
    headers: { origin, 'content-type': FORM },
    body: body.toString(),
    cookie,
    ip: freshIp(),
  });
  if (reply.status !== 200) throw new Error(`${name}: ${reply.status} ${reply.text.slice(0, 300)}`);
  return reply.text ? parseDevalue(reply.text) : undefined;
}

/** Confirms `email` with the link the server mailed (printed to its log, as without SMTP). */
export async function confirmEmail(origin: string, serverLog: string, email: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const log = readFileSync(serverLog, 'utf8');
    const at = log.lastIndexOf(`[mail] To: ${email}\n`);
    const token = at >= 0 ? /\/verify-email\?token=([a-z0-9]+)/.exec(log.slice(at))?.[1] : undefined;
    if (token) {
      await act(origin, 'accounts.verifyEmail', undefined, { token });
      return;
    }
    if (Date.now() > deadline) throw new Error(`no confirmation mail for ${email} in ${serverLog}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface World {
  admin: TestUser;
  /** Leads the team; `member` is in it; `holder` has a certificate; `stranger` has nothing to do with any of them. */
  leader: TestUser;
  member: TestUser & { id: string };
  holder: TestUser;
  stranger: TestUser;
  teamId: string;
  assignmentId: string;
  /** A learning path of the team (another course than the assignment's), which `member` takes. */
  pathId: string;
  inviteId: string;
  inviteCode: string;
  eventId: string;
  eventSlug: string;
  eventCode: string;
  certificateId: string;
  courseSlug: string;
  /** Made by the administrator, with a verified domain; `leader` administers it. */
  organisationId: string;
  /** A verified domain of the organisation, and its SCIM bearer token. */
  organisationDomain: string;
  scimToken: string;
}

/**
 * Real data through the real Actions: a team with a member, an invite and an assignment;
 * an event (made by the administrator) the member joined; a certificate earned by
 * completing the shortest course. Each call makes a new one.
 */
export async function buildWorld(origin: string, serverLog: string, admin: TestUser, catalog: Catalog): Promise<World> {
  const [leader, memberUser, holder, stranger] = await Promise.all(
    ['leader', 'member', 'holder', 'stranger'].map((label) => signUp(origin, label)),
  );
  for (const person of [leader!, memberUser!, holder!]) await confirmEmail(origin, serverLog, person.email);
  // The shortest course without continuing-education credit: a credit course holds its
  // certificate for the post-test and evaluation once the fuzzer has enabled a kind of credit.
  const course = catalog.courses.filter((c) => !c.credit).sort((a, b) => a.lessons.length - b.lessons.length)[0]!;

  const { teamId } = (await act(origin, 'teams.create', leader!.cookie, {
    name: 'Ward 7 night shift',
    description: 'Fuzz and CSP fixture',
  })) as { teamId: string };
  const { code: inviteCode } = (await act(origin, 'teams.createInvite', leader!.cookie, {
    teamId,
    days: '7',
    maxUses: '',
  })) as { code: string };
  await act(origin, 'teams.createInvite', leader!.cookie, { teamId, days: '3', maxUses: '2' });
  await act(origin, 'teams.join', memberUser!.cookie, { code: inviteCode });
  const { assignmentId } = (await act(origin, 'teams.assign', leader!.cookie, {
    teamId,
    courseSlug: course.slug,
    dueOn: '2031-01-15',
    note: 'Before the audit',
  })) as { assignmentId: string };
  const { pathId } = (await act(origin, 'teams.createPath', leader!.cookie, {
    teamId,
    name: 'Onboarding',
    startsOn: '',
    course1: catalog.courses.find((c) => c.slug !== course.slug)!.slug,
    days1: '7',
  })) as { pathId: string };
  const manage = (
    await http(origin, 'GET', `/teams/${teamId}/manage`, { cookie: leader!.cookie, headers: { accept: 'text/html' } })
  ).text;
  const inviteId = /name="inviteId" value="([^"]+)"/.exec(manage)?.[1];
  const memberId = [...manage.matchAll(/name="userId" value="([^"]+)"/g)].map((m) => m[1]!).at(-1);
  if (!inviteId || !memberId) throw new Error(`cannot read invite and member ids from /teams/${teamId}/manage`);

  const event = (await act(origin, 'events.create', admin.cookie, {
    name: `Symposium ${Math.random().toString(36).slice(2, 7)}`,
    slug: '',
    eventDate: '2026-01-10',
    timeZone: 'Europe/London',
    location: 'Hall B',
    welcomeMessage: 'Welcome, and thank you for coming.',
    courses: [course.slug],
    unlockTime: '07:00',
    firstUnlockDays: '1',
    intervalDays: '2',
    dayOffsets: '',
  })) as { eventId: string; slug: string; code: string };
  await act(origin, 'events.join', memberUser!.cookie, { code: event.code });

  const { organisationId } = (await act(origin, 'organisations.create', admin.cookie, {
    name: `Fuzz Health ${Math.random().toString(36).slice(2, 7)}`,
    parentId: '',
  })) as { organisationId: string };
  const organisationDomain = `fuzz-${Math.random().toString(36).slice(2, 7)}.org`;
  await act(origin, 'organisations.addDomain', admin.cookie, { organisationId, domain: organisationDomain });
  const { token: scimToken } = (await act(origin, 'organisations.rotateScimToken', admin.cookie, {
    organisationId,
  })) as { token: string };
  await act(origin, 'organisations.addAdmin', admin.cookie, { organisationId, email: leader!.email });
  await act(origin, 'organisations.addTeam', admin.cookie, { organisationId, team: teamId });

  for (const lesson of course.lessons) {
    const answers = Object.fromEntries(
      lesson.check.map((q, i) => [`q${i}`, String(q.options.findIndex((o) => o.correct))]),
    );
    await act(origin, 'progress.complete', holder!.cookie, {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      ...answers,
    });
  }
  const last = course.lessons.at(-1)!;
  const state = JSON.parse(
    (await http(origin, 'GET', `/courses/${course.slug}/${last.slug}/state.json`, { cookie: holder!.cookie })).text,
  ) as { certificate?: { url?: string } };
  const certificateId = state.certificate?.url?.split('/').at(-1);
  if (!certificateId) throw new Error(`no certificate after completing ${course.slug}: ${JSON.stringify(state)}`);

  return {
    admin,
    leader: leader!,
    member: { ...memberUser!, id: memberId },
    holder: holder!,
    stranger: stranger!,
    teamId,
    assignmentId,
    pathId,
    inviteId,
    inviteCode,
    eventId: event.eventId,
    eventSlug: event.slug,
    eventCode: event.code,
    certificateId,
    courseSlug: course.slug,
    organisationId,
    organisationDomain,
    scimToken,
  };
}
