// Property-based fuzzing of every Action, every form post and every dynamic route with
// random and hostile values: never a 5xx, never slower than 5 s, a 4xx always says
// what is wrong, and nothing sent comes back as live HTML.
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import { discoverActions, discoverRoutes, fillRoute, FORM, freshIp, http, plausibleValues, signUp, type Reply } from './support.ts';

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

const control = fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 20 }).map((codes) => String.fromCharCode(...codes));
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

function encode(encoding: Encoding, pairs: [string, string][], jsonValue: unknown): { body?: string | FormData; contentType?: string } {
  switch (encoding) {
    case 'urlencoded':
      // A lone surrogate has no UTF-8 form: it goes as U+FFFD, as a browser sends it.
      return { body: pairs.map(([k, v]) => `${encodeURIComponent(k.toWellFormed())}=${encodeURIComponent(v.toWellFormed())}`).join('&'), contentType: FORM };
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

/** The checks every reply to hostile input must pass. */
function expectCalmReply(reply: Reply, what: string, head = false): void {
  const contentType = String(reply.headers['content-type'] ?? '');
  expect(reply.status, `${what}: ${reply.status} ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  expect(reply.ms, `${what} took ${Math.round(reply.ms)} ms`).toBeLessThan(LIMIT_MS);
  if (reply.status >= 400 && !head) {
    if (contentType.includes('json')) {
      // A message, or per-field messages (Astro's input errors), or at least a code
      // (Astro's own 415 for a content type no browser form sends).
      const json = JSON.parse(reply.text) as { message?: unknown; error?: unknown; code?: unknown; fields?: Record<string, unknown> };
      const said = [json.message, json.error, ...Object.values(json.fields ?? {}).flat(), json.code].some((m) => typeof m === 'string' && m.trim().length > 0);
      expect(said, `${what}: ${reply.status} without a message: ${reply.text.slice(0, 200)}`).toBe(true);
    } else {
      expect(reply.text.replace(/<[^>]*>/g, '').trim().length, `${what}: ${reply.status} with an empty body`).toBeGreaterThan(0);
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
  const names = [...new Set([...fields, 'courseSlug', 'lessonSlug', '__proto__', 'constructor', '_action', 'x'.repeat(300)])];
  return fc.array(fc.tuple(fc.constantFrom(...names), hostile), { maxLength: 8 });
};
const jsonArb = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })));
const encodingArb = fc.constantFrom<Encoding>('urlencoded', 'urlencoded', 'multipart', 'multipart', 'json', 'text', 'none', 'garbage-form');

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
      fc.asyncProperty(fc.boolean(), encodingArb, fieldsArb(action.fields), jsonArb, fc.boolean(), async (signedIn, encoding, pairs, jsonValue, mixValid) => {
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
      }),
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
    for (const rawPath of ['/_actions/nope', '/_actions/accounts', '/_actions/__proto__', '/_actions/accounts.__proto__', '/_actions/accounts.signIn/..%2F..%2Fetc%2Fpasswd', '/_actions/%E0%A4%A', '/_actions/' + 'a'.repeat(5000), '/_actions/progress.complete.toString']) {
      const reply = await http(origin, 'POST', rawPath, { headers: { origin, 'content-type': FORM }, body: 'a=1', ip: freshIp() });
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

  it.each(formRoutes.flatMap((r) => r.formActions.map((a) => [`${r.pattern} ?_action=${a}`, r, a] as const)))('%s', async (_label, route, actionName) => {
    const fields = actions.find((a) => a.name === actionName)?.fields ?? [];
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.constantFrom<Encoding>('urlencoded', 'multipart', 'none'), fieldsArb(fields), async (signedIn, encoding, pairs) => {
        const target = fillRoute(route.pattern, { course: course.slug, lesson: lesson.slug }) + `?_action=${encodeURIComponent(actionName)}`;
        const { body, contentType } = encode(encoding, pairs, null);
        const reply = await http(origin, 'POST', target, {
          headers: { origin, accept: 'text/html', ...(contentType ? { 'content-type': contentType } : {}) },
          body,
          cookie: signedIn ? cookie : undefined,
          ip: freshIp(),
        });
        expectCalmReply(reply, `POST ${target} (${encoding})`);
      }),
      { numRuns: Math.max(5, Math.round(RUNS / 2)) },
    );
  });
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
    const segment = fc.oneof(fc.constantFrom(...RAW_SEGMENTS), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((v) => encodeURIComponent(v.toWellFormed())), fc.constantFrom(course.slug, lesson.slug));
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: route.params.length, maxLength: route.params.length }), fc.boolean(), fc.constantFrom('GET', 'POST', 'HEAD'), async (values, signedIn, method) => {
        const target = fillRoute(route.pattern, Object.fromEntries(route.params.map((p, i) => [p, values[i]!])));
        const reply = await http(origin, method, target, {
          headers: method === 'POST' ? { origin, 'content-type': FORM, accept: 'text/html' } : { accept: 'text/html' },
          body: method === 'POST' ? `courseSlug=${values[0]}&lessonSlug=${values[1] ?? ''}&body=x` : undefined,
          cookie: signedIn ? cookie : undefined,
          ip: freshIp(),
        });
        expectCalmReply(reply, `${method} ${target.slice(0, 200)}`, method === 'HEAD');
        expect(reply.setCookies.some((c) => c.startsWith('pwned')), `${target}: header injection`).toBe(false);
      }),
      // Always tried: a NUL byte in every param (PostgreSQL refuses it in text).
      { numRuns: RUNS, examples: [[route.params.map(() => '%00'), true, 'GET']] },
    );
  });
});
