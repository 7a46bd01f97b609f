// A reflection is its author's alone, over HTTP: with another learner's session (here
// also the leader of the author's team) and with an administrator's (who runs the
// author's event), no Action and no route reads or changes the author's text.
//
// The Actions under test are found in src/actions/*.ts: every reflections Action and
// every Action that takes a lesson or an id. One without a case below fails the suite,
// so a new one cannot go untested. The routes are every page and endpoint under
// src/pages (GET, and the form posts pages make to those Actions).
//
// Runs its own built server on a fresh database, so that its first account is the
// administrator. Without SMTP_URL the server prints mail, so the confirmation link is
// read from its log.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  root,
  sleep,
  startServer,
  type ServerProcess,
  type TestDatabase,
} from '../load/harness.ts';
import { testCatalog } from '../support/catalog.ts';
import {
  discoverActions,
  discoverRoutes,
  fillRoute,
  FORM,
  http,
  signUp,
  type Reply,
  type TestUser,
} from './support.ts';

const catalog = testCatalog();
const course = catalog.course('patient-connection')!;
const lesson = course.lessons[0]!;
const lessonPath = `/courses/${course.slug}/${lesson.slug}`;
// A word found nowhere else, inside the author's text.
const marker = `kestrel${crypto.randomUUID().replace(/-/g, '')}`;
const secret = `After the code I sat in the stairwell for a minute. ${marker} Nobody else reads this.`;
const SECRET_REVISION = 1_000;

let database: TestDatabase;
let server: ServerProcess;
let origin: string;
let admin: TestUser;
let author: TestUser;
let other: TestUser;
let reflectionId: string;
let teamId: string;
let assignmentId: string;
let inviteCode: string;
let eventSlug: string;

function post(
  user: TestUser,
  actionPath: string,
  values: Record<string, string | string[]>,
  accept = 'application/json',
): Promise<Reply> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    for (const v of ([] as string[]).concat(value)) body.append(key, v);
  return http(origin, 'POST', actionPath, {
    headers: { origin, 'content-type': FORM, accept },
    cookie: user.cookie,
    body: body.toString(),
  });
}

async function confirmEmail(user: TestUser): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    const log = readFileSync(server.logFile, 'utf8');
    const block = log.slice(log.lastIndexOf(`[mail] To: ${user.email}`));
    const token = /\/verify-email\?token=([a-z0-9]+)/.exec(block)?.[1];
    if (token) {
      expect((await post(user, '/_actions/accounts.verifyEmail', { token })).status).toBe(200);
      return;
    }
    await sleep(100);
  }
  throw new Error(`no confirmation link for ${user.email} in ${server.logFile}`);
}

/** What the author's own lesson state says about their reflection. */
async function authorsReflection(): Promise<{ body: string; revision: number } | null> {
  const reply = await http(origin, 'GET', `${lessonPath}/state.json`, { cookie: author.cookie });
  expect(reply.status).toBe(200);
  const reflection = (JSON.parse(reply.text) as { reflection: { body: string; revision: number } | null }).reflection;
  return reflection && { body: reflection.body, revision: reflection.revision };
}

beforeAll(async () => {
  database = await createTestDatabase(process.env.DATABASE_URL, 'privacy');
  server = await startServer({
    env: { ...database.env, TRUST_PROXY: 'true' },
    logFile: path.join(root, 'tests/.output/security/reflection-privacy.log'),
  });
  origin = server.origin;

  admin = await signUp(origin, 'admin'); // the first account of the install
  author = await signUp(origin, 'author');
  other = await signUp(origin, 'leader');
  expect((await http(origin, 'GET', '/admin', { cookie: admin.cookie })).status).toBe(200);
  expect((await http(origin, 'GET', '/admin', { cookie: other.cookie })).status).toBe(403);
  for (const user of [admin, author, other]) await confirmEmail(user);

  // The other learner leads a team the author is in, with the lesson's course assigned.
  const team = await post(other, '/_actions/teams.create', { name: 'Night shift', description: '' });
  teamId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(team.text)![0];
  const invite = await post(other, '/_actions/teams.createInvite', { teamId, days: '7', maxUses: '' });
  inviteCode = /"([A-Z0-9]{12})"/.exec(invite.text)![1]!;
  expect((await post(author, '/_actions/teams.join', { code: inviteCode })).status).toBe(200);
  const assigned = await post(other, '/_actions/teams.assign', {
    teamId,
    courseSlug: course.slug,
    dueOn: '2031-01-15',
    note: '',
  });
  expect(assigned.status).toBe(200);
  assignmentId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(assigned.text)?.[0] ?? 'x';

  // The administrator runs an event the author joined.
  const event = await post(admin, '/_actions/events.create', {
    name: 'Privacy Symposium',
    slug: 'privacy-symposium',
    eventDate: '2030-01-01',
    timeZone: 'UTC',
    location: '',
    welcomeMessage: '',
    courses: [course.slug],
    unlockTime: '07:00',
    firstUnlockDays: '0',
    intervalDays: '1',
    dayOffsets: '',
  });
  expect(event.status, event.text).toBe(200);
  eventSlug = 'privacy-symposium';
  const eventCode = /"([A-Z0-9]{5}-?[A-Z0-9]{5})"/.exec(event.text)![1]!;
  expect((await post(author, '/_actions/events.join', { code: eventCode })).status).toBe(200);

  // The author opens the lesson, answers, and writes.
  expect(
    (await post(author, '/_actions/progress.open', { courseSlug: course.slug, lessonSlug: lesson.slug })).status,
  ).toBe(200);
  expect(
    (
      await post(author, '/_actions/reflections.save', {
        courseSlug: course.slug,
        lessonSlug: lesson.slug,
        body: secret,
        revision: String(SECRET_REVISION),
      })
    ).status,
  ).toBe(200);
  const journal = await http(origin, 'GET', '/journal', { cookie: author.cookie });
  reflectionId = /name="id" value="([0-9a-f-]{36})"/.exec(journal.text)![1]!;
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

const viewers = () =>
  [
    ['another learner (the leader of the author’s team)', other],
    ['an administrator', admin],
  ] as const;

// ── Actions ─────────────────────────────────────────────────────────────────

/** Each Action that takes a reflection or a lesson, called with the author's reflection id and lesson. */
const actionCases: Record<string, (as: TestUser) => Promise<Reply>> = {
  'progress.open': (as) => post(as, '/_actions/progress.open', { courseSlug: course.slug, lessonSlug: lesson.slug }),
  'progress.answer': (as) =>
    post(as, '/_actions/progress.answer', {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      question: '0',
      option: '0',
    }),
  'progress.complete': (as) =>
    post(as, '/_actions/progress.complete', {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      q0: '0',
      q1: '0',
      q2: '0',
    }),
  'reflections.save': (as) =>
    post(as, '/_actions/reflections.save', {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      body: 'Overwritten by someone else',
      revision: String(Date.now() * 10),
    }),
  'reflections.delete': (as) => post(as, '/_actions/reflections.delete', { id: reflectionId }),
  'review.answer': (as) =>
    post(as, '/_actions/review.answer', {
      reviewId: crypto.randomUUID(),
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      card: lesson.check[0]!.id,
      option: '0',
      confidence: 'sure',
    }),
  'reflections.restore': (as) =>
    post(as, '/_actions/reflections.restore', {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      body: 'Restored by someone else',
      revision: String(Date.now() * 10),
    }),
};

const touchesReflections = discoverActions().filter(
  (a) => a.name.startsWith('reflections.') || a.fields.some((f) => ['id', 'lessonSlug', 'reflectionId'].includes(f)),
);

describe('every Action that takes a reflection or a lesson', () => {
  it('is found in src/actions and has a case here', () => {
    expect(touchesReflections.map((a) => a.name).sort()).toEqual(Object.keys(actionCases).sort());
  });

  it('the author sees their own text (the checks below can see it too)', async () => {
    expect(await authorsReflection()).toEqual({ body: secret, revision: SECRET_REVISION });
  });

  for (const action of Object.keys(actionCases)) {
    it(`${action}, with another learner's and an administrator's session, neither reveals nor changes the author's text`, async () => {
      for (const [who, viewer] of viewers()) {
        const reply = await actionCases[action]!(viewer);
        expect(reply.status, `${action} as ${who}: ${reply.text.slice(0, 200)}`).toBeLessThan(500);
        expect(reply.text, `${action} as ${who}`).not.toContain(marker);
        if (action === 'reflections.delete') expect(reply.status, `${action} as ${who}`).toBe(404);
        expect(await authorsReflection(), `after ${action} as ${who}`).toEqual({
          body: secret,
          revision: SECRET_REVISION,
        });
      }
    });
  }
});

// ── Routes ──────────────────────────────────────────────────────────────────

/** Params for a route: the author's lesson, the shared team, the event, the invite, the reflection id elsewhere. */
function routeValues(pattern: string): Record<string, string> {
  return {
    course: course.slug,
    lesson: lesson.slug,
    id: pattern.startsWith('/teams/') ? teamId : reflectionId,
    assignment: assignmentId,
    slug: eventSlug,
    code: inviteCode,
  };
}

const routes = discoverRoutes();
const SHOWS_REFLECTIONS = [
  '/journal',
  '/journal/export.md',
  '/journal/export.json',
  '/account/export.json',
  '/courses/[course]/[lesson]/state.json',
];

describe('every route', () => {
  it('includes the ones that show or export reflections', () => {
    expect(routes.map((r) => r.pattern)).toEqual(expect.arrayContaining(SHOWS_REFLECTIONS));
  });

  it('shows the author their own text where it belongs', async () => {
    for (const pattern of SHOWS_REFLECTIONS) {
      const reply = await http(origin, 'GET', fillRoute(pattern, routeValues(pattern)), {
        cookie: author.cookie,
        headers: { accept: 'text/html' },
      });
      expect(reply.status, pattern).toBe(200);
      expect(reply.text, pattern).toContain(marker);
    }
    const found = await http(origin, 'GET', `/journal?q=${marker.slice(0, 16)}`, { cookie: author.cookie });
    expect(found.text).toContain(marker);
  });

  it('never shows the author’s text to another learner or an administrator (GET, also with a search for it)', async () => {
    for (const route of routes) {
      const url = fillRoute(route.pattern, routeValues(route.pattern));
      // A search for the start of the marker: a page may echo the query, but only the author's text holds all of it.
      for (const query of ['', `?q=${marker.slice(0, 16)}`]) {
        for (const [who, viewer] of viewers()) {
          const reply = await http(origin, 'GET', url + query, {
            cookie: viewer.cookie,
            headers: { accept: 'text/html' },
          });
          // (/500 is the error page itself.)
          if (route.pattern !== '/500') expect(reply.status, `GET ${url}${query} as ${who}`).toBeLessThan(500);
          expect(reply.text, `GET ${url}${query} as ${who}`).not.toContain(marker);
        }
      }
    }
  }, 240_000);

  it('form posts to those Actions from every page that makes them change nothing of the author’s', async () => {
    const bodies: Record<string, Record<string, string>> = {
      'progress.open': { courseSlug: course.slug, lessonSlug: lesson.slug },
      'progress.answer': { courseSlug: course.slug, lessonSlug: lesson.slug, question: '0', option: '0' },
      'progress.complete': { courseSlug: course.slug, lessonSlug: lesson.slug },
      'reflections.save': {
        courseSlug: course.slug,
        lessonSlug: lesson.slug,
        body: 'Overwritten from a page',
        revision: String(Date.now() * 10),
      },
      'reflections.delete': { id: reflectionId },
      'review.answer': {
        reviewId: '00000000-0000-4000-8000-000000000000',
        courseSlug: course.slug,
        lessonSlug: lesson.slug,
        card: lesson.check[0]!.id,
        option: '0',
      },
      'reflections.restore': {
        courseSlug: course.slug,
        lessonSlug: lesson.slug,
        body: 'Restored from a page',
        revision: String(Date.now() * 10),
      },
    };
    let posted = 0;
    for (const route of routes.filter((r) => !r.prerendered)) {
      for (const action of route.formActions.filter((name) => name in actionCases)) {
        const url = `${fillRoute(route.pattern, routeValues(route.pattern))}?_action=${action}`;
        for (const [who, viewer] of viewers()) {
          const reply = await post(viewer, url, bodies[action]!, 'text/html');
          posted += 1;
          expect(reply.status, `POST ${url} as ${who}`).toBeLessThan(500);
          expect(reply.text, `POST ${url} as ${who}`).not.toContain(marker);
          expect(await authorsReflection(), `after POST ${url} as ${who}`).toEqual({
            body: secret,
            revision: SECRET_REVISION,
          });
        }
      }
    }
    // The journal (save, delete, restore) and the lesson's no-JavaScript page at least.
    expect(posted).toBeGreaterThanOrEqual(8);
  }, 240_000);

  it('the author’s journal and exports still hold exactly their text, once', async () => {
    const exported = JSON.parse(
      (await http(origin, 'GET', '/account/export.json', { cookie: author.cookie })).text,
    ) as { reflections: { text: string }[] };
    expect(exported.reflections.map((r) => r.text)).toEqual([secret]);
    const others = JSON.parse(
      (await http(origin, 'GET', '/journal/export.json', { cookie: other.cookie })).text,
    ) as unknown;
    expect(JSON.stringify(others)).not.toContain(marker);
  });
});
