// The leader's side of a team on a phone (issue 16: 6, 7, 10): an invite's QR code and
// invitations by email over real SMTP, members first on the dashboard with the filters
// behind a button, a reminder with a personal note, archiving and bringing a team back.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  expect,
  expectNoSeriousAxeFindings,
  failOnServerErrors,
  findCourse,
  latestMail,
  linkFrom,
  mailTo,
  newPerson,
  ONE_AT_A_TIME,
  signUp,
  test,
  uniqueEmail,
  type Person,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const COURSE = findCourse('the-practice-you-hoped-for');
const SCREENSHOT_DIR = process.env.TEAMS_SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'rounds-teams-screens');

function isoInDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function clockInUtc(hoursFromNow: number): string {
  const at = new Date(Date.now() + hoursFromNow * 3_600_000);
  return `${String(at.getUTCHours()).padStart(2, '0')}:00`;
}

async function shoot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? false });
}

/** A leader with a team and a live invite; returns the team's path and the invite link. */
async function leaderWithTeam(page: Page, leader: Person, teamName: string) {
  await signUp(page, leader);
  await page.goto('/teams');
  await page.getByLabel('Team name').fill(teamName);
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('heading', { level: 1, name: teamName })).toBeVisible();
  const teamUrl = new URL(page.url()).pathname;
  await page.getByRole('link', { name: 'Members and invites' }).click();
  await page.getByRole('button', { name: 'Create invite' }).click();
  const inviteLink = await page.getByLabel('Invite link').first().inputValue();
  return { teamUrl, inviteLink };
}

test('a leader shows a QR code and invites by email; the same list twice mails nobody twice', async ({
  page,
  openContext,
}) => {
  test.setTimeout(120_000);
  const errors = failOnServerErrors(page);
  const leader = newPerson('Lena Leader', 'leader');
  const { inviteLink } = await leaderWithTeam(page, leader, 'Ward 9 nights');

  // The QR code of the invite, loaded, with the link it encodes beside it.
  const qr = page.getByRole('img', { name: `QR code for the invite link ${inviteLink}` });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const svg = await page.request.get((await qr.getAttribute('src'))!);
  expect(svg.status()).toBe(200);
  expect(svg.headers()['content-type']).toBe('image/svg+xml');
  expect(svg.headers()['cache-control']).toBe('private, no-store');
  // Nobody else gets the image (the code is the key to the team).
  const stranger = await (await openContext()).newPage();
  expect((await stranger.request.get((await qr.getAttribute('src'))!)).status()).toBe(401);
  await qr.evaluate((img) => img.scrollIntoView({ block: 'center' }));
  await shoot(page, 'team-invite-qr-phone');
  // Printed, the page is the code, its QR code and the link written out; the forms stay off the paper.
  await page.emulateMedia({ media: 'print' });
  await expect(qr).toBeVisible();
  await expect(page.getByText(inviteLink, { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Invite by email' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Create invite' })).toBeHidden();
  await page.emulateMedia({ media: 'screen' });

  // Bad input: what is not an address is named beside the field, and the list stays as typed.
  const [ana, ben] = [uniqueEmail('ana'), uniqueEmail('ben')];
  const field = page.getByRole('textbox', { name: 'Email addresses' });
  const typed = `Ana Lopez <${ana}>, ${ben}\nnot-an-address`;
  await field.fill(typed);
  await page.getByRole('button', { name: 'Send invitations' }).click();
  await expect(field).toHaveAccessibleDescription(/This is not an email address: not-an-address/);
  await expect(field).toHaveValue(typed);
  expect(await mailTo(ana)).toHaveLength(0);

  // Fixed: two invitations; the leader herself (already in the team) and a repeat skipped.
  await field.fill(`Ana Lopez <${ana}>, ${ben}\n${leader.email} ${ana.toUpperCase()}`);
  await page.getByRole('button', { name: 'Send invitations' }).click();
  await expect(
    page.getByText('Sent 2 invitations. Skipped 1 already in the team. 1 address was listed twice.'),
  ).toBeVisible();
  await expect(field).toHaveValue('');
  const mail = await latestMail(ana, { subject: /invitation to join a team/ });
  expect(mail.text).toContain('Team: “Ward 9 nights”. Invited by: Lena Leader.');
  expect(linkFrom(mail.text)).toBe(inviteLink);

  // The same list again: nobody is mailed twice.
  await field.fill(`${ana}, ${ben}`);
  await page.getByRole('button', { name: 'Send invitations' }).click();
  await expect(page.getByText('Sent 0 invitations. Skipped 2 invited in the last 7 days.')).toBeVisible();
  expect(await mailTo(ana)).toHaveLength(1);
  expect(await mailTo(ben)).toHaveLength(1);

  // Ana follows the link from her mail.
  await stranger.goto(linkFrom(mail.text));
  await expect(stranger.getByRole('heading', { name: 'Join Ward 9 nights' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('on a phone the dashboard shows members first, filters behind a button; a reminder carries a note; archive and back', async ({
  page,
  openContext,
}) => {
  test.setTimeout(180_000);
  const errors = failOnServerErrors(page);
  const leader = newPerson('Lena Leader', 'leader');
  const member = newPerson('Mo Member', 'member');
  const { teamUrl, inviteLink } = await leaderWithTeam(page, leader, 'Ward 5 days');

  // The member joins on her phone, and is awake now (quiet hours later today).
  const phone = await (await openContext()).newPage();
  await signUp(phone, member);
  const confirm = await latestMail(member.email, { subject: /Confirm your email/ });
  await phone.goto(linkFrom(confirm.text));
  await phone.getByRole('button', { name: 'Confirm my email address' }).click();
  await phone.goto(inviteLink);
  await phone.getByRole('button', { name: 'Join Ward 5 days' }).click();
  await expect(phone.getByText('Welcome to Ward 5 days.')).toBeVisible();
  await phone.goto('/teams#reminders');
  await phone.getByLabel('Quiet from').fill(clockInUtc(3));
  await phone.getByLabel('Quiet until').fill(clockInUtc(5));
  await phone.getByRole('button', { name: 'Save reminder settings' }).click();
  await expect(phone.getByText('Reminder settings saved.')).toBeVisible();

  // The leader assigns a course.
  await page.goto(teamUrl);
  const assign = page.getByRole('region', { name: 'Assign a course' });
  const option = (await assign.getByRole('option', { name: COURSE.title }).textContent())!.trim();
  await assign.getByLabel('Course', { exact: true }).selectOption({ label: option });
  await assign.getByLabel('Due date', { exact: true }).fill(isoInDays(7));
  await assign.getByRole('button', { name: 'Assign course' }).click();
  await expect(page.getByText('Course assigned.')).toBeVisible();

  // At 390 × 844, the first member is on the screen as the page opens; the filters are closed.
  await page.goto(teamUrl);
  const firstRow = page.getByRole('row', { name: new RegExp(member.name) });
  const box = (await firstRow.boundingBox())!;
  const viewport = page.viewportSize()!;
  expect(viewport).toEqual({ width: 390, height: 844 });
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
  await expect(page.getByLabel('Show', { exact: true })).toBeHidden();
  await shoot(page, 'team-dashboard-phone-light');

  // Open the filters, keep only those not started: the choice is in the address and survives a reload.
  await page.getByText('Filter and sort', { exact: true }).click();
  await page.getByLabel('Show', { exact: true }).selectOption('not-started');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/[?&]state=not-started/);
  await page.reload();
  await expect(page.getByText('Filter and sort (1 on)')).toBeVisible();
  await expect(page.getByLabel('Show', { exact: true })).toHaveValue('not-started');
  await expect(page.getByRole('status').filter({ hasText: '1 of 1 members shown.' })).toBeVisible();

  // A reminder with a note: too long is refused beside the field and the text kept.
  await page.goto(teamUrl);
  await page.getByRole('link', { name: 'Send a reminder…' }).click();
  const note = page.getByRole('textbox', { name: 'A short note from you (optional)' });
  const tooLong = `Please finish before Thursday. ${'x'.repeat(290)}`;
  await note.fill(tooLong);
  await expect(page.getByText(`${tooLong.length - 300} characters too many`)).toBeVisible();
  await page.getByRole('button', { name: 'Send reminder to 1 person' }).click();
  await expect(note).toHaveAccessibleDescription(
    new RegExp(`Keep the note to 300 characters; it has ${tooLong.length}`),
  );
  await expect(note).toHaveValue(tooLong);
  await note.evaluate((box) => box.scrollIntoView({ block: 'center' }));
  await shoot(page, 'team-reminder-note-too-long-phone');
  expect((await mailTo(member.email)).filter((m) => /friendly reminder/.test(m.subject))).toHaveLength(0);
  const words = 'We talk it through at Thursday’s huddle <3';
  await note.fill(words);
  await page.getByRole('button', { name: 'Send reminder to 1 person' }).click();
  await expect(page.getByText(`Reminder queued for ${member.name}`)).toBeVisible();
  const reminder = await latestMail(member.email, { subject: /friendly reminder/, timeout: 20_000 });
  expect(reminder.text).toContain(`A note from Lena Leader, in their words: “${words}”`);

  // Archive, after a confirm step: the team leaves the member's Today and the team lists.
  await phone.goto('/');
  await expect(phone.getByRole('link', { name: COURSE.title }).first()).toBeVisible();
  await page.goto(teamUrl);
  await page.getByText('Archive Ward 5 days…').click();
  await page.getByRole('button', { name: 'Yes, archive Ward 5 days' }).click();
  await expect(page).toHaveURL(/\/teams\?archived=1$/);
  await expect(page.getByText('Team archived.')).toBeVisible();
  const archived = page.getByRole('region', { name: 'Archived teams' });
  await expect(archived.getByRole('link', { name: 'Ward 5 days' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Your teams' })).toHaveCount(0);
  await phone.goto('/');
  await expect(phone.getByRole('heading', { name: 'Assigned to you' })).toHaveCount(0);
  expect((await phone.goto(teamUrl))!.status()).toBe(404);
  expect((await phone.goto(inviteLink))!.status()).not.toBe(200);

  // Brought back: all as it was.
  await archived.getByRole('button', { name: 'Unarchive Ward 5 days' }).click();
  await expect(page.getByText('The team is back')).toBeVisible();
  await expect(
    page.getByRole('region', { name: 'Your teams' }).getByRole('link', { name: 'Ward 5 days' }),
  ).toBeVisible();
  await phone.goto('/');
  await expect(phone.getByRole('link', { name: COURSE.title }).first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('the team dashboard on a phone in dark mode, filters closed', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  const leader = newPerson('Dana Dark', 'leader');
  const { teamUrl } = await leaderWithTeam(page, leader, 'Ward 2 nights');
  await page.goto(teamUrl);
  const assign = page.getByRole('region', { name: 'Assign a course' });
  const option = (await assign.getByRole('option', { name: COURSE.title }).textContent())!.trim();
  await assign.getByLabel('Course', { exact: true }).selectOption({ label: option });
  await assign.getByLabel('Due date', { exact: true }).fill(isoInDays(3));
  await assign.getByRole('button', { name: 'Assign course' }).click();
  await expect(page.getByText('Course assigned.')).toBeVisible();
  // The leader takes the course with the team, so the grid has a row.
  await page.getByRole('button', { name: 'Take the courses with my team' }).click();
  await page.goto(teamUrl);
  const row = page.getByRole('row', { name: new RegExp(leader.name) });
  const box = (await row.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(page.viewportSize()!.height);
  await shoot(page, 'team-dashboard-phone-dark');
  await page.goto(`${teamUrl}/manage`);
  await page
    .getByRole('img', { name: /QR code for the invite link/ })
    .evaluate((img) => img.scrollIntoView({ block: 'center' }));
  await shoot(page, 'team-invite-qr-phone-dark');
  // And on a desktop, where the filters may be opened beside the grid.
  await page.setViewportSize({ width: 1280, height: 900 });
  await shoot(page, 'team-invite-qr-desktop-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(teamUrl);
  await shoot(page, 'team-dashboard-desktop-light');
});

test('automatic reminders: the leader sets the schedule (bad input beside the field) and sees who gets what next; the email opens the course', async ({
  page,
  openContext,
}) => {
  test.setTimeout(90_000);
  const errors = failOnServerErrors(page);
  const leader = newPerson('Rhea Rota', 'leader');
  const member = newPerson('Sol Shift', 'member');
  const { teamUrl, inviteLink } = await leaderWithTeam(page, leader, 'Ward 9 auto');

  // The member joins on her phone with a confirmed address and no quiet hours.
  const phone = await (await openContext()).newPage();
  await signUp(phone, member);
  const confirm = await latestMail(member.email, { subject: /Confirm your email/ });
  await phone.goto(linkFrom(confirm.text));
  await phone.getByRole('button', { name: 'Confirm my email address' }).click();
  await phone.goto(inviteLink);
  await phone.getByRole('button', { name: 'Join Ward 9 auto' }).click();
  await phone.goto('/teams#reminders');
  await phone.getByLabel('Quiet from').fill('00:00');
  await phone.getByLabel('Quiet until').fill('00:00');
  await phone.getByRole('button', { name: 'Save reminder settings' }).click();
  await expect(phone.getByText('Reminder settings saved.')).toBeVisible();

  // A course due in ten days: outside the default three days before, so nothing is due yet.
  await page.goto(teamUrl);
  const assign = page.getByRole('region', { name: 'Assign a course' });
  const option = (await assign.getByRole('option', { name: COURSE.title }).textContent())!.trim();
  await assign.getByLabel('Course', { exact: true }).selectOption({ label: option });
  await assign.getByLabel('Due date', { exact: true }).fill(isoInDays(10));
  await assign.getByRole('button', { name: 'Assign course' }).click();
  await expect(page.getByText('Course assigned.')).toBeVisible();

  await page.goto(`${teamUrl}/manage`);
  const section = page.getByRole('region', { name: 'Automatic reminders' });
  const next = section.getByRole('list', { name: 'Who will get what next' });
  await expect(next.getByRole('listitem')).toHaveText([
    new RegExp(`${member.name}: ${COURSE.title}, reminder 3 days before the due date\\.`),
  ]);

  // Bad input: the message beside the field, what was typed kept, nothing saved.
  const days = section.getByLabel('First reminder, days before the due date');
  for (const [typed, message] of [
    ['many', 'Enter a number of days, like 3.'],
    ['100000', 'Use at most 30 days before the due date.'],
    ['-2', 'Use 0 (no reminder before the day) or more days.'],
  ]) {
    await days.fill(typed);
    await section.getByRole('button', { name: 'Save schedule' }).click();
    await expect(section.getByText(message)).toBeVisible();
    await expect(days).toHaveValue(typed);
    await expect(days).toHaveAttribute('aria-invalid', 'true');
  }
  await page.goto(`${teamUrl}/manage`);
  await expect(days).toHaveValue('3');

  // Ten days before: the reminder is due today, and goes out at once.
  await days.fill('10');
  await section.getByRole('button', { name: 'Save schedule' }).click();
  await expect(page.getByText('Reminder schedule saved.')).toBeVisible();
  const reminder = await latestMail(member.email, { subject: /Coming up/, timeout: 30_000 });
  expect(reminder.subject).toBe(`Coming up: ${COURSE.title}`);
  expect(reminder.listUnsubscribe).toContain('/teams/reminders/unsubscribe?teams=');
  await page.goto(`${teamUrl}/manage`);
  await expect(next.getByRole('listitem')).toHaveText([
    new RegExp(`${member.name}: ${COURSE.title}, reminder on the due date\\.`),
  ]);
  await section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shoot(page, 'team-automatic-reminders-phone');
  await expectNoSeriousAxeFindings(page, 'members page with automatic reminders');

  // The email's link opens the course's first lesson on her phone.
  await phone.goto(linkFrom(reminder.text));
  await expect(phone).toHaveURL(new RegExp(`${COURSE.lessons[0]!.url}$`));
  await expect(phone.getByRole('heading', { level: 1, name: COURSE.lessons[0]!.title })).toBeVisible();
  await shoot(phone, 'team-automatic-reminder-opened-phone');
  expect(errors).toEqual([]);
});
