// A nurse in Chicago: the account takes the phone's time zone at sign-up, every time on
// Today, the journal and Account is in Chicago time (never "UTC"), and Account changes it.
import type { Locator, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, failOnServerErrors, findCourse, newPerson, ONE_AT_A_TIME, SAME_ORIGIN, test } from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });
test.use({ timezoneId: 'America/Chicago' });

const SHOTS = process.env.TZ_SCREENSHOT_DIR ?? '/tmp/shots-tz';

/** '7 Dec 2026, 03:38' in `zone`, for each minute the test may have spanned. */
function clockReadings(zone: string, from: number, to: number): string[] {
  const format = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: zone,
  });
  const readings = new Set<string>();
  for (let at = from - 60_000; at <= to + 60_000; at += 30_000) readings.add(format.format(at));
  return [...readings];
}

async function expectOneOf(locator: Locator, readings: string[]): Promise<void> {
  const text = (await locator.textContent()) ?? '';
  expect(
    readings.some((reading) => text.includes(reading)),
    `"${text.trim()}" shows one of ${readings.join(' | ')}`,
  ).toBe(true);
}

async function shoot(page: Page, name: string, device = 'phone'): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${device}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const DESKTOP = { viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 };

test('a Chicago phone signs up in Chicago time, sees it everywhere, and changes it on Account', async ({
  page,
  openContext,
}) => {
  const serverErrors = failOnServerErrors(page);
  const start = Date.now();
  const person = newPerson('Maya Chicago', 'tz');

  // Sign-up shows the zone the phone is set to, plainly, and lets her change it.
  await page.goto('/signup');
  const zone = page.getByLabel('Your time zone');
  await expect(zone).toHaveValue('America/Chicago');
  await expect(zone.locator('option:checked')).toHaveText('America/Chicago');
  await page.getByLabel('Your name').fill(person.name);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await shoot(page, 'signup');
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await expect(page.locator('main')).not.toContainText('UTC');

  // A reflection, through the Action the lesson page uses.
  const lesson = findCourse('patient-connection').lessons[0]!;
  const saved = await page.request.post('/_actions/reflections.save', {
    headers: SAME_ORIGIN,
    form: { courseSlug: lesson.course, lessonSlug: lesson.slug, body: 'Sit down at eye level before the news.' },
  });
  expect(saved.status()).toBe(200);
  const end = Date.now();

  await page.goto('/journal');
  const changed = page.getByText(/^Last changed /);
  await expectOneOf(changed, clockReadings('America/Chicago', start, end));
  await expect(page.locator('main')).not.toContainText('UTC');

  await page.goto('/account');
  const sessions = page.getByRole('region', { name: 'Where you are signed in' });
  await expectOneOf(sessions.getByText(/^Signed in /), clockReadings('America/Chicago', start, end));
  await expect(sessions).not.toContainText('UTC'); // (the list of zones on this page offers UTC, of course)
  const accountZone = page.getByLabel('Your time zone');
  await expect(accountZone).toHaveValue('America/Chicago');

  // She moves to Tokyo: Account saves it, and every time follows.
  await accountZone.selectOption('Asia/Tokyo');
  await page.getByRole('button', { name: 'Save time zone' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your time zone is saved: Asia/Tokyo.' })).toBeVisible();
  await expect(page.getByLabel('Your time zone')).toHaveValue('Asia/Tokyo');
  await expectOneOf(sessions.getByText(/^Signed in /), clockReadings('Asia/Tokyo', start, end));
  await page.goto('/journal');
  await expectOneOf(page.getByText(/^Last changed /), clockReadings('Asia/Tokyo', start, end));

  // Back to Chicago for the pictures.
  await page.goto('/account');
  await page.getByLabel('Your time zone').selectOption('America/Chicago');
  await page.getByRole('button', { name: 'Save time zone' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your time zone is saved: America/Chicago.' })).toBeVisible();
  await page.goto('/account');
  await shoot(page, 'account');

  // The same pages on a desktop browser.
  const desktop = await (
    await openContext({ ...DESKTOP, storageState: await page.context().storageState() })
  ).newPage();
  await desktop.goto('/account');
  await expect(desktop.getByLabel('Your time zone')).toHaveValue('America/Chicago');
  await shoot(desktop, 'account', 'desktop');
  const visitor = await (await openContext(DESKTOP)).newPage();
  await visitor.goto('/signup');
  await expect(visitor.getByLabel('Your time zone')).toHaveValue('America/Chicago');
  await shoot(visitor, 'signup', 'desktop');
  expect(serverErrors).toEqual([]);
});

test('an unknown zone posted to Account is refused beside the field, and nothing changes', async ({ page }) => {
  const person = newPerson('Ravi Bad Zone', 'tz-bad');
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(person.name);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();

  await page.goto('/account');
  const zone = page.getByLabel('Your time zone');
  // What an old page or a script could send: a zone that is not on the list.
  await zone.evaluate((select: HTMLSelectElement) => {
    select.options[select.selectedIndex]!.value = 'Mars/Olympus_Mons';
  });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.getByRole('button', { name: 'Save time zone' }).click(),
  ]);
  expect(response.status()).toBe(400);
  const field = page.getByLabel('Your time zone');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(/We do not know that time zone\. Choose one from the list/);
  await expect(field, 'the list shows the zone saved so far').toHaveValue('America/Chicago');
  await shoot(page, 'account-refused');
  await page.goto('/account');
  await expect(page.getByLabel('Your time zone')).toHaveValue('America/Chicago');
});

test('without JavaScript, sign-up offers UTC, to change later', async ({ browser, baseURL }) => {
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled: false,
    timezoneId: 'America/Chicago',
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  await page.goto('/signup');
  await expect(page.getByLabel('Your time zone')).toHaveValue('UTC');
  await context.close();
});
