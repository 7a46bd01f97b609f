// A leader's team from start to CSV: create, invite, a member joins by link on a
// phone, assignment, a reminder outside quiet hours, unsubscribe, completion.
import { parse } from 'csv-parse/sync';
import {
  BASE_URL,
  expect,
  failOnServerErrors,
  findCourse,
  latestMail,
  linkFrom,
  mailTo,
  newPerson,
  ONE_AT_A_TIME,
  openLesson,
  question,
  rightOption,
  signUp,
  test,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const COURSE = findCourse('the-practice-you-hoped-for');
const SECOND = findCourse('team-huddles');

function isoInDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function clockInUtc(hoursFromNow: number): string {
  const at = new Date(Date.now() + hoursFromNow * 3_600_000);
  return `${String(at.getUTCHours()).padStart(2, '0')}:00`;
}

test('a leader assigns a course, a member joins on a phone and completes it, reminders respect quiet hours and unsubscribe', async ({
  page,
  openContext,
}) => {
  test.setTimeout(180_000);
  const errors = failOnServerErrors(page);
  const leader = newPerson('Lena Leader', 'leader');
  const member = newPerson('Mo Member', 'member');

  // The leader creates a team and an invite.
  await signUp(page, leader);
  await page.getByRole('link', { name: 'Teams' }).click();
  await page.getByLabel('Team name').fill('Ward 7 nights');
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ward 7 nights' })).toBeVisible();
  const teamUrl = new URL(page.url()).pathname;
  await page.getByRole('link', { name: 'Members and invites' }).click();
  await page.getByRole('button', { name: 'Create invite' }).click();
  const inviteLink = await page.getByLabel('Invite link').first().inputValue();
  expect(inviteLink).toMatch(/\/join\/[A-Z0-9]{12}$/);

  // The member follows the link on a phone while signed out, signs up, confirms their email, joins.
  const phone = await (await openContext()).newPage();
  await phone.goto(inviteLink);
  await expect(phone.getByRole('heading', { name: 'Join Ward 7 nights' })).toBeVisible();
  await phone.getByRole('link', { name: 'Create an account' }).click();
  await phone.getByLabel('Your name').fill(member.name);
  await phone.getByLabel('Email', { exact: true }).fill(member.email);
  await phone.getByLabel('Password', { exact: true }).fill(member.password);
  await phone.getByRole('button', { name: 'Create account' }).click();
  await expect(phone).toHaveURL(inviteLink);
  await expect(phone.getByText('Please confirm your email first.')).toBeVisible();
  const confirm = await latestMail(member.email, { subject: /Confirm your email/ });
  await phone.goto(linkFrom(confirm.text));
  await phone.getByRole('button', { name: 'Confirm my email address' }).click();
  // Confirming leads back to the team being joined; Today says so too, above everything else.
  await expect(phone.getByRole('link', { name: 'Finish joining your team' })).toHaveAttribute(
    'href',
    /^\/join\/[A-Z0-9]+$/,
  );
  await phone.goto('/');
  await phone.getByRole('link', { name: 'Finish joining the team you were invited to' }).click();
  await phone.getByRole('button', { name: 'Join Ward 7 nights' }).click();
  await expect(phone.getByText('Welcome to Ward 7 nights.')).toBeVisible();
  // Joining twice is harmless.
  await phone.goto(inviteLink);
  await expect(phone.getByRole('link', { name: /already in this team/ })).toBeVisible();

  // Quiet hours that do not include now, in UTC (the account's time zone).
  await phone.goto('/teams#reminders');
  await phone.getByLabel('Quiet from').fill(clockInUtc(3));
  await phone.getByLabel('Quiet until').fill(clockInUtc(5));
  await phone.getByRole('button', { name: 'Save reminder settings' }).click();
  await expect(phone.getByText('Reminder settings saved.')).toBeVisible();

  // The leader assigns two courses and sees the member has not started.
  await page.goto(teamUrl);
  for (const course of [COURSE, SECOND]) {
    const form = page.getByRole('region', { name: 'Assign a course' });
    const option = (await form.getByRole('option', { name: course.title }).textContent())!.trim();
    await form.getByLabel('Course', { exact: true }).selectOption({ label: option });
    await form.getByLabel('Due date', { exact: true }).fill(isoInDays(7));
    await form.getByRole('button', { name: 'Assign course' }).click();
    await expect(page.getByText('Course assigned.')).toBeVisible();
  }
  const memberRow = page.getByRole('row', { name: new RegExp(member.name) });
  await expect(memberRow.getByRole('cell').first()).toContainText('Not started');

  // The member will be on leave: a personal due date for the second course, shown in the grid.
  await page.getByText('A personal due date for one member').click();
  const personal = page.locator('details.personal-due');
  const secondOption = (await personal.getByRole('option', { name: new RegExp(SECOND.title) }).textContent())!.trim();
  await personal.getByLabel('Course', { exact: true }).selectOption({ label: secondOption });
  await personal.getByLabel('Member', { exact: true }).selectOption({ label: member.name });
  await personal.getByLabel('Their due date', { exact: true }).fill(isoInDays(21));
  await personal.getByRole('button', { name: 'Save personal date' }).click();
  await expect(page.getByText('Personal due date saved.')).toBeVisible();
  await expect(
    page
      .getByRole('row', { name: new RegExp(member.name) })
      .getByRole('cell')
      .nth(1),
  ).toContainText(/due \d{1,2} \w{3} \d{4}/);

  // The member sees it on Today.
  await phone.goto('/');
  await expect(phone.getByRole('heading', { name: 'Assigned to you' })).toBeVisible();
  await expect(phone.getByRole('link', { name: COURSE.title }).first()).toBeVisible();

  // A reminder: the page says who gets it, then it reaches the member's inbox.
  await page
    .locator('li.assignment', { hasText: COURSE.title })
    .getByRole('link', { name: 'Send a reminder…' })
    .click();
  await expect(page.getByRole('heading', { name: '1 person will get it' })).toBeVisible();
  await expect(page.getByText(member.name)).toBeVisible();
  await page.getByRole('button', { name: 'Send reminder to 1 person' }).click();
  await expect(page.getByText(`Reminder queued for ${member.name}`)).toBeVisible();
  const reminder = await latestMail(member.email, { subject: /friendly reminder/, timeout: 20_000 });
  expect(reminder.text).toContain(`/courses/${COURSE.slug}/${COURSE.lessons[0]!.slug}`);
  // At most one a day: asking again sends nothing.
  await page.reload();
  await expect(page.getByText('Reminded in the last 24 hours')).toBeVisible();

  // The mail app's own unsubscribe button (RFC 8058: a POST to the List-Unsubscribe link,
  // no sign-in, no browser), then the next reminder does not go out. The link in the text
  // is the same one; a person opening it gets a page with a button (the events test).
  const unsubscribe = /https?:\/\/\S+\/teams\/reminders\/unsubscribe\?token=\S+/.exec(reminder.text)![0];
  expect(reminder.listUnsubscribe).toBe(`<${unsubscribe}>`);
  expect(reminder.listUnsubscribePost).toBe('List-Unsubscribe=One-Click');
  const anonymous = await openContext();
  const oneClick = await anonymous.request.post(unsubscribe, { form: { 'List-Unsubscribe': 'One-Click' } });
  expect(oneClick.status()).toBe(200);
  expect(await oneClick.text()).toMatch(/Unsubscribed/);
  await page.goto(teamUrl);
  await page
    .locator('li.assignment', { hasText: SECOND.title })
    .getByRole('link', { name: 'Send a reminder…' })
    .click();
  await expect(page.getByRole('heading', { name: 'Nobody would get a reminder now' })).toBeVisible();
  await expect(page.getByText('Turned reminders off')).toBeVisible();
  expect((await mailTo(member.email)).filter((m) => /friendly reminder/.test(m.subject))).toHaveLength(1);

  // The member completes the course on the phone.
  for (const lesson of COURSE.lessons) {
    await openLesson(phone, `${BASE_URL}${lesson.url}`);
    for (let index = 0; index < lesson.check.length; index++) {
      await question(phone, lesson, index).getByLabel(rightOption(lesson, index).text, { exact: true }).check();
    }
    await phone.getByRole('button', { name: 'Mark complete' }).click();
    await expect(phone.getByRole('status').filter({ hasText: 'Lesson complete' })).toBeVisible();
  }

  // The leader sees it completed, and the CSV says so.
  await page.goto(teamUrl);
  await expect(
    page
      .getByRole('row', { name: new RegExp(member.name) })
      .getByRole('cell')
      .first(),
  ).toContainText('Completed');
  const csv = await page.request.get(`${teamUrl}/record.csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const body = await csv.text();
  expect(body.charCodeAt(0)).toBe(0xfeff);
  const rows = parse(body.slice(1), { columns: true }) as Record<string, string>[];
  const done = rows.find((r) => r.member === member.name && r.course_slug === COURSE.slug)!;
  expect(done).toMatchObject({ state: 'completed', due_date: isoInDays(7) });
  expect(done.completed_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(rows.find((r) => r.member === member.name && r.course_slug === SECOND.slug)).toMatchObject({
    state: 'not-started',
    due_date: isoInDays(21),
  });

  // A member cannot export or manage; a stranger does not even see the team.
  expect((await phone.request.get(`${teamUrl}/record.csv`)).status()).toBe(403);
  expect((await phone.request.get(`${teamUrl}/manage`)).status()).toBe(403);
  expect((await anonymous.request.get(`${teamUrl}/record.csv`)).status()).toBe(401);
  expect(errors).toEqual([]);
});

test('an expired, revoked or unknown code says so plainly', async ({ page }) => {
  const response = await page.goto('/join/ZZZZ-ZZZZ');
  expect(response!.status()).toBe(404);
  await expect(page.getByText('We could not find an invite with this code.')).toBeVisible();
});
