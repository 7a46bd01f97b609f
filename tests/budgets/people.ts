// A learner for the budget checks, made through the UI as a person would: sign up,
// then finish the first lesson (choose the right answers, mark complete) and write a
// reflection, so Today, the journal and the account page show real content.
import type { BrowserContext } from '@playwright/test';
import type { CatalogLesson } from '../../src/lib/catalog.ts';

export async function signUpInBrowser(context: BrowserContext, lesson: CatalogLesson): Promise<{ email: string }> {
  const email = `budget-${Date.now().toString(36)}@example.org`;
  const page = await context.newPage();
  await page.goto('/signup');
  await page.getByLabel('Your name').fill('Zoë Ångström');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('quiet harbour lantern ninety');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');

  await page.goto(`/courses/${lesson.courseSlug}/${lesson.slug}`);
  await page.getByRole('button', { name: 'Mark complete' }).waitFor();
  for (const question of lesson.check) {
    const right = question.options.find((option) => option.correct)!;
    await page.getByRole('group', { name: question.question }).getByLabel(right.text, { exact: true }).check();
  }
  const completed = page.waitForResponse((r) => r.url().endsWith('/_actions/progress.complete'));
  await page.getByRole('button', { name: 'Mark complete' }).click();
  if ((await completed).status() !== 200) throw new Error('Could not complete the first lesson');
  await page.getByLabel(lesson.reflection).fill('I will sit down for the first minute and ask what matters most today.');
  const saved = page.waitForResponse((r) => r.url().endsWith('/_actions/reflections.save') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Save reflection' }).click();
  if ((await saved).status() !== 200) throw new Error('Could not save a reflection');
  await page.close();
  return { email };
}
