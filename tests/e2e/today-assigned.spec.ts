// Today for a member of a team, on a phone: what is assigned comes first, with its due
// date in words and the page's one main button; the welcome suggestion steps back; and
// "Nothing left" never shows while assigned work is open.
import type { Page } from '@playwright/test';
import {
  expect,
  findCourse,
  latestMail,
  linkFrom,
  newPerson,
  ONE_AT_A_TIME,
  rightAnswers,
  SAME_ORIGIN,
  signUp,
  test,
  type CourseInfo,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const DUE_TODAY = findCourse('the-practice-you-hoped-for');
const DUE_LATER = findCourse('team-huddles');
const NOT_ASSIGNED = findCourse('patient-connection');

function isoInDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function assign(page: Page, course: CourseInfo, dueOn: string): Promise<void> {
  const form = page.getByRole('region', { name: 'Assign a course' });
  const option = (await form.getByRole('option', { name: course.title }).textContent())!.trim();
  await form.getByLabel('Course', { exact: true }).selectOption({ label: option });
  await form.getByLabel('Due date', { exact: true }).fill(dueOn);
  await form.getByRole('button', { name: 'Assign course' }).click();
  await expect(page.getByText('Course assigned.')).toBeVisible();
}

/** Completes every lesson of a course through the Action the lesson page posts to. */
async function completeCourse(page: Page, course: CourseInfo): Promise<void> {
  for (const lesson of course.lessons) {
    const answers = Object.fromEntries(rightAnswers(lesson).map((option, index) => [`q${index}`, String(option)]));
    const response = await page.request.post('/_actions/progress.complete', {
      headers: SAME_ORIGIN,
      form: { courseSlug: lesson.course, lessonSlug: lesson.slug, ...answers },
    });
    expect(response.status(), `complete ${lesson.slug}`).toBe(200);
  }
}

test('a new member sees the course due today first, in words, with the one main button', async ({
  page,
  openContext,
}) => {
  test.setTimeout(120_000);
  const leader = newPerson('Rosa Leader', 'leader');
  await signUp(page, leader);
  await page.goto('/teams');
  await page.getByLabel('Team name').fill('3 East days');
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '3 East days' })).toBeVisible();
  const teamUrl = page.url();
  await assign(page, DUE_TODAY, isoInDays(0));
  await assign(page, DUE_LATER, isoInDays(3));
  await page.getByRole('link', { name: 'Members and invites' }).click();
  // The team's only leader is not offered to step down to member.
  await expect(page.getByRole('button', { name: /^Make member/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Create invite' }).click();
  const inviteLink = await page.getByLabel('Invite link').first().inputValue();
  // One tap copies it (the link is also there to select by hand).
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy link' }).first().click();
  await expect(page.getByText('Link copied.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(inviteLink);

  const phone = await (await openContext()).newPage();
  const member = newPerson('Ngozi Eze', 'member');
  await signUp(phone, member);
  await phone.goto(linkFrom((await latestMail(member.email, { subject: /Confirm your email/ })).text));
  await phone.getByRole('button', { name: 'Confirm my email address' }).click();
  await phone.goto(inviteLink);
  await phone.getByRole('button', { name: 'Join 3 East days' }).click();
  await expect(phone.getByText('Welcome to 3 East days.')).toBeVisible();

  await phone.goto('/');
  const headings = phone.getByRole('main').getByRole('heading', { level: 2 });
  await expect(headings.first()).toHaveText('Assigned to you');
  const cards = phone.getByRole('region', { name: 'Assigned to you' }).getByRole('listitem');
  await expect(cards).toHaveCount(2);
  await expect(cards.nth(0)).toContainText(DUE_TODAY.title);
  await expect(cards.nth(0)).toContainText('due today · 3 East days');
  await expect(cards.nth(1)).toContainText('due in 3 days');
  // One main button: the first assignment's. The welcome suggestion is secondary.
  const mainButtons = phone.getByRole('main').locator('a.button:not(.secondary)');
  await expect(mainButtons).toHaveCount(1);
  await expect(mainButtons).toHaveAccessibleName(new RegExp(`^Start · \\d+ min of ${DUE_TODAY.title}$`));
  await expect(phone.getByText('A good place to start')).toHaveCount(0);
  await expect(phone.getByText('When your assigned work is done, you could try:')).toBeVisible();

  // Finishing a course that was not assigned leaves the assigned ones first; never "Nothing left".
  await completeCourse(phone, NOT_ASSIGNED);
  await completeCourse(phone, DUE_TODAY);
  await phone.goto('/');
  await expect(headings.first()).toHaveText('Assigned to you');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText(DUE_LATER.title);
  await expect(phone.getByRole('heading', { name: 'Nothing left in your courses' })).toHaveCount(0);
  await expect(
    phone.getByRole('region', { name: 'Done for your team' }).getByRole('link', { name: DUE_TODAY.title }),
  ).toBeVisible();

  // The leader's dashboard still works with the assignments done and open.
  await page.goto(teamUrl);
  await expect(page.getByRole('row', { name: new RegExp(member.name) })).toBeVisible();
  // The leader is not counted in her own team's numbers unless she takes the courses with it.
  await expect(page.getByText('As a leader you are not counted in these numbers.')).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(leader.name) })).toHaveCount(0);
  await page.getByRole('button', { name: 'Take the courses with my team' }).click();
  await expect(page.getByRole('row', { name: new RegExp(leader.name) })).toBeVisible();
  await page.getByRole('button', { name: 'Stop taking the courses with the team' }).click();
  await expect(page.getByRole('row', { name: new RegExp(leader.name) })).toHaveCount(0);
  // Who is behind comes before the form to assign more.
  const top = async (name: string) => (await page.getByRole('heading', { level: 2, name }).boundingBox())!.y;
  expect(await top('Who is where')).toBeLessThan(await top('Assign a course'));

  // A personal due date the server refuses (a five-digit year, which a date field lets through):
  // the form stays open with the error beside the date, and the choices are kept.
  await page.getByText('A personal due date for one member').click();
  const personal = page.locator('details.personal-due');
  const secondOption = (await personal.getByRole('option', { name: new RegExp(DUE_LATER.title) }).textContent())!;
  await personal.getByLabel('Course', { exact: true }).selectOption({ label: secondOption.trim() });
  await personal.getByLabel('Member', { exact: true }).selectOption({ label: member.name });
  await personal.getByLabel('Their due date', { exact: true }).fill('20255-12-01');
  await personal.getByRole('button', { name: 'Save personal date' }).click();
  await expect(personal).toHaveAttribute('open', '');
  const date = personal.getByLabel('Their due date', { exact: true });
  await expect(date).toHaveAttribute('aria-invalid', 'true');
  await expect(date).toHaveAccessibleDescription(/YYYY-MM-DD/);
  await expect(date).toHaveValue('20255-12-01');
  await expect(personal.getByLabel('Member', { exact: true })).toHaveValue(
    (await personal.getByRole('option', { name: member.name }).getAttribute('value'))!,
  );
  await expect(personal.getByLabel('Course', { exact: true }).locator('option:checked')).toHaveText(secondOption);
});
