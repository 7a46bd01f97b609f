// Without JavaScript every lesson form still posts and comes back with the outcome.
import {
  BASE_URL,
  expect,
  findLesson,
  newPerson,
  ONE_AT_A_TIME,
  question,
  rightAnswers,
  rightOption,
  signUp,
  test,
  wrongOption,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

test.use({ javaScriptEnabled: false });

test('a lesson works as plain forms: check, complete, reflect', async ({ page }) => {
  await signUp(page, newPerson('Noor Haddad', 'nojs'));
  const lesson = findLesson('team-huddles', 'speaking-up');
  const lessonUrl = `${BASE_URL}${lesson.url}`;
  await page.goto(lesson.url);
  await expect(page.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();

  // A wrong answer is sent back with the reason, nothing is completed.
  await question(page, lesson, 0).getByLabel(wrongOption(lesson, 0).text, { exact: true }).check();
  for (let index = 1; index < lesson.check.length; index++) {
    await question(page, lesson, index).getByLabel(rightOption(lesson, index).text, { exact: true }).check();
  }
  await page.getByRole('button', { name: 'Mark complete' }).click();
  await expect(page).toHaveURL(`${lessonUrl}#check-incomplete`);
  await expect(page.getByRole('alert').filter({ hasText: 'Answer every question correctly' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Lesson complete' })).toHaveCount(0);

  // All right: "Mark complete" comes back to the lesson with the notice.
  expect(rightAnswers(lesson).every((option) => option >= 0)).toBe(true);
  for (let index = 0; index < lesson.check.length; index++) {
    await question(page, lesson, index).getByLabel(rightOption(lesson, index).text, { exact: true }).check();
  }
  await page.getByRole('button', { name: 'Mark complete' }).click();
  await expect(page).toHaveURL(`${lessonUrl}#lesson-completed`);
  await expect(page.getByRole('status').filter({ hasText: 'Lesson complete' })).toBeVisible();

  const data = (await (await page.request.get('/account/export.json')).json()) as {
    progress: { lesson: string; completedAt: string | null }[];
  };
  expect(data.progress.filter((row) => row.lesson === lesson.slug && row.completedAt)).toHaveLength(1);

  // The reflection posts with the plain Save button.
  const text = 'Next handover I will use SBAR out loud, even for the small stuff.';
  await page.getByRole('textbox', { name: lesson.reflection }).fill(text);
  await page.getByRole('button', { name: 'Save reflection' }).click();
  await expect(page).toHaveURL(`${lessonUrl}#reflection-saved`);
  await expect(page.getByRole('status').filter({ hasText: 'Your reflection is saved' })).toBeVisible();

  // Over the limit: a page that says by how much, with the text kept to trim and save again.
  const over = `${text} ${'x'.repeat(10_000 - text.length)}`;
  await page.getByRole('textbox', { name: lesson.reflection }).fill(over);
  await page.getByRole('button', { name: 'Save reflection' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your reflection was not saved' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveText(
    'Too long to save: 10,001 characters, 1 over the limit of 10,000. Shorten it and save again; your text is kept below.',
  );
  const kept = page.getByRole('textbox', { name: 'Your reflection' });
  await expect(kept).toHaveValue(over);
  await kept.fill(over.slice(0, 10_000));
  await page.getByRole('button', { name: 'Save again' }).click();
  await expect(page).toHaveURL(`${lessonUrl}#reflection-saved`);

  await page.goto('/journal');
  await expect(page.getByRole('paragraph').filter({ hasText: over.slice(0, 10_000) })).toBeVisible();
});
