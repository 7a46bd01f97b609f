// An organiser looks after an event once it exists, on a phone: edits its name and
// schedule (the public page shows the change; a mistake comes back beside its field with
// what was typed kept), closes and reopens joining (/join says so), archives it after
// confirming (off the active list, no joining) and unarchives it.
//
// Events need an administrator, the first account of an install: a server of its own.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ONE_AT_A_TIME, expect, findCourse, newPerson, signUp, startOwnServer, test } from './support.ts';
import type { Browser, Page } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 22;
const BASE = `http://127.0.0.1:${PORT}`;
const SCREENSHOT_DIR = process.env.EVENTS_SCREENSHOT_DIR;

let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;

test.describe.configure({ lock: ONE_AT_A_TIME, mode: 'serial' });
test.use({ baseURL: BASE });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startOwnServer(PORT, 'event-admin');
});
test.afterAll(async () => {
  await server?.stop();
});

function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function joinCode(page: Page): Promise<string> {
  const link = await page.getByRole('link', { name: /^\/join\// }).textContent();
  return link!.replace('/join/', '').trim();
}

/** Dark-mode screenshots of a page on a phone and on a desktop, signed in with the page's cookies. */
async function darkShots(browser: Browser, page: Page, url: string, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const cookies = await page.context().cookies();
  for (const [device, viewport] of [
    ['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1280, height: 900 }],
  ] as const) {
    const context = await browser.newContext({ baseURL: BASE, viewport, colorScheme: 'dark' });
    await context.addCookies(cookies);
    const shot = await context.newPage();
    await shot.goto(url);
    await shot.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-dark-${device}.png`), fullPage: true });
    await context.close();
  }
}

test('edit, close and reopen joining, archive and unarchive an event', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const course = findCourse('patient-connection');
  await signUp(page, newPerson('Orla Organiser', 'organiser')); // the first account: the administrator

  // Three days ago, UTC (the form's zone for a new event): lesson 1 opened on day 1, lesson 2 opens on day 4.
  await page.goto('/admin/events/new');
  await expect(page.getByLabel('Time zone of the event')).toHaveValue('UTC');
  await darkShots(browser, page, '/admin/events/new', 'event-create');
  await page.getByLabel('Event name').fill('Harbour Symposium');
  await page.getByLabel('Web address (optional)').fill('harbour-symposium');
  await page.getByLabel('Date of the event').fill(daysFromToday(-3));
  await page.getByRole('checkbox', { name: course.title }).check();
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByText('Event created.')).toBeVisible();
  const code = await joinCode(page);

  // Edit: the form says what happens to the lesson already open.
  await page.getByRole('link', { name: 'Edit the event' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Edit the event' })).toBeVisible();
  await expect(page.getByText('/events/harbour-symposium')).toBeVisible();
  const schedule = page.getByRole('group', { name: 'When lessons open' });
  await expect(schedule).toHaveAccessibleDescription(
    /1 lesson of 6 has already opened\. If you change the schedule, it stays open for everyone; only lessons not opened yet move/,
  );
  await darkShots(browser, page, '/admin/events/harbour-symposium/edit', 'event-edit');

  // A mistake: the message sits beside its field, and everything typed stays.
  await page.getByLabel('Event name').fill('');
  await page.getByLabel('Location (optional)').fill('Pier 4, hall B');
  await page.getByLabel('Time of day').fill('25:99');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByLabel('Event name')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Event name')).toHaveAccessibleDescription(/Give the event a name/);
  await expect(page.getByLabel('Time of day')).toHaveAccessibleDescription(/Enter a time like 21:00/);
  await expect(page.getByLabel('Time of day')).toHaveValue('25:99');
  await expect(page.getByLabel('Location (optional)')).toHaveValue('Pier 4, hall B');

  // Fixed: a new name, the event ten days later, lessons at 9:30.
  await page.getByLabel('Event name').fill('Harbour Symposium 2027');
  await page.getByLabel('Date of the event').fill(daysFromToday(10));
  await page.getByLabel('Time of day').fill('09:30');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Changes saved.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Harbour Symposium 2027' })).toBeVisible();
  await expect(
    page.getByText(/^Counts lessons completed, certificates earned and credit claimed since each person joined/),
  ).toBeVisible();
  const firstLesson = page
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: new RegExp(course.lessons[0]!.title) }) });
  await expect(firstLesson).toContainText('Open (it had opened before the schedule changed)');
  await darkShots(browser, page, '/admin/events/harbour-symposium', 'event-dashboard');

  await page.goto('/events/harbour-symposium');
  await expect(page.getByRole('heading', { level: 1, name: 'Harbour Symposium 2027' })).toBeVisible();
  await expect(page.getByText('Pier 4, hall B')).toBeVisible();
  await expect(page.getByText(/The first lesson is open; the next opens on .+, 9:30/)).toBeVisible();

  // Close joining: /join says so, and the join Action refuses.
  await page.goto('/admin/events/harbour-symposium');
  await page.getByRole('button', { name: 'Close joining' }).click();
  await expect(page.getByText('Joining is closed. People already enrolled keep their lessons.')).toBeVisible();
  await page.goto(`/join/${code}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Joining this event has closed' })).toBeVisible();
  await expect(page.getByText('Ask the organiser if you still want to take part.')).toBeVisible();
  const refused = await page.request.post(`/events/harbour-symposium?_action=events.join`, {
    form: { code },
    headers: { Origin: BASE },
  });
  expect(refused.status()).toBe(400);
  expect(await refused.text()).toContain('Joining this event has closed');

  // Reopen, same code: /join leads to the event page's Join button again.
  await page.goto('/admin/events/harbour-symposium');
  await page.getByRole('button', { name: 'Reopen joining' }).click();
  await expect(page.getByText('Joining is open again, with the same code.')).toBeVisible();
  await page.goto(`/join/${code}`);
  await expect(page.getByRole('button', { name: 'Join Harbour Symposium 2027' })).toBeVisible();

  // Archive: only with the box ticked.
  await page.goto('/admin/events/harbour-symposium');
  await page.getByRole('button', { name: 'Archive the event' }).click();
  const confirm = page.getByRole('checkbox', { name: 'Yes, archive Harbour Symposium 2027' });
  await expect(confirm).toHaveAccessibleDescription(/Tick the box to confirm archiving/);
  await confirm.check();
  await page.getByRole('button', { name: 'Archive the event' }).click();
  await expect(page.getByText('Event archived.')).toBeVisible();
  await expect(page.getByText('This event is archived')).toBeVisible();
  await page.goto('/admin/events');
  await expect(page.getByText('No active events.')).toBeVisible();
  const archived = page.getByRole('region', { name: 'Archived events' });
  await expect(archived.getByRole('link', { name: 'Harbour Symposium 2027' })).toBeVisible();
  await page.goto(`/join/${code}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Joining this event has closed' })).toBeVisible();

  // Unarchive: back on the active list, joining open.
  await page.goto('/admin/events/harbour-symposium');
  await page.getByRole('button', { name: 'Unarchive the event' }).click();
  await expect(page.getByText('Event unarchived.')).toBeVisible();
  await page.goto('/admin/events');
  await expect(page.getByRole('region', { name: 'Archived events' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Harbour Symposium 2027' })).toBeVisible();
});
