// The installable, offline Rounds in Chromium with its service worker: the manifest passes
// Chromium's own installability checks; "Save for my shift" keeps the next lessons; offline,
// a saved lesson opens from the cache with working islands and an unsaved one shows our
// offline page; signing out empties the cache (read through the Cache API), and the next
// person on the same browser finds nothing of the first.
import type { BrowserContext, Page } from '@playwright/test';
import {
  BASE_URL,
  checkAnswer,
  expect,
  expectFeedbackShown,
  findCourse,
  newPerson,
  ONE_AT_A_TIME,
  question,
  rightAnswers,
  rightOption,
  SAME_ORIGIN,
  signUp,
  test,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const course = findCourse('patient-connection');
const [first, second, third, fourth] = course.lessons;
const unsaved = findCourse('team-huddles').lessons[0]!;

/** The paths in the pages cache, read in the page through the Cache API. */
const cachedPaths = (page: Page) =>
  page.evaluate(async () => {
    const cache = await caches.open('rounds-pages');
    return (await cache.keys()).map((request) => new URL(request.url).pathname);
  });

/** Waits for the worker to be active; a page loaded while it was installing is reloaded to come under it. */
async function workerControls(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
}

async function completeFirstLesson(page: Page): Promise<void> {
  const answers = Object.fromEntries(rightAnswers(first!).map((option, index) => [`q${index}`, String(option)]));
  const done = await page.request.post('/_actions/progress.complete', {
    headers: SAME_ORIGIN,
    form: { courseSlug: course.slug, lessonSlug: first!.slug, ...answers },
  });
  expect(done.status()).toBe(200);
}

async function saveForShift(page: Page): Promise<void> {
  await page.goto('/');
  const shift = page.getByRole('region', { name: 'No signal on the ward?' });
  await shift.getByRole('button', { name: 'Save for my shift' }).click();
  await expect(shift.getByRole('status')).toHaveText('Saved: 3 lessons open without a connection.');
}

async function goOffline(context: BrowserContext, offline: boolean): Promise<void> {
  await context.setOffline(offline);
}

test('installable; a saved lesson opens offline with its islands; sign-out empties the cache for the next person', async ({
  page,
  context,
}) => {
  await signUp(page, newPerson('Grace Mensah', 'offline'));

  // Installable by Chromium's own checks (the ones Lighthouse's installability audit read).
  const cdp = await context.newCDPSession(page);
  const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
  expect(manifest.url).toBe(`${BASE_URL}/manifest.webmanifest`);
  expect(manifest.errors).toEqual([]);
  await workerControls(page);
  const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
    installabilityErrors: { errorId: string }[];
  };
  // Playwright's contexts are incognito windows, where Chromium never offers to install.
  expect(installabilityErrors.map((error) => error.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);

  // One lesson done: the course is in progress, and Today offers the next three.
  await completeFirstLesson(page);
  await saveForShift(page);
  await expect(page.getByText('Available offline').first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('today-saved-390.png'), fullPage: true });
  expect((await cachedPaths(page)).sort()).toEqual(
    [course.url, second!.url, third!.url, fourth!.url].map((url) => new URL(url, BASE_URL).pathname).sort(),
  );

  // Offline: the saved lesson comes from the cache, and its check still answers.
  await goOffline(context, true);
  const response = await page.goto(second!.url);
  expect(response?.status()).toBe(200);
  expect(response?.fromServiceWorker()).toBe(true);
  await expect(page.getByRole('heading', { level: 1, name: second!.title })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('lesson-offline-390.png') });
  const group = question(page, second!, 0);
  await checkAnswer(group, rightOption(second!, 0).text);
  await expectFeedbackShown(group, `Correct. ${rightOption(second!, 0).feedback}`);
  await page.screenshot({ path: test.info().outputPath('lesson-offline-check-390.png') });

  // A lesson that was not saved: our offline page, which lists what is saved.
  await page.goto(unsaved.url);
  await expect(page.getByRole('heading', { level: 1, name: 'You are offline' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Saved on this device' }).getByRole('link')).toHaveCount(3);
  await page.screenshot({ path: test.info().outputPath('offline-page-390.png'), fullPage: true });
  // Today is personal: never from the cache.
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'You are offline' })).toBeVisible();

  // Back online, signing out empties the cache.
  await goOffline(context, false);
  await page.goto('/');
  await signOut(page);
  await expect.poll(() => cachedPaths(page)).toEqual([]);

  // The next person on this browser: nothing of the first, online or off.
  await signUp(page, newPerson('Tomasz Nowak', 'offline'));
  await expect(page.getByText('Available offline')).toHaveCount(0);
  expect(await cachedPaths(page)).toEqual([]);
  await goOffline(context, true);
  await page.goto(second!.url);
  await expect(page.getByRole('heading', { level: 1, name: 'You are offline' })).toBeVisible();
  await goOffline(context, false);

  // A session that ends without a sign-out (it expired): the next page rendered for someone
  // else — here a visitor — empties what was saved.
  await completeFirstLesson(page);
  await saveForShift(page);
  expect(await cachedPaths(page)).toHaveLength(4);
  await context.clearCookies();
  await page.goto('/login');
  await expect.poll(() => cachedPaths(page)).toEqual([]);
});
