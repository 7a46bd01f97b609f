// An install filled before it starts with the demo team (`seed-demo`: a leader who is
// also the administrator, eight members at every stage) and what the UI cannot make in a
// moment: invites that expired, were withdrawn or are used up, and an event with two
// courses whose lessons are part open, part locked. On it: the leader's dashboard (filter,
// sort), the huddle guide (timer, one printed page), joining through sign-in, a person in
// two teams, removing an assignment, the invite problem pages, the audit log, the event
// on Today, its QR code and its CSV export.
import { fileCatalog } from '#server/kernel/file-catalog.ts';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import jsQR from 'jsqr';
import type { Page } from '@playwright/test';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import { expect, findCourse, ONE_AT_A_TIME, startOwnServer, submitSignIn, test, type LessonInfo } from './support.ts';
import { seedDemo } from '#server/demo/demo.ts';
import * as teams from '#server/teams/teams.ts';
import * as events from '#server/events/events.ts';
import { createUser, findUserByEmail, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import { addDays, dateIn, INVITE_PROBLEM_MESSAGES } from '#lib/team-rules.ts';
import { formatUnlock } from '#lib/release-schedule.ts';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 23;
const BASE = `http://127.0.0.1:${PORT}`;
const HUDDLES = findCourse('team-huddles');
const CONNECTION = findCourse('patient-connection');
const LEADERSHIP = findCourse('servant-leadership');
const DEMO_TEAM = '4 West — Medical/Surgical';
const EVENT_NAME = 'Autumn Care Symposium';
const EVIL_NAME = '=HYPERLINK("http://evil.example","x")';

type Fixtures = Awaited<ReturnType<typeof prepare>>;
let server: Awaited<ReturnType<typeof startOwnServer<Fixtures>>> | undefined;
let fixtures: Fixtures;

/** The demo, plus invites in each problem state and a two-course event with an attendee named like a formula. */
async function prepare(db: Kysely<Database>) {
  const catalog = fileCatalog();
  const demo = await seedDemo(db, catalog);
  const lead = (await findUserById(db, (await findUserByEmail(db, demo.leader))!.id))!;
  const as = (now?: Date) => ({ db, catalog, user: lead, now, clientIp: '127.0.0.1' });
  const expired = await teams.createInvite(as(new Date(Date.now() - 3 * 86_400_000)), {
    teamId: demo.teamId,
    days: 1,
    maxUses: null,
  });
  const withdrawn = await teams.createInvite(as(), { teamId: demo.teamId, days: 7, maxUses: null });
  const withdrawnId = (await teams.manageView(as(), demo.teamId)).invites.find((i) => i.code === withdrawn.code)!.id;
  await teams.revokeInvite(as(), { teamId: demo.teamId, inviteId: withdrawnId });
  const usedUp = await teams.createInvite(as(), { teamId: demo.teamId, days: 7, maxUses: 1 });
  const newcomer = (await createUser(db, { email: 'newcomer@example.org', name: 'Nia Newcomer', passwordHash: 'x' }))!;
  await markEmailVerified(db, newcomer.id, newcomer.email);
  await teams.joinTeam(
    { db, catalog, user: (await findUserById(db, newcomer.id))!, clientIp: '127.0.0.1' },
    { code: usedUp.code },
  );

  // Yesterday's event (UTC): all of the first course and the second course's first lesson are open.
  const offsets = [...CONNECTION.lessons.map(() => 0), 1, 30];
  const event = await events.createEvent(as(), {
    name: EVENT_NAME,
    slug: 'autumn-care',
    eventDate: addDays(dateIn('UTC'), -1),
    timeZone: 'UTC',
    location: 'Hall C',
    welcomeMessage: 'Keep learning with us.',
    courses: [CONNECTION.slug, LEADERSHIP.slug],
    unlockMinute: 0,
    firstUnlockDays: 0,
    intervalDays: 7,
    dayOffsets: offsets,
  });
  const evil = (await createUser(db, { email: 'formula@example.org', name: EVIL_NAME, passwordHash: 'x' }))!;
  await events.joinEvent(
    { db, catalog, user: (await findUserById(db, evil.id))!, clientIp: '127.0.0.1' },
    { code: event.code },
  );
  return {
    password: demo.password,
    teamId: demo.teamId,
    codes: { expired: expired.code, withdrawn: withdrawn.code, usedUp: usedUp.code },
    event: { slug: event.slug, code: event.code },
  };
}

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: BASE });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  server = await startOwnServer(PORT, 'demo', { prepare });
  fixtures = server.prepared;
});
test.afterAll(async () => {
  await server?.stop();
});

// ── helpers ─────────────────────────────────────────────────────────────────

const email = (local: string) => `${local}@demo.rounds.test`;

async function signInAs(page: Page, local: string): Promise<void> {
  await page.goto('/login');
  await submitSignIn(page, email(local), fixtures.password);
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
}

/** The "Who is where" grid: member name → the text of each cell. */
async function grid(page: Page): Promise<{ name: string; cells: string[] }[]> {
  const rows = page
    .getByRole('table')
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader') });
  const result = [];
  for (const row of await rows.all()) {
    const name = (await row.getByRole('rowheader').innerText()).replace(/\s*·\s*leader$/, '').trim();
    result.push({ name, cells: await row.getByRole('cell').allInnerTexts() });
  }
  return result;
}

const byName = (a: string, b: string) => a.localeCompare(b);
const DAY_MONTH_YEAR = /(\d{1,2} \w{3} \d{4})/;

// ── the leader's dashboard ──────────────────────────────────────────────────

test('the dashboard shows overdue members only when asked, and sorts by name or by recent completion', async ({
  page,
}) => {
  await signInAs(page, 'leader');
  await page.goto(`/teams/${fixtures.teamId}`);
  await expect(page.getByRole('heading', { level: 1, name: DEMO_TEAM })).toBeVisible();
  const everyone = await grid(page);
  // The demo's eight who take the courses (Dana only leads) and the newcomer who used up an invite.
  expect(everyone).toHaveLength(9);
  expect(everyone.map((r) => r.name)).not.toContain('Dana Reyes');
  expect(everyone.map((r) => r.name)).toEqual(everyone.map((r) => r.name).sort(byName));
  const overdue = everyone.filter((r) => r.cells.some((c) => c.includes('Overdue'))).map((r) => r.name);
  expect(overdue.length).toBeGreaterThan(0);
  expect(overdue.length).toBeLessThan(everyone.length);

  // The filters sit behind a button (closed while none is on), so the members come first on a phone.
  await page.getByText('Filter and sort', { exact: true }).click();
  await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Overdue only' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/[?&]state=overdue/);
  await expect(page.getByText(`${overdue.length} of ${everyone.length} members shown.`)).toBeVisible();
  const filtered = await grid(page);
  expect(filtered.map((r) => r.name)).toEqual(overdue);
  for (const row of filtered)
    expect(
      row.cells.some((c) => c.includes('Overdue')),
      row.name,
    ).toBe(true);

  // Everyone again, most recent completion first (those who finished nothing last, by name).
  await page.getByLabel('Show', { exact: true }).selectOption({ label: 'Everyone' });
  await page.getByLabel('Sort by').selectOption({ label: 'Recently completed' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/[?&]sort=completed/);
  const lastDone = (row: { cells: string[] }) =>
    Math.max(
      0,
      ...row.cells
        .filter((c) => c.includes('Completed'))
        .map((c) => Date.parse(`${DAY_MONTH_YEAR.exec(c)?.[1]} UTC`))
        .filter((t) => !Number.isNaN(t)),
    );
  const expected = [...everyone].sort((a, b) => lastDone(b) - lastDone(a) || byName(a.name, b.name)).map((r) => r.name);
  const sorted = (await grid(page)).map((r) => r.name);
  expect(sorted).toEqual(expected);
  expect(sorted).not.toEqual(everyone.map((r) => r.name));
  expect(lastDone(everyone.find((r) => r.name === sorted[0])!)).toBeGreaterThan(0);
});

test('the huddle guide opens from the dashboard, its timer runs, and it prints on one page', async ({
  page,
}, testInfo) => {
  await signInAs(page, 'leader');
  await page.goto(`/teams/${fixtures.teamId}`);
  await page.getByRole('navigation', { name: 'Team tools' }).getByRole('link', { name: 'Huddle guide' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /^Huddle guide: / })).toBeVisible();
  const courseTitle = (await page.getByRole('heading', { level: 1 }).innerText()).replace('Huddle guide: ', '');
  const course = findCourse(courseTitle);

  // 5 to 10 minutes, asking each listed lesson's first huddle prompt.
  const total = /— (\d+):00 in all/.exec(await page.getByRole('heading', { level: 3, name: /in all/ }).innerText());
  expect(Number(total?.[1])).toBeGreaterThanOrEqual(5);
  expect(Number(total?.[1])).toBeLessThanOrEqual(10);
  const drawnOn = await page
    .getByRole('region', { name: 'Lessons this huddle draws on' })
    .getByRole('link')
    .allInnerTexts();
  expect(drawnOn.length).toBeGreaterThan(0);
  for (const title of drawnOn) {
    const lesson = course.lessons.find((l) => l.title === title) as (LessonInfo & { huddle: string[] }) | undefined;
    expect(lesson, title).toBeDefined();
    await expect(page.getByText(lesson!.huddle[0]!, { exact: true })).toBeVisible();
  }

  // The timer: starts, counts down, pauses.
  const left = page.getByText(/left in the huddle$/);
  const before = await left.innerText();
  await page.getByRole('button', { name: 'Start huddle timer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Started: Open.' })).toHaveCount(1);
  await expect(left).not.toHaveText(before, { timeout: 5000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Resume' })).toBeVisible();

  // Printed: one page on A4 and on Letter, with the plan and without the controls.
  await page.emulateMedia({ media: 'print' });
  for (const format of ['A4', 'Letter'] as const) {
    const file = testInfo.outputPath(`huddle-${format}.pdf`);
    writeFileSync(file, await page.pdf({ format, printBackground: true }));
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' }), format).toMatch(/^Pages:\s+1$/m);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain(`Huddle guide: ${course.title}`);
    expect(text).toContain(drawnOn[0]!);
    expect(text).not.toContain('Start huddle timer');
  }
});

// ── invites ─────────────────────────────────────────────────────────────────

test('an expired, a withdrawn, a used-up and an unknown code each say so plainly', async ({ page }) => {
  const cases = [
    { code: fixtures.codes.expired, status: 410, message: INVITE_PROBLEM_MESSAGES.expired },
    { code: fixtures.codes.withdrawn, status: 410, message: INVITE_PROBLEM_MESSAGES.revoked },
    { code: fixtures.codes.usedUp, status: 410, message: INVITE_PROBLEM_MESSAGES['used-up'] },
    { code: 'ZZZZZZZZ', status: 404, message: INVITE_PROBLEM_MESSAGES.unknown },
  ];
  for (const { code, status, message } of cases) {
    const response = await page.goto(`/join/${code}`);
    expect(response!.status(), code).toBe(status);
    await expect(page.getByRole('heading', { level: 1, name: 'This invite does not work' })).toBeVisible();
    await expect(page.getByText(message)).toBeVisible();
    await expect(page.getByRole('button', { name: /^Join/ })).toHaveCount(0);
  }
});

test('a member joins a second team through sign-in, sees both teams on Today, and a removed assignment leaves Today but not their progress', async ({
  page,
  openContext,
}) => {
  // Ben, a co-leader of the demo team, starts a team of his own and assigns a course Chloé has finished.
  await signInAs(page, 'ben');
  await page.goto('/teams');
  await page.getByLabel('Team name').fill('Journal club');
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Journal club' })).toBeVisible();
  const teamUrl = new URL(page.url()).pathname;
  const form = page.getByRole('region', { name: 'Assign a course' });
  const option = (await form.getByRole('option', { name: HUDDLES.title }).textContent())!.trim();
  await form.getByLabel('Course', { exact: true }).selectOption({ label: option });
  await form.getByLabel('Due date', { exact: true }).fill(addDays(dateIn('UTC'), 10));
  await form.getByRole('button', { name: 'Assign course' }).click();
  await expect(page.getByText('Course assigned.')).toBeVisible();
  await page.getByRole('link', { name: 'Members and invites' }).click();
  await page.getByRole('button', { name: 'Create invite' }).click();
  const link = await page.getByLabel('Invite link').first().inputValue();
  const code = /([A-Z0-9]{12})$/.exec(link)![1]!;

  // Chloé, signed out, follows the link, signs in with her existing account and lands in the team.
  const phone = await (await openContext()).newPage();
  await phone.goto(`/join/${code}`);
  await expect(phone.getByRole('heading', { level: 1, name: 'Join Journal club' })).toBeVisible();
  await phone.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await expect(phone).toHaveURL(`${BASE}/login?next=${encodeURIComponent(`/join/${code}`)}`);
  await submitSignIn(phone, email('chloe'), fixtures.password);
  await expect(phone).toHaveURL(`${BASE}/join/${code}`);
  await phone.getByRole('button', { name: 'Join Journal club' }).click();
  await expect(phone).toHaveURL(new RegExp(`${teamUrl}\\?joined=1$`));
  await expect(phone.getByText('Welcome to Journal club.')).toBeVisible();

  // Today: both teams' assignments, each with its team; the overdue one first, in words.
  await phone.goto('/');
  const assignmentsOf = (team: string) =>
    phone
      .getByRole('region', { name: /^(Assigned to you|Done for your team)$/ })
      .getByRole('listitem')
      .filter({ hasText: team });
  await expect(assignmentsOf(DEMO_TEAM)).toHaveCount(2);
  await expect(assignmentsOf('Journal club')).toHaveCount(1);
  await expect(assignmentsOf('Journal club').getByRole('link', { name: HUDDLES.title })).toBeVisible();
  await expect(
    phone
      .getByRole('region', { name: 'Assigned to you' })
      .getByRole('listitem')
      .first()
      .getByText(/days overdue/),
  ).toBeVisible();

  // Only a leader removes an assignment: Chloé's try is refused.
  await page.goto(teamUrl);
  const remindHref = await page.getByRole('link', { name: 'Send a reminder…' }).getAttribute('href');
  const [teamId, assignmentId] = /\/teams\/([^/]+)\/remind\/([^/?#]+)/.exec(remindHref!)!.slice(1) as [string, string];
  const refused = await phone.request.post(`/_actions/teams.removeAssignment`, {
    form: { teamId, assignmentId },
    headers: { origin: BASE },
  });
  expect(refused.status()).toBe(403);

  // Ben removes it: gone from his dashboard and from Chloé's Today; her finished lessons stay.
  await page.reload();
  await page.getByText('Remove', { exact: true }).click();
  await page.getByRole('button', { name: `Remove ${HUDDLES.title}` }).click();
  await expect(page.getByText('Assignment removed.')).toBeVisible();
  await expect(page.getByText('No course is assigned yet.')).toBeVisible();
  await phone.goto('/');
  await expect(assignmentsOf('Journal club')).toHaveCount(0);
  await expect(assignmentsOf(DEMO_TEAM)).toHaveCount(2);
  await expect(
    phone.getByRole('region', { name: 'Completed' }).getByRole('link', { name: HUDDLES.title, exact: true }),
  ).toBeVisible();
  await phone.goto(HUDDLES.url);
  await expect(phone.getByText(`${HUDDLES.lessons.length} of ${HUDDLES.lessons.length} lessons done`)).toBeVisible();
});

// ── the audit log ───────────────────────────────────────────────────────────

test('an administrator reads the audit log and filters it by action; a leader and a member may not', async ({
  page,
  openContext,
}) => {
  await signInAs(page, 'leader');
  // Administrators find their tools in the header.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.goto('/admin/audit');
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  const row = (action: string) =>
    page.getByRole('row').filter({ has: page.getByRole('cell', { name: action, exact: true }) });
  // Ben's team from the previous test: who, what, target, when.
  for (const action of ['team.create', 'team.assign', 'team.create-invite', 'team.unassign']) {
    const entry = row(action).filter({ hasText: 'Ben Čapek' }).first();
    await expect(entry, action).toBeVisible();
    await expect(entry.getByRole('cell').nth(1)).toHaveText(`Ben Čapek (${email('ben')})`);
    // The target by its name, with the id beneath.
    await expect(entry.getByRole('cell').nth(3)).toHaveText(/^Team “.+”\s*team:[0-9a-f-]{36}$/);
    await expect(entry.getByRole('cell').nth(0)).toHaveText(/\d{4}/);
  }
  await expect(row('demo.seed').getByRole('cell').nth(1)).toHaveText('Operator (command line)');
  await expect(row('team.revoke-invite').getByRole('cell').nth(1)).toHaveText(`Dana Reyes (${email('leader')})`);

  await page.getByLabel('Action starts with').fill('event.');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/[?&]action=event\./);
  const actions = async () =>
    (
      await page
        .getByRole('row')
        .filter({ has: page.getByRole('cell') })
        .all()
    ).map((r) => r.getByRole('cell').nth(2).innerText());
  expect(await Promise.all(await actions())).toEqual(['event.create']);
  await page.getByLabel('Action starts with').fill('team.');
  await page.getByRole('button', { name: 'Filter' }).click();
  const teamActions = await Promise.all(await actions());
  expect(teamActions.length).toBeGreaterThanOrEqual(7);
  expect(teamActions.every((a) => a.startsWith('team.'))).toBe(true);

  for (const local of ['ben', 'chloe']) {
    const other = await (await openContext()).newPage();
    await signInAs(other, local);
    const response = await other.goto('/admin/audit');
    expect(response!.status(), local).toBe(403);
    await expect(other.getByText('Only administrators can see the audit log.')).toBeVisible();
    await expect(other.getByRole('table')).toHaveCount(0);
    await expect(other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);
  }
});

// ── the event ───────────────────────────────────────────────────────────────

test('an attendee of a two-course event sees both courses on Today, each lesson open or locked as scheduled', async ({
  page,
}) => {
  await signInAs(page, 'erin');
  await page.goto(`/join/${fixtures.event.code}`);
  await page.getByRole('button', { name: `Join ${EVENT_NAME}` }).click();
  const card = page.getByRole('article', { name: EVENT_NAME });
  await expect(card.getByText(`Welcome to ${EVENT_NAME}!`)).toBeVisible();
  await expect(card.getByRole('heading', { level: 4 })).toHaveText([CONNECTION.title, LEADERSHIP.title]);

  // The first course: all open (or done).
  const first = card.getByRole('list', { name: CONNECTION.title });
  await expect(first.getByRole('listitem')).toHaveCount(CONNECTION.lessons.length);
  for (const lesson of CONNECTION.lessons)
    await expect(first.getByRole('link', { name: lesson.title, exact: true })).toBeVisible();
  await expect(first.getByText(/Locked/)).toHaveCount(0);

  // The second: its first lesson open today, the rest locked with their dates.
  const second = card.getByRole('list', { name: LEADERSHIP.title });
  const items = second.getByRole('listitem');
  await expect(items).toHaveCount(LEADERSHIP.lessons.length);
  await expect(items.nth(0).getByRole('link', { name: LEADERSHIP.lessons[0]!.title, exact: true })).toBeVisible();
  await expect(items.nth(0)).toContainText('Open');
  for (let i = 1; i < LEADERSHIP.lessons.length; i++) {
    await expect(items.nth(i).getByRole('link')).toHaveCount(0);
    await expect(items.nth(i)).toContainText(LEADERSHIP.lessons[i]!.title);
    await expect(items.nth(i)).toContainText(/Locked · Unlocks \w{3} \d{1,2} \w{3}, 0:00/);
  }
  // 30 days after the event, in its zone (UTC).
  await expect(items.nth(1)).toContainText(
    `Unlocks ${formatUnlock(new Date(`${addDays(dateIn('UTC'), 29)}T00:00:00Z`), 'UTC')}`,
  );
});

/** Draws an image of this site in a canvas and reads the QR code in it. */
async function readQrCode(page: Page, path: string): Promise<string | undefined> {
  const { width, height, pixels } = await page.evaluate(async (src) => {
    const image = new Image();
    image.src = src;
    await image.decode();
    const size = 480; // enough pixels per module; keeps the transfer small
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, size, size);
    context.imageSmoothingEnabled = false;
    context.drawImage(image, 0, 0, size, size);
    return { width: size, height: size, pixels: Array.from(context.getImageData(0, 0, size, size).data) };
  }, path);
  return jsQR(Uint8ClampedArray.from(pixels), width, height)?.data;
}

test('the event QR code, PNG and SVG, opens the event’s join link; the CSV export is safe for spreadsheets', async ({
  page,
}) => {
  await signInAs(page, 'leader');
  await page.goto(`/events/${fixtures.event.slug}`);
  const joinUrl = `${BASE}/join/${fixtures.event.code}`;
  for (const format of ['png', 'svg']) {
    const response = await page.request.get(`/events/${fixtures.event.slug}/qr.${format}`);
    expect(response.status()).toBe(200);
    expect(await readQrCode(page, `/events/${fixtures.event.slug}/qr.${format}`), format).toBe(joinUrl);
  }
  // The link in the code works.
  await page.goto(joinUrl);
  await expect(page.getByRole('heading', { level: 1, name: EVENT_NAME })).toBeVisible();

  const csv = await page.request.get(`/admin/events/${fixtures.event.slug}/export.csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
  const bytes = await csv.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = parse(bytes.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => r.email).sort()).toEqual([email('erin'), 'formula@example.org']);
  const evil = rows.find((r) => r.email === 'formula@example.org')!;
  expect(evil.name).toBe(`'${EVIL_NAME}`);
  for (const row of rows) {
    expect(row.enrolled_on).toBe(dateIn('UTC'));
    expect(row.lessons_total).toBe(String(CONNECTION.lessons.length + LEADERSHIP.lessons.length));
  }
  for (const line of bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean))
    expect(line, line).not.toMatch(/(^|,)"?[=+\-@]/);
});
