// Accessibility sweep: axe (WCAG 2.0/2.1 A and AA, 2.2 AA) on every page, signed out
// and signed in, on a phone and on a laptop. Serious and critical violations fail;
// others are listed. Every page has exactly one h1.
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { curriculum, expect, newPerson, openLesson, rightAnswers, SAME_ORIGIN, signUp, test } from './support.ts';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);

interface Finding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Runs axe and the one-h1 rule on the page; returns what should fail the test. */
async function audit(page: Page, label: string, testInfo: TestInfo): Promise<string[]> {
  const problems: string[] = [];
  const h1s = await page.getByRole('heading', { level: 1 }).count();
  if (h1s !== 1) problems.push(`${label}: ${h1s} h1 headings (want exactly one)`);

  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const findings: Finding[] = results.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? 'unknown',
    help: v.help,
    targets: v.nodes.slice(0, 3).map((node) => node.target.join(' ')),
  }));
  for (const f of findings.filter((f) => FAILING_IMPACTS.has(f.impact))) {
    problems.push(`${label}: [${f.impact}] ${f.id} — ${f.help} — at ${f.targets.join(', ')}`);
  }
  const minor = findings.filter((f) => !FAILING_IMPACTS.has(f.impact));
  if (minor.length) {
    const lines = minor.map((f) => `  [${f.impact}] ${f.id} — ${f.help} (${f.targets.join(', ')})`).join('\n');
    console.log(`[${testInfo.project.name}] ${label}: ${minor.length} minor axe finding(s)\n${lines}`);
  }
  return problems;
}

async function expectAccessible(page: Page, label: string, testInfo: TestInfo): Promise<void> {
  const problems = await audit(page, label, testInfo);
  expect(problems, problems.join('\n')).toEqual([]);
}

// ── Signed out ──────────────────────────────────────────────────────────────

const publicPages: { label: string; path: string; status?: number }[] = [
  { label: 'landing', path: '/' },
  { label: 'sign up', path: '/signup' },
  { label: 'sign in', path: '/login' },
  { label: 'forgot password', path: '/forgot-password' },
  { label: 'reset password', path: '/reset-password?token=x' },
  { label: 'verify email', path: '/verify-email' },
  { label: 'verify email, from the link', path: '/verify-email?token=abcdefghijklmnop' },
  { label: 'sign out', path: '/logout' },
  { label: 'courses', path: '/courses' },
  ...curriculum().map((course) => ({ label: `course ${course.slug}`, path: course.url })),
  { label: 'not found', path: '/no-such-page-here', status: 404 },
  { label: 'certificate not found', path: '/certificates/AAAAAAAAAAAAAAAAAAAAAA', status: 404 },
];

for (const { label, path, status } of publicPages) {
  test(`${label} (${path})`, async ({ page }, testInfo) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(status ?? 200);
    await expectAccessible(page, label, testInfo);
  });
}

for (const course of curriculum()) {
  test(`lessons of ${course.slug}`, async ({ page }, testInfo) => {
    const problems: string[] = [];
    for (const lesson of course.lessons) {
      await openLesson(page, lesson.url);
      problems.push(...(await audit(page, lesson.url, testInfo)));
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
}

// ── Signed in ───────────────────────────────────────────────────────────────

test('signed-in pages: Today (new and with progress), journal, account, course and lesson', async ({ page }, testInfo) => {
  const problems: string[] = [];
  await signUp(page, newPerson('Olusegun Adeyemi', 'a11y'));
  problems.push(...(await audit(page, 'Today, new learner', testInfo)));

  // Some progress and reflections, through the same Actions the pages use.
  const course = curriculum()[0]!;
  for (const lesson of course.lessons.slice(0, 2)) {
    const answers = Object.fromEntries(rightAnswers(lesson).map((option, index) => [`q${index}`, String(option)]));
    const completed = await page.request.post('/_actions/progress.complete', { headers: SAME_ORIGIN, form: { courseSlug: lesson.course, lessonSlug: lesson.slug, ...answers } });
    expect(completed.status(), `complete ${lesson.slug}`).toBe(200);
    const saved = await page.request.post('/_actions/reflections.save', {
      headers: SAME_ORIGIN,
      form: { courseSlug: lesson.course, lessonSlug: lesson.slug, body: `What I will try after “${lesson.title}”: ask one more question, then listen.` },
    });
    expect(saved.status(), `reflect on ${lesson.slug}`).toBe(200);
  }

  for (const [label, path] of [
    ['Today, with progress', '/'],
    ['journal', '/journal'],
    ['account', '/account'],
    ['certificates, none yet', '/certificates'],
    ['course with progress', course.url],
  ] as const) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    problems.push(...(await audit(page, label, testInfo)));
  }
  await expect(page.getByText('2 of', { exact: false }).first()).toBeVisible();

  // A completed lesson with its saved reflection.
  await openLesson(page, course.lessons[0]!.url);
  await expect(page.getByRole('status').filter({ hasText: 'Lesson complete' })).toBeVisible();
  problems.push(...(await audit(page, 'completed lesson', testInfo)));

  expect(problems, problems.join('\n')).toEqual([]);
});
