// The Content Security Policy holds in a real browser on every page: Chromium visits each
// page route in src/pages — signed out, and signed in as the person the page is for (the
// administrator, a team leader and member, a certificate's holder and a stranger), with
// real ids made through the Actions — and sees no CSP violation (console or
// `securitypolicyviolation` event) and no page error, while the lesson islands hydrate.
// A page in src/pages with no visit below fails the test; so does an endpoint (.ts) not
// listed as a file.
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../faults/browser-outage.ts';
import { buildWorld, discoverRoutes, PASSWORD, signUp, type TestUser, type World } from './support.ts';

const origin = inject('origin');
const catalog = testCatalog();
const course = catalog.courses[0]!;
const lesson = course.lessons[0]!;
const creditCourse = catalog.courses.find((c) => c.credit)!;
const huddle = catalog.courses.flatMap((c) => c.lessons).find((l) => /huddle/.test(l.slug)) ?? lesson;
const BOGUS_TOKEN = 'abcdefghijklmnopqrstuvwxyz234567';

type Who = 'signed out' | 'learner' | 'admin' | 'leader' | 'member' | 'holder' | 'stranger';
interface Visit {
  path: string;
  as: Who;
  /** The status the page answers with (200 unless given): a 403 or 404 here is a page too. */
  status?: number;
}

/** Endpoints that answer files or data, not pages (checked elsewhere: http.test.ts, fuzz.test.ts). */
const NOT_PAGES = new Set([
  '/.well-known/jwks.json',
  '/account/export.json',
  '/account/transcript.csv',
  '/account/transcript.pdf',
  '/admin/events/[slug]/export.csv',
  '/organisations/[id]/report.csv',
  '/scim/v2/[...path]',
  '/certificates/[id].jwt',
  '/certificates/[id].pdf',
  '/certificates/status/[list]',
  '/courses/[course]/[lesson]/state.json',
  '/events/[slug]/qr.png',
  '/events/[slug]/qr.svg',
  '/healthz',
  '/issuer',
  '/journal/export.json',
  '/journal/export.md',
  '/admin/credit/[course].csv',
  '/admin/scorm/[course].zip',
  '/teams/[id]/record.csv',
  '/teams/[id]/qr/[invite].svg',
]);

/** Every page route, and who visits it where (real ids from the world). */
function visitsOf(w: World): Record<string, Visit[]> {
  const both = (path: string): Visit[] => [
    { path, as: 'signed out' },
    { path, as: 'learner' },
  ];
  return {
    '/': both('/'),
    '/404': [
      { path: '/no-such-page', as: 'signed out', status: 404 },
      { path: '/no-such-page', as: 'learner', status: 404 },
    ],
    '/500': [{ path: '/500', as: 'signed out', status: 500 }],
    '/account': [{ path: '/account', as: 'learner' }],
    '/account/transcript': [
      { path: '/account/transcript', as: 'holder' },
      { path: '/account/transcript', as: 'learner' },
    ],
    '/admin': [
      { path: '/admin', as: 'admin' },
      { path: '/admin?q=Sam', as: 'admin' },
      { path: '/admin', as: 'learner', status: 403 },
    ],
    '/admin/audit': [
      { path: '/admin/audit', as: 'admin' },
      { path: '/admin/audit?action=team.', as: 'admin' },
    ],
    '/admin/credit': [
      { path: '/admin/credit', as: 'admin' },
      { path: '/admin/credit', as: 'learner', status: 403 },
    ],
    '/admin/scorm': [
      { path: '/admin/scorm', as: 'admin' },
      { path: '/admin/scorm', as: 'learner', status: 403 },
    ],
    '/admin/certificates/[id]': [{ path: `/admin/certificates/${w.certificateId}`, as: 'admin' }],
    '/admin/events': [{ path: '/admin/events', as: 'admin' }],
    '/admin/events/new': [{ path: '/admin/events/new', as: 'admin' }],
    '/admin/events/[slug]': [{ path: `/admin/events/${w.eventSlug}`, as: 'admin' }],
    '/admin/events/[slug]/edit': [
      { path: `/admin/events/${w.eventSlug}/edit`, as: 'admin' },
      { path: `/admin/events/${w.eventSlug}/edit`, as: 'learner', status: 403 },
    ],
    '/admin/paths': [
      { path: '/admin/paths', as: 'admin' },
      { path: '/admin/paths', as: 'learner', status: 403 },
    ],
    '/admin/people': [
      { path: '/admin/people', as: 'admin' },
      { path: '/admin/people?q=member', as: 'admin' },
      { path: '/admin/people', as: 'learner', status: 403 },
    ],
    '/organisations': [
      { path: '/organisations', as: 'admin' },
      { path: '/organisations', as: 'leader' },
      { path: '/organisations', as: 'learner' },
    ],
    '/organisations/[id]': [
      { path: `/organisations/${w.organisationId}`, as: 'admin' },
      { path: `/organisations/${w.organisationId}`, as: 'leader' },
      { path: `/organisations/${w.organisationId}`, as: 'stranger', status: 404 },
    ],
    '/organisations/[id]/single-sign-on': [
      { path: `/organisations/${w.organisationId}/single-sign-on`, as: 'admin' },
      { path: `/organisations/${w.organisationId}/single-sign-on`, as: 'leader' },
      { path: `/organisations/${w.organisationId}/single-sign-on`, as: 'member', status: 404 },
    ],
    // A refusal page: no sign-in was started in this browser.
    '/sso/callback': [{ path: '/sso/callback?code=x&state=y', as: 'signed out', status: 400 }],
    '/organisations/[id]/report': [
      { path: `/organisations/${w.organisationId}/report`, as: 'admin' },
      { path: `/organisations/${w.organisationId}/report`, as: 'leader' },
      { path: `/organisations/${w.organisationId}/report`, as: 'member', status: 404 },
    ],
    '/organisations/[id]/paths': [
      { path: `/organisations/${w.organisationId}/paths`, as: 'admin' },
      { path: `/organisations/${w.organisationId}/paths`, as: 'leader' },
      { path: `/organisations/${w.organisationId}/paths`, as: 'member', status: 404 },
    ],
    '/admin/people/[id]': [
      { path: `/admin/people/${w.member.id}`, as: 'admin' },
      { path: `/admin/people/${w.member.id}`, as: 'learner', status: 403 },
    ],
    '/certificates': [
      { path: '/certificates', as: 'holder' },
      { path: '/certificates', as: 'learner' },
    ],
    '/certificates/[id]': [
      { path: `/certificates/${w.certificateId}`, as: 'holder' },
      { path: `/certificates/${w.certificateId}`, as: 'stranger' },
      { path: `/certificates/${w.certificateId}`, as: 'signed out' },
    ],
    '/courses': both('/courses'),
    '/courses/[course]': both(`/courses/${course.slug}`),
    '/courses/[course]/credit': [{ path: `/courses/${creditCourse.slug}/credit`, as: 'learner' }],
    '/courses/[course]/[lesson]': [
      ...both(`/courses/${course.slug}/${lesson.slug}`),
      { path: `/courses/${huddle.courseSlug}/${huddle.slug}`, as: 'learner' },
    ],
    // The no-JavaScript forms' target: a GET goes back to the lesson.
    '/courses/[course]/[lesson]/complete': [{ path: `/courses/${course.slug}/${lesson.slug}/complete`, as: 'learner' }],
    '/courses/[course]/[lesson]/reflection': [
      { path: `/courses/${course.slug}/${lesson.slug}/reflection`, as: 'learner' },
    ],
    '/events/[slug]': [
      { path: `/events/${w.eventSlug}`, as: 'signed out' },
      { path: `/events/${w.eventSlug}`, as: 'member' },
    ],
    // The test world's event offers no credit of its own: its credit page is the not-found page
    // (the page with credit is visited, axe included, in tests/e2e/credit.spec.ts).
    '/events/[slug]/credit': [{ path: `/events/${w.eventSlug}/credit`, as: 'member', status: 404 }],
    '/events/[slug]/unsubscribe': [
      { path: `/events/${w.eventSlug}/unsubscribe?token=${BOGUS_TOKEN}`, as: 'signed out' },
    ],
    '/forgot-password': [{ path: '/forgot-password', as: 'signed out' }],
    '/join': [{ path: '/join', as: 'learner' }],
    '/join/[code]': [
      { path: `/join/${w.inviteCode}`, as: 'signed out' },
      { path: `/join/${w.inviteCode}`, as: 'learner' },
      { path: `/join/${w.eventCode}`, as: 'learner' },
    ],
    '/journal': [{ path: '/journal', as: 'learner' }],
    '/login': [{ path: '/login', as: 'signed out' }],
    '/offline': [
      { path: '/offline', as: 'signed out' },
      { path: '/offline', as: 'learner' },
    ],
    '/logout': [{ path: '/logout', as: 'learner' }],
    '/review': [
      { path: '/review', as: 'holder' },
      { path: '/review', as: 'learner' },
    ],
    // The page a review question's email links to: a refused link is a kind page too.
    '/review/from-email': [{ path: `/review/from-email?token=${BOGUS_TOKEN}`, as: 'signed out', status: 400 }],
    '/paths/[id]': [{ path: `/paths/${w.pathId}`, as: 'member' }],
    '/reset-password': [{ path: `/reset-password?token=${BOGUS_TOKEN}`, as: 'signed out' }],
    '/signup': [{ path: '/signup', as: 'signed out' }],
    '/teams': [
      { path: '/teams', as: 'leader' },
      { path: '/teams', as: 'learner' },
    ],
    '/teams/[id]': [
      { path: `/teams/${w.teamId}`, as: 'leader' },
      { path: `/teams/${w.teamId}`, as: 'member' },
      { path: `/teams/${w.teamId}`, as: 'admin' },
    ],
    '/teams/[id]/huddle': [{ path: `/teams/${w.teamId}/huddle`, as: 'leader' }],
    '/teams/[id]/record': [
      { path: `/teams/${w.teamId}/record`, as: 'leader' },
      { path: `/teams/${w.teamId}/record`, as: 'admin' },
      { path: `/teams/${w.teamId}/record`, as: 'member', status: 403 },
    ],
    '/teams/[id]/manage': [{ path: `/teams/${w.teamId}/manage`, as: 'leader' }],
    '/teams/[id]/remind/[assignment]': [{ path: `/teams/${w.teamId}/remind/${w.assignmentId}`, as: 'leader' }],
    '/teams/reminders/unsubscribe': [{ path: `/teams/reminders/unsubscribe?token=${BOGUS_TOKEN}`, as: 'signed out' }],
    '/verify-email': [{ path: `/verify-email?token=${BOGUS_TOKEN}`, as: 'signed out' }],
    '/undo-email-change': [{ path: `/undo-email-change?token=${BOGUS_TOKEN}`, as: 'signed out' }],
  };
}

let browser: Browser;
let world: World;
let learner: TestUser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  world = await buildWorld(origin, inject('serverLog'), inject('admin'), catalog);
  learner = await signUp(origin, 'csp');
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

interface Seen {
  status: number | undefined;
  finalPath: string;
  problems: string[];
}

async function visit(page: Page, path: string): Promise<Seen> {
  const problems: string[] = [];
  const onConsole = (message: { type(): string; text(): string }) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(message.text()))
      problems.push(`console ${message.type()}: ${message.text()}`);
  };
  const onError = (error: Error) => problems.push(`page error: ${error.message}`);
  page.on('console', onConsole);
  page.on('pageerror', onError);
  const response = await page.goto(path, { waitUntil: 'load' });
  // Islands hydrate and fetch their state right after load (some pages keep polling, so not networkidle).
  await page.waitForTimeout(700);
  const events = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  page.off('console', onConsole);
  page.off('pageerror', onError);
  return { status: response?.status(), finalPath: new URL(page.url()).pathname, problems: [...problems, ...events] };
}

async function newPage(cookie?: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: origin });
  if (cookie) {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: origin, httpOnly: true, sameSite: 'Lax' }]);
  }
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(
        `violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} in ${event.sourceFile || document.location.pathname}`,
      ),
    );
  });
  return context.newPage();
}

describe('no CSP violation and no page error in Chromium, on every page', () => {
  it('every page route in src/pages has a visit (or is listed as a file endpoint)', () => {
    const visits = visitsOf(world);
    const routes = discoverRoutes();
    const pages = routes
      .filter((r) => r.file.endsWith('.astro') || r.file.endsWith('.md') || r.file.endsWith('.mdx'))
      .map((r) => r.pattern);
    const endpoints = routes.filter((r) => r.file.endsWith('.ts')).map((r) => r.pattern);
    expect(
      pages.filter((p) => !visits[p]?.length),
      'pages without a visit: add one to visitsOf()',
    ).toEqual([]);
    expect(
      endpoints.filter((p) => !NOT_PAGES.has(p)),
      'endpoints not listed in NOT_PAGES (or a page that should get a visit)',
    ).toEqual([]);
    expect(
      Object.keys(visits).filter((p) => !pages.includes(p)),
      'visits for routes that no longer exist',
    ).toEqual([]);
    expect(
      [...NOT_PAGES].filter((p) => !endpoints.includes(p)),
      'NOT_PAGES entries that no longer exist',
    ).toEqual([]);
  });

  it.each(['signed out', 'learner', 'admin', 'leader', 'member', 'holder', 'stranger'] as const)(
    'as %s',
    async (who) => {
      const cookie = {
        'signed out': undefined,
        learner: learner.cookie,
        admin: world.admin.cookie,
        leader: world.leader.cookie,
        member: world.member.cookie,
        holder: world.holder.cookie,
        stranger: world.stranger.cookie,
      }[who];
      const mine = Object.values(visitsOf(world))
        .flat()
        .filter((v) => v.as === who);
      expect(mine.length).toBeGreaterThan(0);
      const page = await newPage(cookie);
      for (const { path, status } of mine) {
        const seen = await visit(page, path);
        expect(seen.problems, path).toEqual([]);
        expect(seen.status, `${path} as ${who}: status`).toBe(status ?? 200);
        // Signed in, the page itself was shown, not the sign-in form.
        if (who !== 'signed out') expect(seen.finalPath, `${path} as ${who}`).not.toBe('/login');
      }
      await page.context().close();
    },
  );

  it('the lesson islands hydrate under the policy', async () => {
    const page = await newPage(learner.cookie);
    await page.goto(`/courses/${course.slug}/${lesson.slug}`);
    await page.getByText('It saves as you type.').waitFor({ timeout: 15_000 });
    await page.context().close();
  });

  it('a form posts and redirects under the policy (form-action), without script', async () => {
    const context = await browser.newContext({ baseURL: origin, javaScriptEnabled: false });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    await page.goto('/login');
    await page.getByLabel('Email').fill(learner.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the policy refuses what it should: other origins, plugins, <base>, forms posted elsewhere', async () => {
    const page = await newPage();
    await page.goto('/login');
    await page.evaluate(() => {
      const base = document.createElement('base');
      base.href = 'https://elsewhere.example/';
      document.head.append(base);
      const object = document.createElement('object');
      object.data = 'https://elsewhere.example/x.swf';
      document.body.append(object);
      const image = document.createElement('img');
      image.src = 'https://elsewhere.example/pixel.png';
      document.body.append(image);
      const form = document.createElement('form');
      form.method = 'post';
      form.action = 'https://elsewhere.example/collect';
      document.body.append(form);
      form.submit();
    });
    await page.waitForTimeout(500);
    const events = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    for (const directive of ['base-uri', 'object-src', 'img-src', 'form-action'])
      expect(events.join('\n'), directive).toContain(`violation: ${directive}`);
    await page.context().close();
  });

  it('a violation would be seen (the check can fail)', async () => {
    const page = await newPage();
    await page.goto('/login');
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = 1';
      document.body.append(script);
    });
    await page.waitForTimeout(200);
    const events = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    expect(events.length).toBeGreaterThan(0);
    await page.context().close();
  });
});
