// Symposium events end to end: an organiser creates an event dated in the past and
// one in the future; an attendee joins by code on a phone, sees lessons unlocked and
// locked, and a nudge email captured by the test's SMTP server opens the right lesson.
//
// Creating events needs an administrator, and the first account of an install is
// the administrator. The shared test server's first account belongs to whichever
// spec ran first, so this spec starts its own Rounds on a fresh database (same build,
// same SMTP capture; startOwnServer) and signs up first there.
//
// Unlike every other spec it takes no ONE_AT_A_TIME lock: most of its time is spent
// waiting for the next minute, so it runs beside the others (playwright.config.ts).
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, findCourse, latestMail, linkFrom, newPerson, startOwnServer, test, type Person } from './support.ts';
import type { Page } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 21;
const BASE = `http://127.0.0.1:${PORT}`;
const SCREENSHOT_DIR = process.env.EVENTS_SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'rounds-events-screens');

let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;

test.describe.configure({ mode: 'serial' });
test.use({ baseURL: BASE });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startOwnServer(PORT, 'events');
});

test.afterAll(async () => {
  await server?.stop();
});

// ── helpers ─────────────────────────────────────────────────────────────────

async function signUpHere(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Your name').fill(person.name);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** YYYY-MM-DD and minutes after midnight in a zone, now. */
function localNow(zone: string, at = new Date()): { date: string; minute: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// Zones without daylight saving from UTC-10 to UTC+12: whatever the hour, one is in the
// middle of its day, outside the default quiet hours (21:00-07:00) that hold nudges back.
const DAYTIME_ZONES = [
  'Pacific/Honolulu',
  'America/Phoenix',
  'America/Bogota',
  'America/Sao_Paulo',
  'Atlantic/Cape_Verde',
  'Africa/Abidjan',
  'Africa/Lagos',
  'Africa/Johannesburg',
  'Africa/Nairobi',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Brisbane',
  'Pacific/Noumea',
  'Pacific/Fiji',
];
function middayZone(): string {
  const distance = (zone: string) => Math.abs(localNow(zone).minute - 13 * 60);
  return [...DAYTIME_ZONES].sort((a, b) => distance(a) - distance(b))[0]!;
}

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

async function createEvent(
  page: Page,
  values: {
    name: string;
    date: string;
    zone: string;
    time: string;
    firstDays?: string;
    every?: string;
    offsets?: string;
    course: string;
  },
): Promise<{ slug: string; code: string }> {
  await page.goto('/admin/events/new');
  await page.getByLabel('Event name').fill(values.name);
  await page.getByLabel('Date of the event').fill(values.date);
  await page.getByLabel('Time zone of the event').selectOption(values.zone);
  await page.getByLabel('Location (optional)').fill('Main hall');
  await page
    .getByLabel('Welcome message (optional)')
    .fill('Thank you for coming. Keep learning with us, five minutes at a time.');
  await page.getByRole('checkbox', { name: values.course }).check();
  await page.getByLabel('Time of day').fill(values.time);
  if (values.firstDays) await page.getByLabel('First lesson: days after the event').fill(values.firstDays);
  if (values.every) await page.getByLabel('Then one lesson every … days').fill(values.every);
  if (values.offsets) await page.getByLabel(/exact days after the event/).fill(values.offsets);
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('heading', { level: 1, name: values.name })).toBeVisible();
  await expect(page.getByText('Event created.')).toBeVisible();
  const slug = new URL(page.url()).pathname.split('/').pop()!;
  const code = (await page.locator('strong.code').first().textContent())!.trim();
  expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
  return { slug, code };
}

// ── the journey ─────────────────────────────────────────────────────────────

test('an attendee joins by code on a phone, sees lessons unlocked and locked, and a nudge opens the right lesson', async ({
  openContext,
}) => {
  test.setTimeout(300_000);
  const course = findCourse('patient-connection');

  // The organiser: first account on this install, so an administrator.
  const organiserContext = await openContext({
    viewport: { width: 1280, height: 900 },
    isMobile: false,
    hasTouch: false,
    deviceScaleFactor: 1,
  });
  const organiser = await organiserContext.newPage();
  await organiser.goto('/signup');
  await expect(organiser.getByText('the first account you create becomes its administrator')).toBeVisible();
  await signUpHere(organiser, newPerson('Olu Organiser', 'organiser'));
  await expect(organiser.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();

  // A form error comes back next to its field, with what was typed kept.
  await organiser.goto('/admin/events/new');
  await organiser.getByLabel('Event name').fill('Broken schedule');
  await organiser.getByLabel(/exact days after the event/).fill('7, 3');
  await organiser.getByRole('button', { name: 'Create event' }).click();
  await expect(organiser.getByText('Choose at least one course.')).toBeVisible();
  await expect(organiser.getByText(/List whole days after the event in order/)).toBeVisible();
  await expect(organiser.getByLabel('Event name')).toHaveValue('Broken schedule');

  // Past event: lessons on days 1, 4 and 8 after it; day 8 is today, about three minutes from now.
  const zone = middayZone();
  const here = localNow(zone);
  const unlockMinute = here.minute + 3;
  const tag = Date.now().toString(36).slice(-4);
  const past = await createEvent(organiser, {
    name: `Spring Symposium ${tag}`,
    date: addDays(here.date, -8),
    zone,
    time: hhmm(unlockMinute),
    offsets: '1, 4, 8, 12, 16, 20',
    course: course.title,
  });
  // Future event: in two weeks, first lesson the day after, then every three days.
  const future = await createEvent(organiser, {
    name: `Winter Summit ${tag}`,
    date: addDays(here.date, 14),
    zone: 'Europe/Berlin',
    time: '07:00',
    firstDays: '1',
    every: '3',
    course: course.title,
  });

  // The QR code of the join link, for the last slide.
  const svg = await organiser.request.get(`/events/${past.slug}/qr.svg`);
  expect(svg.headers()['content-type']).toBe('image/svg+xml');
  expect(await svg.text()).toContain('<svg');
  const png = await organiser.request.get(`/events/${past.slug}/qr.png`);
  expect(png.headers()['content-type']).toBe('image/png');

  // The attendee, signed out on a phone set to the event's zone (their account takes it at sign-up, and
  // with it their quiet hours, which must not hold the nudge back): types the code from the slide.
  const page = await (await openContext({ timezoneId: zone })).newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.getByLabel('Have a code from an event or your team?').fill('zzz-zzz');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByText('We could not find an event with this code.')).toBeVisible();

  await page.goto('/');
  await page.getByLabel('Have a code from an event or your team?').fill(past.code.toLowerCase());
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Spring Symposium ${tag}` })).toBeVisible();
  await expect(page.getByText(course.title).first()).toBeVisible();
  await page.getByRole('link', { name: 'Create an account to join' }).click();
  const attendee = newPerson('Ada Attendee', 'attendee');
  await signUpHere(page, attendee);
  await page.getByRole('button', { name: `Join Spring Symposium ${tag}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await expect(page.getByText(`Welcome to Spring Symposium ${tag}!`)).toBeVisible();

  // Joining twice is harmless.
  await page.goto(`/join/${past.code.replace('-', '')}`);
  await expect(page.getByText('You are enrolled.')).toBeVisible();

  // Nudges go to confirmed addresses: confirm with the link from the mail.
  const confirm = await latestMail(attendee.email, { subject: /Confirm your email/ });
  await page.goto(linkFrom(confirm.text));
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByText('your email address is confirmed')).toBeVisible();

  // The future event, by its link.
  await page.goto(`/join/${future.code}`);
  await page.getByRole('button', { name: `Join Winter Summit ${tag}` }).click();
  await expect(page.getByText(`Welcome to Winter Summit ${tag}!`)).toBeVisible();

  // Today: past event — lessons 1 and 2 open, 3 to 6 locked with their dates (the attendee's zone).
  const pastCard = page.getByRole('article', { name: `Spring Symposium ${tag}` });
  const futureCard = page.getByRole('article', { name: `Winter Summit ${tag}` });
  await expect(pastCard.getByRole('link', { name: course.lessons[0]!.title, exact: true })).toBeVisible();
  await expect(pastCard.getByRole('link', { name: course.lessons[1]!.title, exact: true })).toBeVisible();
  await expect(pastCard.getByRole('link', { name: course.lessons[2]!.title, exact: true })).toHaveCount(0);
  await expect(pastCard.getByText(`Locked · Unlocks`).first()).toBeVisible();
  await expect(pastCard.locator('li').nth(2)).toContainText(
    `, ${Math.floor(unlockMinute / 60)}:${String(unlockMinute % 60).padStart(2, '0')}`,
  );
  await expect(pastCard.getByText(course.lessons[2]!.summary)).toBeVisible();
  // Future event: everything locked; the first lesson opens the day after it at 7:00 Berlin time, shown in
  // the attendee's own zone.
  const berlinSeven = [1, 2]
    .map((offset) => new Date(Date.parse(`${addDays(here.date, 15)}T07:00:00Z`) - offset * 3_600_000))
    .find((at) => localNow('Europe/Berlin', at).minute === 7 * 60)!;
  const shown = localNow(zone, berlinSeven).minute;
  await expect(futureCard.getByRole('link', { name: course.lessons[0]!.title, exact: true })).toHaveCount(0);
  await expect(futureCard.locator('li').first()).toContainText(
    new RegExp(`Unlocks \\w{3} \\d{1,2} \\w{3}, ${Math.floor(shown / 60)}:${String(shown % 60).padStart(2, '0')}`),
  );
  await expect(futureCard.getByText('Locked · Unlocks')).toHaveCount(course.lessons.length);

  // A locked lesson says so at its top, with when it opens (reading stays open); so does the course page.
  await page.goto(course.lessons[2]!.url);
  await expect(page.locator('article .notice[role="status"]').first()).toContainText(/opens on .+You can read it now/);
  await page.goto(`/courses/${course.slug}`);
  const lessonItem = (index: number) =>
    page.getByRole('listitem').filter({ has: page.getByRole('link', { name: course.lessons[index]!.title }) });
  await expect(lessonItem(2)).toContainText('Locked');
  await expect(lessonItem(2)).toContainText(/opens on/);
  await expect(lessonItem(0)).not.toContainText('Locked');
  await page.goto('/');

  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'events-today-phone.png'), fullPage: true });

  // The organiser's dashboard counts the attendee.
  await organiser.goto(`/admin/events/${past.slug}`);
  await expect(
    organiser.getByRole('term').filter({ hasText: 'Enrolled' }).locator('xpath=following-sibling::dd'),
  ).toHaveText('1');
  await expect(
    organiser
      .getByRole('table')
      .first()
      .getByRole('rowheader', { name: new RegExp(course.lessons[0]!.title) }),
  ).toBeVisible();

  // When lesson 3 opens, the job emails a one-click link to it.
  const nudge = await latestMail(attendee.email, {
    subject: new RegExp(`New lesson open: ${course.lessons[2]!.title}`),
    timeout: 200_000,
  });
  const link = linkFrom(nudge.text);
  expect(new URL(link).pathname).toBe(course.lessons[2]!.url);
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1, name: course.lessons[2]!.title })).toBeVisible();
  await page.goto('/');
  await expect(pastCard.getByRole('link', { name: course.lessons[2]!.title, exact: true })).toBeVisible();

  // One click from the email stops them for this event.
  const unsubscribe = /https?:\/\/\S+\/unsubscribe\?token=\S+/.exec(nudge.text)![0];
  await page.goto(unsubscribe);
  await page.getByRole('button', { name: 'Stop these emails' }).click();
  await expect(page.getByText(`no more lesson emails for Spring Symposium ${tag}`)).toBeVisible();
  await page.goto('/');
  await expect(pastCard.getByRole('button', { name: 'Email me when a lesson opens' })).toBeVisible();
});
