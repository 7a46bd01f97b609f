// A learner for the budget checks, made through the UI as a person would: sign up,
// then finish the first lesson (choose the right answers, mark complete) and write a
// reflection, so Today, the journal and the account page show real content.
import type { BrowserContext } from '@playwright/test';
import type { CatalogLesson } from '#lib/catalog.ts';

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
  await page
    .getByLabel(lesson.reflection)
    .fill('I will sit down for the first minute and ask what matters most today.');
  const saved = page.waitForResponse(
    (r) => r.url().endsWith('/_actions/reflections.save') && r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Save reflection' }).click();
  if ((await saved).status() !== 200) throw new Error('Could not save a reflection');
  await page.close();
  return { email };
}

/**
 * A learner with a confirmed email finishes the shortest course through the Actions the
 * pages use; returns the path of the certificate's verification page (for Lighthouse).
 * Without SMTP the budget server prints each email to its log, where the link is.
 */
export async function earnCertificate(origin: string): Promise<string | undefined> {
  const { readFileSync } = await import('node:fs');
  const { testCatalog } = await import('../support/catalog.ts');
  const email = `budget-certificate-${Date.now().toString(36)}@example.org`;
  const post = (action: string, form: Record<string, string>, cookie = '') =>
    fetch(`${origin}/_actions/${action}`, {
      method: 'POST',
      headers: { origin, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  const signedUp = await post('accounts.signUp', {
    name: 'Nguyễn Thị Ánh',
    email,
    password: 'quiet harbour lantern ninety',
  });
  const session = signedUp.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .find((pair) => /session=/.test(pair));
  if (!session) throw new Error(`Could not sign up for a certificate: ${signedUp.status}`);
  const log = readFileSync(new URL('../.output/budgets/server.log', import.meta.url), 'utf8');
  const token = new RegExp(`To: ${email.replace(/[.+]/g, '\\$&')}[\\s\\S]*?/verify-email\\?token=([a-z0-9]+)`).exec(
    log,
  )?.[1];
  if (!token || (await post('accounts.verifyEmail', { token })).status !== 200)
    throw new Error('Could not confirm the email for a certificate');
  const course = [...testCatalog().courses].sort((a, b) => a.lessons.length - b.lessons.length)[0]!;
  for (const lesson of course.lessons) {
    const answers = Object.fromEntries(
      lesson.check.map((q, i) => [`q${i}`, String(q.options.findIndex((o) => o.correct))]),
    );
    const completed = await post(
      'progress.complete',
      { courseSlug: course.slug, lessonSlug: lesson.slug, ...answers },
      session,
    );
    if (completed.status !== 200) throw new Error(`Could not complete ${lesson.slug}: ${completed.status}`);
  }
  const last = course.lessons.at(-1)!;
  const state = (await (
    await fetch(`${origin}/courses/${course.slug}/${last.slug}/state.json`, { headers: { cookie: session } })
  ).json()) as { certificate?: { url?: string } };
  return state.certificate?.url;
}
