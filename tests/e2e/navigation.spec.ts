// The header says who is signed in, also on prerendered pages (lessons, the catalogue, 404):
// a hint cookie and a one-line script in <head> pick the link set before the body paints;
// without JavaScript the visitor's links show.
import type { BrowserContext, Page } from '@playwright/test';
import { BASE_URL, expect, findLesson, newPerson, ONE_AT_A_TIME, signUp, test } from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const lesson = findLesson('patient-connection', 'let-them-finish');
const MEMBER_LINKS = ['Today', 'Journal', 'Certificates', 'Teams', 'Account'];
const VISITOR_LINKS = ['Sign in', 'Sign up'];

function nav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

async function expectVisitorNav(page: Page): Promise<void> {
  for (const name of [...VISITOR_LINKS, 'Courses'])
    await expect(nav(page).getByRole('link', { name, exact: true })).toBeVisible();
  for (const name of MEMBER_LINKS) await expect(nav(page).getByRole('link', { name, exact: true })).toHaveCount(0);
  await expect(nav(page).getByRole('button', { name: 'Sign out' })).toHaveCount(0);
}

async function expectMemberNav(page: Page): Promise<void> {
  for (const name of [...MEMBER_LINKS, 'Courses'])
    await expect(nav(page).getByRole('link', { name, exact: true })).toBeVisible();
  await expect(nav(page).getByRole('button', { name: 'Sign out' })).toBeVisible();
  for (const name of VISITOR_LINKS) await expect(nav(page).getByRole('link', { name, exact: true })).toHaveCount(0);
}

/** Collects CSP violations (event and console) on every page of the context. */
async function watchCsp(context: BrowserContext, page: Page): Promise<string[]> {
  const seen: string[] = [];
  await context.exposeFunction('__cspViolation', (text: string) => seen.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      (window as unknown as { __cspViolation: (text: string) => void }).__cspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`,
      ),
    );
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to execute/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

/** Sum of layout-shift scores since the page started loading. */
async function layoutShift(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) total += (entry as unknown as { value: number }).value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => resolve(total), 300);
      }),
  );
}

test('a lesson page shows the visitor links signed out and the learner links signed in; signing out there works', async ({
  page,
  context,
}) => {
  const csp = await watchCsp(context, page);

  await page.goto(lesson.url);
  await expectVisitorNav(page);
  await page.goto('/no-such-page');
  await expectVisitorNav(page);

  await signUp(page, newPerson('Zoë Ødegaard', 'nav'));
  const cookies = await context.cookies();
  // The hint is readable by the page; the session itself never is.
  expect(cookies.find((c) => c.name === 'session')?.httpOnly).toBe(true);
  const hint = cookies.find((c) => c.name === 'rounds_signed_in');
  expect(hint, 'the signed-in hint cookie is set at sign-up').toBeDefined();
  expect(hint!.httpOnly).toBe(false);
  expect(hint!.value).toBe('1');

  for (const path of [lesson.url, '/courses', `/courses/${lesson.course}`, '/no-such-page']) {
    await page.goto(path);
    await expectMemberNav(page);
  }
  await page.goto(lesson.url);
  await expectMemberNav(page);
  expect(await layoutShift(page), 'the header does not move once painted').toBe(0);

  // Sign out from the prerendered page: a real POST, the session ends.
  await nav(page).getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${BASE_URL}/`);
  await expectVisitorNav(page);
  expect((await context.cookies()).map((c) => c.name)).not.toContain('rounds_signed_in');
  await page.goto(lesson.url);
  await expectVisitorNav(page);
  await page.goto('/journal');
  await expect(page).toHaveURL(/\/login\?next=%2Fjournal$/);

  expect(csp, 'no Content Security Policy violation').toEqual([]);
});

test('a hint left behind by an ended session is cleared on the next page', async ({ page, context }) => {
  await context.addCookies([
    { name: 'session', value: 'notarealsessionid.notarealsecret', url: BASE_URL, httpOnly: true, sameSite: 'Lax' },
    { name: 'rounds_signed_in', value: '1', url: BASE_URL, sameSite: 'Lax' },
  ]);
  await page.goto(lesson.url);
  await expectMemberNav(page); // all the static page can know
  await page.goto('/');
  await expectVisitorNav(page);
  expect((await context.cookies()).map((c) => c.name)).not.toContain('rounds_signed_in');
  await page.goto(lesson.url);
  await expectVisitorNav(page);

  // The same when the session cookie is gone but the hint stayed.
  await context.clearCookies();
  await context.addCookies([{ name: 'rounds_signed_in', value: '1', url: BASE_URL, sameSite: 'Lax' }]);
  await page.goto('/courses/patient-connection');
  expect((await context.cookies()).map((c) => c.name)).not.toContain('rounds_signed_in');
});

test('without JavaScript a signed-in learner sees the visitor links on a lesson, and Sign in leads to Today', async ({
  page,
  openContext,
}) => {
  await signUp(page, newPerson('李雷', 'nav-nojs'));
  const noJs = await openContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await noJs.newPage();
  await plain.goto(lesson.url);
  await expect(plain.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();
  await expectVisitorNav(plain);
  await nav(plain).getByRole('link', { name: 'Sign in', exact: true }).click();
  await expect(plain).toHaveURL(`${BASE_URL}/`);
  await expect(plain.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await expectMemberNav(plain);

  // Signed out, without JavaScript: the same visitor links.
  const visitor = await (await openContext({ javaScriptEnabled: false })).newPage();
  await visitor.goto(lesson.url);
  await expectVisitorNav(visitor);
});
