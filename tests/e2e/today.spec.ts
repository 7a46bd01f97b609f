// Today after some learning, on a phone: Continue is the next unfinished lesson of the
// course touched last, with its minutes; every course started has its progress (lessons
// done of total, minutes left); a finished course shows its completion date; "This month"
// counts lessons and minutes; course pages mark each lesson done, next or not started.
import type { Page } from '@playwright/test';
import {
  BASE_URL,
  checkAnswer,
  expect,
  expectFeedbackShown,
  findCourse,
  newPerson,
  ONE_AT_A_TIME,
  openLesson,
  question,
  rightAnswers,
  rightOption,
  SAME_ORIGIN,
  signUp,
  test,
  type CourseInfo,
  type LessonInfo,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const A = findCourse('patient-connection');
const B = findCourse('the-practice-you-hoped-for');
const C = findCourse('team-huddles');
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
const minutes = (lessons: LessonInfo[]) => lessons.reduce((sum, lesson) => sum + lesson.minutes, 0);

/** Takes a lesson through the page: every question right, then "Mark complete". */
async function completeInPage(page: Page, lesson: LessonInfo): Promise<void> {
  await openLesson(page, lesson.url);
  for (let index = 0; index < lesson.check.length; index++) {
    await question(page, lesson, index).getByLabel(rightOption(lesson, index).text, { exact: true }).check();
  }
  await page.getByRole('button', { name: 'Mark complete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Lesson complete' })).toBeVisible();
}

/** Completes a lesson through the same Action the page posts to, with the learner's session. */
async function completeOverHttp(page: Page, lesson: LessonInfo): Promise<void> {
  const answers = Object.fromEntries(rightAnswers(lesson).map((option, index) => [`q${index}`, String(option)]));
  const response = await page.request.post('/_actions/progress.complete', {
    headers: SAME_ORIGIN,
    form: { courseSlug: lesson.course, lessonSlug: lesson.slug, ...answers },
  });
  expect(response.status(), `complete ${lesson.slug}`).toBe(200);
}

function courseCard(page: Page, course: CourseInfo) {
  return page
    .getByRole('region', { name: 'My courses' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name: course.title }) });
}

async function expectContinue(page: Page, lesson: LessonInfo, course: CourseInfo): Promise<void> {
  const card = page.getByRole('region', { name: 'Continue where you left off' });
  await expect(card).toContainText(`${course.title} · lesson ${lesson.position} of ${course.lessons.length}`);
  await expect(card).toContainText(lesson.title);
  await expect(card.getByRole('link', { name: `Continue · ${lesson.minutes} min` })).toHaveAttribute(
    'href',
    lesson.url,
  );
}

async function expectLessonStates(
  page: Page,
  course: CourseInfo,
  states: ('✓ Done' | 'Next' | 'Not started')[],
): Promise<void> {
  await page.goto(course.url);
  const items = page
    .getByRole('list')
    .filter({ has: page.getByRole('link', { name: course.lessons[0]!.title, exact: true }) })
    .getByRole('listitem');
  await expect(items).toHaveCount(course.lessons.length);
  for (const [index, lesson] of course.lessons.entries()) {
    const item = items.nth(index);
    await expect(item.getByRole('link', { name: lesson.title, exact: true })).toBeVisible();
    await expect(item, `${lesson.slug} is ${states[index]}`).toContainText(`${lesson.minutes} min`);
    await expect(item.getByText(states[index]!, { exact: true })).toBeVisible();
  }
}

test('Today shows where to continue, progress per course, a completed course and this month, with the right numbers', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signUp(page, newPerson('Ngozi Eze', 'today-numbers'));

  // B finished first (over HTTP: five lessons), then lessons 1 and 3 of A in the page,
  // then lesson 1 of C: C is the course touched last.
  for (const lesson of B.lessons) await completeOverHttp(page, lesson);
  const finishedOn = dateFormat.format(new Date());
  await completeInPage(page, A.lessons[0]!);
  await completeInPage(page, A.lessons[2]!);
  await completeInPage(page, C.lessons[0]!);

  await page.goto('/');
  await expectContinue(page, C.lessons[1]!, C);

  // Every course started, with lessons done of total, minutes left and a bar.
  const aDone = [A.lessons[0]!, A.lessons[2]!];
  const cDone = [C.lessons[0]!];
  for (const [course, done] of [
    [A, aDone],
    [C, cDone],
  ] as const) {
    const card = courseCard(page, course);
    const left = minutes(course.lessons.filter((lesson) => !done.includes(lesson)));
    await expect(card).toContainText(`${done.length} of ${course.lessons.length} lessons · about ${left} min left`);
    const bar = card.getByRole('progressbar', { name: `Progress in ${course.title}` });
    await expect(bar).toHaveAttribute('value', String(done.length));
    await expect(bar).toHaveAttribute('max', String(course.lessons.length));
  }
  await expect(courseCard(page, B)).toHaveCount(0);

  // The finished course, with its date.
  const completed = page.getByRole('region', { name: 'Completed' });
  await expect(completed.getByRole('listitem').filter({ hasText: B.title })).toContainText(
    `${B.title} — completed ${finishedOn}`,
  );

  // This month: every lesson above, and their minutes.
  const all = [...B.lessons, ...aDone, ...cDone];
  await expect(page.getByRole('region', { name: 'This month' })).toContainText(
    `You finished ${all.length} lessons, about ${minutes(all)} minutes of learning.`,
  );

  // Course pages: each lesson's state, and the course's progress.
  await expectLessonStates(page, A, ['✓ Done', 'Next', '✓ Done', 'Not started', 'Not started', 'Not started']);
  await expect(
    page.getByText(
      `2 of ${A.lessons.length} lessons done · about ${minutes(A.lessons.filter((l) => !aDone.includes(l)))} minutes left`,
    ),
  ).toBeVisible();
  await expect(page.getByRole('link', { name: `Continue: ${A.lessons[1]!.title}` })).toBeVisible();
  await expectLessonStates(
    page,
    B,
    B.lessons.map(() => '✓ Done'),
  );
  await expect(
    page.getByText(`${B.lessons.length} of ${B.lessons.length} lessons done · completed ${finishedOn}`),
  ).toBeVisible();
  await expect(page.getByRole('link', { name: /^(Continue|Start):/ })).toHaveCount(0);
  await expectLessonStates(page, C, ['✓ Done', 'Next', 'Not started', 'Not started', 'Not started', 'Not started']);

  // Opening lesson 4 of A (not finishing it) makes A the course touched last: Continue
  // offers A's next unfinished lesson, lesson 2.
  const opened = page.waitForResponse(
    (response) => response.url().endsWith('/_actions/progress.open') && response.ok(),
  );
  await openLesson(page, A.lessons[3]!.url);
  await opened;
  await page.goto('/');
  await expectContinue(page, A.lessons[1]!, A);
  await page
    .getByRole('region', { name: 'Continue where you left off' })
    .getByRole('link', { name: /^Continue/ })
    .click();
  await expect(page).toHaveURL(`${BASE_URL}${A.lessons[1]!.url}`);
  await expect(page.getByRole('heading', { level: 1, name: A.lessons[1]!.title })).toBeVisible();
  // Opening is not finishing: the numbers stay.
  await page.goto('/');
  await expect(courseCard(page, A)).toContainText(`2 of ${A.lessons.length} lessons`);
  await expect(page.getByRole('region', { name: 'This month' })).toContainText(`You finished ${all.length} lessons`);
});

test('Continue reopens a lesson at its check when the learner had begun answering it', async ({ page }) => {
  await signUp(page, newPerson());
  const [first, second] = C.lessons as [LessonInfo, LessonInfo];
  await completeInPage(page, first);

  // Only opened: Continue starts at the top of the lesson.
  await openLesson(page, second.url);
  await page.goto('/');
  const continueCard = page.getByRole('region', { name: 'Continue where you left off' });
  await expect(continueCard.getByRole('link', { name: /^Continue/ })).toHaveAttribute('href', second.url);

  // One question answered: the reading is behind her, so Continue opens at the check.
  await openLesson(page, second.url);
  await checkAnswer(question(page, second, 0), rightOption(second, 0).text);
  await expectFeedbackShown(question(page, second, 0), `Correct. ${rightOption(second, 0).feedback}`);
  await page.goto('/');
  await expect(continueCard.getByText('You were at its knowledge check.')).toBeVisible();
  await continueCard.getByRole('link', { name: /^Continue/ }).click();
  await expect(page).toHaveURL(`${BASE_URL}${second.url}#check`);
  await expect(page.getByRole('heading', { level: 2, name: 'Knowledge check' })).toBeInViewport();
  await expect(page.getByRole('heading', { level: 1, name: second.title })).not.toBeInViewport();
});
