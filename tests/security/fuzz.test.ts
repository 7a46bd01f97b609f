// Property-based fuzzing of every Action, every form post and every dynamic route with
// random and hostile values: never a 5xx, never slower than 5 s, a refusal is a 4xx that
// says in words what is wrong (never an empty body, a bare code or a stack trace), and
// nothing sent comes back as live HTML. The administrator's and leaders' Actions are also
// fuzzed with their sessions and real ids, so the service code behind the 403 meets hostile
// values too; and the one-click unsubscribe POST (RFC 8058, no Origin, no session).
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import {
  buildWorld,
  discoverActions,
  discoverRoutes,
  fillRoute,
  FORM,
  freshIp,
  http,
  plausibleValues,
  signUp,
  type Reply,
  type World,
} from './support.ts';

const origin = inject('origin');
const catalog = testCatalog();
const course = catalog.courses[0]!;
const lesson = course.lessons[0]!;
const actions = discoverActions();
const routes = discoverRoutes();
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const LIMIT_MS = 5000;

const XSS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>'];
const PAYLOADS = [
  "' OR 1=1 --",
  "'; drop table users; --",
  '1; select pg_sleep(10)',
  "' || pg_sleep(10) || '",
  ...XSS,
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '....//....//etc/passwd',
  '\u0000',
  '%00',
  '{{7*7}}',
  '${7*7}',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  '-9223372036854775809',
  '',
  ' ',
  '\r\n\r\nHTTP/1.1 200 OK',
  'null',
  'true',
  '[]',
  '{}',
  '\uFEFF\u202E\u200B',
  '\uD800',
  'e\u0301\u0301\u0301',
  '🧑‍⚕️🏥',
  '00000000-0000-0000-0000-000000000000',
  '2024-02-30',
  '99:99',
  'Mars/Olympus_Mons',
];

const control = fc
  .array(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 20 })
  .map((codes) => String.fromCharCode(...codes));
const huge = fc.constantFrom('A'.repeat(10_001), 'é'.repeat(100_000), '🏥'.repeat(50_000), 'x'.repeat(1_000_000));
const hostile: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 3 },
  { arbitrary: fc.constantFrom(...PAYLOADS), weight: 5 },
  { arbitrary: fc.integer().map(String), weight: 1 },
  { arbitrary: fc.double().map(String), weight: 1 },
  { arbitrary: control, weight: 2 },
  { arbitrary: huge, weight: 1 },
);

type Encoding = 'urlencoded' | 'multipart' | 'json' | 'text' | 'none' | 'garbage-form';

function encode(
  encoding: Encoding,
  pairs: [string, string][],
  jsonValue: unknown,
): { body?: string | FormData; contentType?: string } {
  switch (encoding) {
    case 'urlencoded':
      // A lone surrogate has no UTF-8 form: it goes as U+FFFD, as a browser sends it.
      return {
        body: pairs
          .map(([k, v]) => `${encodeURIComponent(k.toWellFormed())}=${encodeURIComponent(v.toWellFormed())}`)
          .join('&'),
        contentType: FORM,
      };
    case 'multipart': {
      const data = new FormData();
      for (const [k, v] of pairs) data.append(k, v);
      return { body: data };
    }
    case 'json':
      return { body: JSON.stringify(jsonValue), contentType: 'application/json' };
    case 'text':
      return { body: pairs.map(([k, v]) => `${k}=${v}`).join('\n'), contentType: 'text/plain' };
    case 'garbage-form':
      return { body: '%E0%A4%A&&=%%%&a=%ZZ', contentType: FORM };
    default:
      return {};
  }
}

// A stack trace or a source path in a reply: the server let an exception through.
const STACK = [
  /\n\s+at [^\n]+:\d+:\d+\)?/,
  /\bnode_modules\//,
  /file:\/\//,
  /\/src\/(server|pages|actions)\//,
  /\b(TypeError|ReferenceError|SyntaxError|RangeError): /,
];
/** Words a person can read, not only a code such as UNSUPPORTED_MEDIA_TYPE. */
const readable = (text: string) => /[a-z]{3,}/.test(text);

/** The checks every reply to hostile input must pass. */
function expectCalmReply(reply: Reply, what: string, head = false): void {
  const contentType = String(reply.headers['content-type'] ?? '');
  expect(reply.status, `${what}: ${reply.status} ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  expect(reply.status, `${what}: ${reply.status}`).toBeGreaterThanOrEqual(200);
  expect(reply.ms, `${what} took ${Math.round(reply.ms)} ms`).toBeLessThan(LIMIT_MS);
  for (const pattern of STACK)
    expect(
      pattern.test(reply.text),
      `${what}: ${reply.status} shows internals (${pattern}): ${reply.text.slice(0, 300)}`,
    ).toBe(false);
  if (reply.status >= 400 && !head) {
    if (contentType.includes('json')) {
      // A message, or per-field messages (Astro's input errors), in words.
      // SCIM errors (RFC 7644) say it in `detail`.
      const json = JSON.parse(reply.text) as {
        message?: unknown;
        error?: unknown;
        detail?: unknown;
        fields?: Record<string, unknown>;
      };
      const said = [json.message, json.error, json.detail, ...Object.values(json.fields ?? {}).flat()].some(
        (m) => typeof m === 'string' && readable(m),
      );
      expect(said, `${what}: ${reply.status} without a readable message: ${reply.text.slice(0, 200)}`).toBe(true);
    } else {
      const text = reply.text
        .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
        .replace(/<[^>]*>/g, ' ')
        .trim();
      expect(text.length, `${what}: ${reply.status} with an empty body`).toBeGreaterThan(0);
      expect(readable(text), `${what}: ${reply.status} without a readable message: ${text.slice(0, 200)}`).toBe(true);
    }
  }
  if (contentType.includes('html')) {
    // Inside a double-quoted attribute value (`"` escaped), markup is inert text: a form
    // that keeps what was typed may show it there. Anywhere else it would run.
    const outsideAttributes = reply.text.replace(/="[^"]*"/g, '=""');
    for (const payload of XSS) expect(outsideAttributes.includes(payload), `${what}: reflected ${payload}`).toBe(false);
  }
  expect(reply.text.includes('root:x:0:0'), `${what}: served /etc/passwd`).toBe(false);
}

const fieldsArb = (fields: string[]) => {
  const names = [
    ...new Set([...fields, 'courseSlug', 'lessonSlug', '__proto__', 'constructor', '_action', 'x'.repeat(300)]),
  ];
  return fc.array(fc.tuple(fc.constantFrom(...names), hostile), { maxLength: 8 });
};
const jsonArb = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
);
const encodingArb = fc.constantFrom<Encoding>(
  'urlencoded',
  'urlencoded',
  'multipart',
  'multipart',
  'json',
  'text',
  'none',
  'garbage-form',
);

describe('fuzzing Actions (discovered from src/actions)', () => {
  const cookies = new Map<string, string>();
  beforeAll(async () => {
    expect(actions.length).toBeGreaterThan(10);
    // One account per Action: an Action that signs out or changes the account spoils only its own.
    for (const action of actions) cookies.set(action.name, (await signUp(origin, 'fuzz')).cookie);
  });

  it.each(actions.map((a) => [a.name, a] as const))('%s', async (name, action) => {
    const valid = plausibleValues(course.slug, lesson.slug);
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        encodingArb,
        fieldsArb(action.fields),
        jsonArb,
        fc.boolean(),
        async (signedIn, encoding, pairs, jsonValue, mixValid) => {
          // Half the time, start from valid values and spoil some, to get past the first check.
          const base: [string, string][] = mixValid ? action.fields.map((f) => [f, valid[f] ?? 'x']) : [];
          const merged = [...base.filter(([k]) => !pairs.some(([p]) => p === k)), ...pairs];
          const { body, contentType } = encode(encoding, merged, jsonValue);
          const reply = await http(origin, 'POST', `/_actions/${name}`, {
            headers: { origin, ...(contentType ? { 'content-type': contentType } : {}) },
            body,
            cookie: signedIn ? cookies.get(name) : undefined,
            ip: freshIp(),
          });
          expectCalmReply(reply, `${name} (${encoding}, ${signedIn ? 'signed in' : 'signed out'})`);
        },
      ),
      {
        numRuns: RUNS,
        // Always tried: every field with a NUL byte (PostgreSQL refuses it in text), and every field huge.
        examples: [
          [true, 'urlencoded', action.fields.map((f) => [f, 'a\u0000b'] as [string, string]), null, true],
          [true, 'multipart', action.fields.map((f) => [f, 'x'.repeat(200_000)] as [string, string]), null, true],
        ],
      },
    );
  });

  it('unknown and malformed Action names are a 4xx', async () => {
    for (const rawPath of [
      '/_actions/nope',
      '/_actions/accounts',
      '/_actions/__proto__',
      '/_actions/accounts.__proto__',
      '/_actions/accounts.signIn/..%2F..%2Fetc%2Fpasswd',
      '/_actions/%E0%A4%A',
      '/_actions/' + 'a'.repeat(5000),
      '/_actions/progress.complete.toString',
    ]) {
      const reply = await http(origin, 'POST', rawPath, {
        headers: { origin, 'content-type': FORM },
        body: 'a=1',
        ip: freshIp(),
      });
      expect(reply.status, `${rawPath}: ${reply.status}`).toBeGreaterThanOrEqual(400);
      expectCalmReply(reply, rawPath);
    }
  });
});

describe('fuzzing form posts (pages that name an Action)', () => {
  const formRoutes = routes.filter((r) => r.formActions.length > 0 && !r.prerendered);
  let cookie = '';
  beforeAll(async () => {
    expect(formRoutes.length).toBeGreaterThan(3);
    cookie = (await signUp(origin, 'formfuzz')).cookie;
  });

  it.each(formRoutes.flatMap((r) => r.formActions.map((a) => [`${r.pattern} ?_action=${a}`, r, a] as const)))(
    '%s',
    async (_label, route, actionName) => {
      const fields = actions.find((a) => a.name === actionName)?.fields ?? [];
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.constantFrom<Encoding>('urlencoded', 'multipart', 'none'),
          fieldsArb(fields),
          async (signedIn, encoding, pairs) => {
            const target =
              fillRoute(route.pattern, { course: course.slug, lesson: lesson.slug }) +
              `?_action=${encodeURIComponent(actionName)}`;
            const { body, contentType } = encode(encoding, pairs, null);
            const reply = await http(origin, 'POST', target, {
              headers: { origin, accept: 'text/html', ...(contentType ? { 'content-type': contentType } : {}) },
              body,
              cookie: signedIn ? cookie : undefined,
              ip: freshIp(),
            });
            expectCalmReply(reply, `POST ${target} (${encoding})`);
          },
        ),
        { numRuns: Math.max(5, Math.round(RUNS / 2)) },
      );
    },
  );
});

describe('fuzzing route params (path traversal, bad encodings, huge and odd segments)', () => {
  const dynamic = routes.filter((r) => r.params.length > 0);
  const RAW_SEGMENTS = [
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '..%252F..%252Fetc%252Fpasswd',
    '%2e%2e',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '..',
    '.',
    '%00',
    '%',
    '%E0%A4%A',
    '%ZZ',
    '%C0%AE%C0%AE',
    '%0d%0aSet-Cookie:%20pwned=1',
    '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    "'%20OR%201=1--",
    'a'.repeat(4000),
    '%F0%9F%8F%A5',
    'CON',
    'index.html',
    '~root',
  ];
  let cookie = '';
  beforeAll(async () => {
    expect(dynamic.length).toBeGreaterThan(2);
    cookie = (await signUp(origin, 'routefuzz')).cookie;
  });

  it.each(dynamic.map((r) => [r.pattern, r] as const))('%s', async (_pattern, route) => {
    const segment = fc.oneof(
      fc.constantFrom(...RAW_SEGMENTS),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((v) => encodeURIComponent(v.toWellFormed())),
      fc.constantFrom(course.slug, lesson.slug),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: route.params.length, maxLength: route.params.length }),
        fc.boolean(),
        fc.constantFrom('GET', 'POST', 'HEAD'),
        async (values, signedIn, method) => {
          const target = fillRoute(route.pattern, Object.fromEntries(route.params.map((p, i) => [p, values[i]!])));
          const reply = await http(origin, method, target, {
            headers:
              method === 'POST' ? { origin, 'content-type': FORM, accept: 'text/html' } : { accept: 'text/html' },
            body: method === 'POST' ? `courseSlug=${values[0]}&lessonSlug=${values[1] ?? ''}&body=x` : undefined,
            cookie: signedIn ? cookie : undefined,
            ip: freshIp(),
          });
          expectCalmReply(reply, `${method} ${target.slice(0, 200)}`, method === 'HEAD');
          expect(
            reply.setCookies.some((c) => c.startsWith('pwned')),
            `${target}: header injection`,
          ).toBe(false);
        },
      ),
      // Always tried: a NUL byte in every param (PostgreSQL refuses it in text).
      { numRuns: RUNS, examples: [[route.params.map(() => '%00'), true, 'GET']] },
    );
  });
});

// Who may run each Action that checks a role itself: fuzzed with that person's session and
// real ids, so hostile values get past the role check into the service and the database.
// Every other Action is covered above with a learner's session.
const PRIVILEGED: Record<string, 'admin' | 'leader'> = {
  'certificates.revoke': 'admin',
  'certificates.reissue': 'admin',
  'credit.saveProvider': 'admin',
  'events.create': 'admin',
  'events.regenerateCode': 'admin',
  'events.closeJoining': 'admin',
  'events.reopenJoining': 'admin',
  'events.update': 'admin',
  'events.archive': 'admin',
  'events.unarchive': 'admin',
  'events.saveCredit': 'admin',
  'people.grantAdmin': 'admin',
  'people.removeAdmin': 'admin',
  'people.deactivate': 'admin',
  'people.reactivate': 'admin',
  'organisations.create': 'admin',
  'organisations.addDomain': 'admin',
  'organisations.removeDomain': 'admin',
  'organisations.addAdmin': 'admin',
  'organisations.removeAdmin': 'admin',
  'organisations.addTeam': 'admin',
  'organisations.removeTeam': 'admin',
  'organisations.publishPath': 'admin',
  'sso.saveSettings': 'admin',
  'organisations.rotateScimToken': 'admin',
  'organisations.mapScimGroup': 'admin',
  'teams.update': 'leader',
  'teams.setRole': 'leader',
  'teams.removeMember': 'leader',
  'teams.createInvite': 'leader',
  'teams.revokeInvite': 'leader',
  'teams.assign': 'leader',
  'teams.changeDueDate': 'leader',
  'teams.setMemberDueDate': 'leader',
  'teams.removeAssignment': 'leader',
  'teams.sendReminders': 'leader',
  'teams.saveReminderSchedule': 'leader',
  'teams.createPath': 'leader',
  'teams.removePath': 'leader',
  'teams.publishPath': 'admin',
};

describe("fuzzing administrators' and leaders' Actions with their sessions and real ids", () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld(origin, inject('serverLog'), inject('admin'), catalog);
  }, 180_000);

  it('the list names Actions that exist', () => {
    expect(Object.keys(PRIVILEGED).filter((name) => !actions.some((a) => a.name === name))).toEqual([]);
  });

  it.each(Object.entries(PRIVILEGED))('%s as %s', async (name, role) => {
    const action = actions.find((a) => a.name === name)!;
    const real: Record<string, string> = {
      ...plausibleValues(world.courseSlug, catalog.course(world.courseSlug)!.lessons[0]!.slug),
      teamId: world.teamId,
      assignmentId: world.assignmentId,
      inviteId: world.inviteId,
      userId: world.member.id,
      eventId: world.eventId,
      certificateId: world.certificateId,
      courseSlug: world.courseSlug,
      organisationId: world.organisationId,
      team: world.teamId,
      eventDate: '2026-03-01',
      timeZone: 'Europe/London',
      courses: world.courseSlug,
      unlockTime: '07:00',
      firstUnlockDays: '1',
      intervalDays: '2',
      confirm: 'yes',
      dueOn: '2031-03-01',
      name: 'Onboarding',
      course1: world.courseSlug,
      days1: '7',
      repeatMonths: '12',
      pathId: world.pathId,
    };
    const cookie = role === 'admin' ? world.admin.cookie : world.leader.cookie;
    await fc.assert(
      fc.asyncProperty(
        encodingArb,
        fc.array(fc.tuple(fc.constantFrom(...action.fields), hostile), { minLength: 1, maxLength: 3 }),
        jsonArb,
        async (encoding, spoilt, jsonValue) => {
          // Real values for every field but the spoilt ones: the request reaches the service.
          const merged: [string, string][] = [
            ...action.fields
              .filter((f) => !spoilt.some(([k]) => k === f))
              .map((f): [string, string] => [f, real[f] ?? 'x']),
            ...spoilt,
          ];
          const { body, contentType } = encode(encoding, merged, jsonValue);
          const reply = await http(origin, 'POST', `/_actions/${name}`, {
            headers: { origin, ...(contentType ? { 'content-type': contentType } : {}) },
            body,
            cookie,
            ip: freshIp(),
          });
          expectCalmReply(
            reply,
            `${name} as ${role} (${encoding}; ${spoilt.map(([k, v]) => `${k}=${JSON.stringify(v.slice(0, 40))}`).join(', ')})`,
          );
          // Whatever was refused, it was not refused for being the wrong person.
          if (reply.status === 403)
            expect(reply.text, `${name} as ${role}: 403`).not.toMatch(/Only administrators|Only the team’s leaders/);
        },
      ),
      {
        numRuns: RUNS,
        endOnFailure: true,
        examples: [
          ['urlencoded', action.fields.map((f) => [f, 'a\u0000b'] as [string, string]), null],
          ['multipart', action.fields.map((f) => [f, 'x'.repeat(200_000)] as [string, string]), null],
        ],
      },
    );
  });
});

// SCIM (RFC 7644) with the organisation's bearer token: hostile filters, ids, bodies and
// PATCH operations reach the handlers and get SCIM errors in words, never a 5xx.
describe('fuzzing SCIM with an organisation’s token', () => {
  let world: World;
  beforeAll(async () => {
    world = await buildWorld(origin, inject('serverLog'), inject('admin'), catalog);
  }, 180_000);

  const scim = (method: string, path: string, body?: string) =>
    http(origin, method, `/scim/v2${path}`, {
      headers: {
        authorization: `Bearer ${world.scimToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      body,
      ip: freshIp(),
    });

  // A path with a control character never reaches a route (Astro answers its own 404 page):
  // it must be calm, but it is not SCIM's answer.
  const expectScimReply = (reply: Reply, what: string, path = '') => {
    expectCalmReply(reply, what);
    if (reply.status >= 400 && !/%(0[0-9A-F]|1[0-9A-F]|7F)/i.test(path.split('?')[0]!))
      expect(String(reply.headers['content-type']), what).toContain('application/scim+json');
  };

  it('hostile filters, ids and bodies get RFC 7644 errors', async () => {
    const created = await scim(
      'POST',
      '/Users',
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `fuzz@${world.organisationDomain}`,
      }),
    );
    expect(created.status, created.text).toBe(201);
    const userId = (JSON.parse(created.text) as { id: string }).id;
    const operation = fc.record(
      {
        op: fc.oneof(fc.constantFrom('add', 'Replace', 'remove', 'REMOVE'), hostile),
        path: fc.oneof(
          fc.constantFrom(
            'active',
            'members',
            'name.givenName',
            'emails[type eq "work"].value',
            'members[value eq "x"]',
          ),
          hostile,
        ),
        value: fc.oneof(jsonArb, hostile, fc.constantFrom('True', 'False')),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        fc.constantFrom('Users', 'Groups', 'Schemas', 'ResourceTypes', 'ServiceProviderConfig'),
        fc.oneof(
          fc.constant(''),
          fc.constant(userId),
          // Bounded: a request line over Node's header limit gets Node's own 431, not ours.
          hostile.map((v) => encodeURIComponent(v.toWellFormed().slice(0, 200))),
        ),
        fc.oneof(
          fc.constant(''),
          hostile.map((v) => `?filter=${encodeURIComponent(v.toWellFormed().slice(0, 1000))}`),
        ),
        fc.oneof(
          jsonArb.map((v) => JSON.stringify(v)),
          hostile,
          fc
            .array(operation, { maxLength: 3 })
            .map((Operations) =>
              JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations }),
            ),
        ),
        async (method, resource, id, query, body) => {
          // The account stays: deleting it would leave nothing for the PATCHes to reach.
          if (method === 'DELETE' && id === userId) return;
          const path = `/${resource}${id ? `/${id}` : ''}${query}`;
          const reply = await scim(method, path, method === 'GET' || method === 'DELETE' ? undefined : body);
          expectScimReply(reply, `${method} ${path.slice(0, 120)} ${body.slice(0, 80)}`, path);
        },
      ),
      { numRuns: RUNS * 5 },
    );
  });

  it('a body over the limit gets a SCIM 413 before it is read', async () => {
    const reply = await scim('POST', '/Users', JSON.stringify({ userName: 'x'.repeat(300 * 1024) }));
    expect(reply.status).toBe(413);
    expect(String(reply.headers['content-type'])).toContain('application/scim+json');
    expect(reply.text).toMatch(/limit/);
  });

  it('no token, or another’s, gets a 401 that says so', async () => {
    const reply = await http(origin, 'GET', '/scim/v2/Users', { ip: freshIp() });
    expectScimReply(reply, 'GET /scim/v2/Users without a token');
    expect(reply.status).toBe(401);
  });
});

describe('fuzzing the one-click unsubscribe POST (RFC 8058: no Origin, no session)', () => {
  let slug = '';
  beforeAll(async () => {
    slug = (await buildWorld(origin, inject('serverLog'), inject('admin'), catalog)).eventSlug;
  }, 180_000);

  const targets: [string, () => string][] = [
    ['team reminders', () => '/teams/reminders/unsubscribe'],
    ['event emails', () => `/events/${slug}/unsubscribe`],
  ];
  it.each(targets)('%s', async (_label, target) => {
    // In the address, hostile but short enough for a request line (Node answers a bare 431
    // past 16 KB of headers, before the app sees anything); the huge values go in the body.
    const tokenArb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 2000 }),
      fc.constantFrom(...PAYLOADS),
      control,
      fc.stringMatching(/^[A-Za-z0-9_-]{10,120}$/),
      fc.constant(''),
    );
    await fc.assert(
      fc.asyncProperty(
        tokenArb,
        fc.constantFrom<Encoding>('urlencoded', 'multipart', 'text', 'garbage-form'),
        fc.array(fc.tuple(fc.constantFrom('List-Unsubscribe', 'token', '_action', 'x'), hostile), { maxLength: 3 }),
        async (token, encoding, extra) => {
          const { body, contentType } = encode(encoding, [['List-Unsubscribe', 'One-Click'], ...extra], null);
          const reply = await http(origin, 'POST', `${target()}?token=${encodeURIComponent(token.toWellFormed())}`, {
            headers: contentType ? { 'content-type': contentType } : {},
            body,
            ip: freshIp(),
          });
          expectCalmReply(reply, `one-click ${target()} (${encoding}, token ${JSON.stringify(token.slice(0, 40))})`);
          // No token we made up unsubscribes anyone.
          expect(reply.text, `one-click ${target()}`).not.toMatch(/^Unsubscribed from/);
        },
      ),
      // No shrinking: each step is a request, and a long counterexample would take thousands.
      {
        numRuns: RUNS,
        endOnFailure: true,
        examples: [
          ['a\u0000b', 'urlencoded', []],
          ['%00', 'multipart', [['x', 'x'.repeat(200_000)]]],
        ],
      },
    );
  });
});
