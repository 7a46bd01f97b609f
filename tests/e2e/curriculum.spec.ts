// The curriculum as anyone sees it (no account): catalogue, course, lesson, check
// feedback, the pager and the huddle timer.
import {
  expect,
  checkAnswer,
  expectFeedbackShown,
  findCourse,
  ONE_AT_A_TIME,
  question,
  rightOption,
  test,
  wrongOption,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const huddles = findCourse('team-huddles');

test('browse a course, answer the check, move on to the next lesson', async ({ page }) => {
  const [first, second] = huddles.lessons;
  await page.goto('/courses');
  await expect(page.getByRole('heading', { level: 1, name: 'Courses' })).toBeVisible();
  await page.getByRole('link', { name: 'Team huddles and the clinical microsystem' }).click();
  await expect(page).toHaveURL(/\/courses\/team-huddles$/);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Team huddles and the clinical microsystem' }),
  ).toBeVisible();

  await page.getByRole('link', { name: first!.title, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${first!.url}$`));
  await expect(page.getByRole('heading', { level: 1, name: first!.title })).toBeVisible();
  await expect(page.getByText(`Lesson 1 of ${huddles.lessons.length}`)).toBeVisible();
  expect(huddles.lessons.length).toBe(6);

  // A wrong answer says why it is wrong; the right one says why it is right.
  const q1 = question(page, first!, 0);
  const wrong = wrongOption(first!, 0);
  const right = rightOption(first!, 0);
  await checkAnswer(q1, wrong.text);
  await expectFeedbackShown(q1, `Not this one. ${wrong.feedback}`);
  await checkAnswer(q1, right.text);
  await expectFeedbackShown(q1, `Correct. ${right.feedback}`);
  await expect(q1.getByText(wrong.feedback)).not.toBeVisible();

  // Every question of the check is there, each with its options.
  for (const [index, item] of first!.check.entries()) {
    await expect(question(page, first!, index).getByRole('radio')).toHaveCount(item.options.length);
  }

  await page
    .getByRole('navigation', { name: 'Lessons in this course' })
    .getByRole('link', { name: `Next ${second!.title}` })
    .click();
  await expect(page).toHaveURL(new RegExp(`${second!.url}$`));
  await expect(page.getByRole('heading', { level: 1, name: second!.title })).toBeVisible();
  await expect(page.getByText(`Lesson 2 of ${huddles.lessons.length}`)).toBeVisible();
});

test('the huddle timer runs, pauses, skips and resets', async ({ page }) => {
  const lesson = huddles.lessons.find((l) => l.title === 'The ten-minute huddle')!;
  await page.goto(lesson.url);
  await expect(page.getByRole('heading', { level: 1, name: 'The ten-minute huddle' })).toBeVisible();

  const timer = page.getByRole('region', { name: /Huddle guide/ });
  await timer.scrollIntoViewIfNeeded();
  await expect(timer).toBeVisible();
  const start = timer.getByRole('button', { name: 'Start huddle timer' });
  const pause = timer.getByRole('button', { name: 'Pause' });
  const left = timer.getByText(/left in the huddle$/);
  await expect(left).toHaveText('10:00 left in the huddle');

  // The island hydrates when it scrolls into view; press Start until it answers.
  await expect(async () => {
    if (!(await pause.isVisible())) await start.click({ timeout: 2_000 });
    await expect(pause).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  const before = await left.textContent();
  await page.waitForTimeout(1_500);
  const after = await left.textContent();
  expect(after, 'the clock moves').not.toBe(before);
  expect(after).toMatch(/^9:5\d left in the huddle$/);

  await pause.click();
  await expect(timer.getByRole('button', { name: 'Resume' })).toBeVisible();
  const paused = await left.textContent();
  await page.waitForTimeout(1_200);
  await expect(left, 'a paused clock stands still').toHaveText(paused!);

  // Next item jumps to the end of "Safety" (2 minutes): 8 minutes left, "Flow and staffing" now.
  await timer.getByRole('button', { name: 'Next item' }).click();
  await expect(left).toHaveText('8:00 left in the huddle');
  await expect(timer.getByRole('status')).toHaveText('Next: Flow and staffing.');

  await timer.getByRole('button', { name: 'Reset' }).click();
  await expect(left).toHaveText('10:00 left in the huddle');
  await expect(start).toBeVisible();
  await expect(timer.getByRole('status')).toHaveText('Timer reset.');
});

test('on a phone the huddle timer keeps the screen on, stays in view and chimes only when asked', async ({ page }) => {
  // Count buzzes: Chromium has navigator.vibrate but a headless phone cannot feel it.
  await page.addInitScript(() => {
    const w = window as unknown as { buzzes: number };
    w.buzzes = 0;
    navigator.vibrate = () => {
      w.buzzes++;
      return true;
    };
  });
  const buzzes = () => page.evaluate(() => (window as unknown as { buzzes: number }).buzzes);
  const lesson = huddles.lessons.find((l) => l.title === 'The ten-minute huddle')!;
  await page.goto(lesson.url);
  const timer = page.getByRole('region', { name: /Huddle guide/ });
  await timer.scrollIntoViewIfNeeded();
  const start = timer.getByRole('button', { name: 'Start huddle timer' });
  const pause = timer.getByRole('button', { name: 'Pause' });
  await expect(async () => {
    if (!(await pause.isVisible())) await start.click({ timeout: 2_000 });
    await expect(pause).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // Screen Wake Lock: held while running, let go on pause.
  const awake = timer.getByText('The screen stays on while the timer runs.');
  await expect(awake).toBeVisible();

  // The clock stays on screen whichever agenda item is being read.
  const clock = timer.getByText(/left in the huddle$/);
  const viewport = page.viewportSize()!;
  for (const item of await timer.getByRole('listitem').all()) {
    for (const block of ['end', 'center'] as const) {
      await item.evaluate((el, where) => el.scrollIntoView({ block: where }), block);
      const box = (await clock.boundingBox())!;
      expect(box.y, `clock in view with an item at the ${block}`).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    }
  }

  // Cues are off until asked for; one tap turns them on (with a sample) and it is remembered.
  const cues = timer.getByLabel('Chime and vibrate at each new item');
  await expect(cues).not.toBeChecked();
  await timer.getByRole('button', { name: 'Next item' }).click();
  await expect(timer.getByRole('status')).toHaveText('Next: Flow and staffing.');
  expect(await buzzes(), 'silent by default').toBe(0);
  await cues.check();
  expect(await buzzes(), 'a sample when turned on').toBe(1);
  await timer.getByRole('button', { name: 'Next item' }).click();
  await expect(timer.getByRole('status')).toHaveText('Next: Wins and gratitude.');
  expect(await buzzes(), 'a buzz at the new item').toBe(2);

  await pause.click();
  await expect(awake).toBeHidden();
  await page.reload();
  await timer.scrollIntoViewIfNeeded();
  await expect(cues).toBeChecked();
});
