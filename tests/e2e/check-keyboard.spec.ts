// The knowledge check with the keyboard only: arrowing through a question's options
// chooses without answering (nothing is sent, no feedback appears); "Check answer"
// answers, once, and shows the feedback (WCAG 2.2, 3.2.2 On Input).
import {
  expect,
  expectFeedbackShown,
  findCourse,
  newPerson,
  ONE_AT_A_TIME,
  openLesson,
  question,
  signUp,
  test,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

test('arrow keys move between options without answering; Check answer answers once', async ({ page }) => {
  await signUp(page, newPerson('Kay Board', 'keys'));
  const lesson = findCourse('patient-connection').lessons[0]!;
  await openLesson(page, lesson.url);
  const answers: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/_actions/progress.answer')) answers.push(request.postData() ?? '');
  });

  const group = question(page, lesson, 0);
  const options = lesson.check[0]!.options;
  // Into the group with Tab, then through every option with the arrow keys.
  await group.getByRole('radio').first().focus();
  await page.keyboard.press('Space');
  for (let i = 0; i < options.length; i++) await page.keyboard.press('ArrowDown');
  await expect(group.getByRole('radio', { checked: true })).toHaveCount(1);
  for (const option of options) await expect(group.getByText(option.feedback)).toBeHidden();
  expect(answers, 'choosing sends nothing').toEqual([]);

  // Tab to "Check answer" and press it: one answer, with its feedback.
  const chosen = await group.getByRole('radio', { checked: true }).getAttribute('value');
  await page.keyboard.press('Tab');
  await expect(group.getByRole('button', { name: 'Check answer' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expectFeedbackShown(group, options[Number(chosen)]!.feedback);
  await expect.poll(() => answers.length).toBe(1);
  expect(answers[0]).toMatch(new RegExp(`name="option"\\s+${chosen}\\s`));

  // Pressing it with nothing chosen says what to do, where the learner is looking.
  const second = question(page, lesson, 1);
  await second.getByRole('button', { name: 'Check answer' }).click();
  await expect(second.getByText('Choose one of the answers first.').first()).toBeVisible();
});
