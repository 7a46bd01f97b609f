// Accessibility sweep: axe (WCAG 2.0/2.1 A and AA, 2.2 AA) on every page, signed out
// and signed in, on a phone and on a laptop, in the light and the dark colour scheme. Serious and critical violations fail;
// others are listed. Every page has exactly one h1.
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import {
  AXE_TAGS,
  checkAnswer,
  curriculum,
  expect,
  expectFeedbackShown,
  latestMail,
  linkFrom,
  newPerson,
  ONE_AT_A_TIME,
  openLesson,
  question,
  rightAnswers,
  SAME_ORIGIN,
  signUp,
  startOwnServer,
  test,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

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

  problems.push(...(await unstyledControls(page)).map((control) => `${label}: ${control} lacks the house style`));

  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
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

/**
 * Text-like inputs, selects and text areas that look like the browser's defaults (small,
 * square) instead of the house style (at least 44 px tall, rounded): what an input that
 * names no `type` looked like before the stylesheet covered it.
 */
async function unstyledControls(page: Page): Promise<string[]> {
  return page.locator('input, select, textarea').evaluateAll((controls) =>
    controls
      .filter((control) => {
        const skip = ['radio', 'checkbox', 'hidden', 'submit', 'button', 'reset', 'range', 'color', 'file', 'image'];
        if (control instanceof HTMLInputElement && skip.includes(control.type)) return false;
        const box = control.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) return false; // not shown (a closed <details>)
        const style = getComputedStyle(control);
        return box.height < 44 || parseFloat(style.borderTopLeftRadius) < 4;
      })
      .map((control) => `<${control.tagName.toLowerCase()} name="${control.getAttribute('name') ?? ''}">`),
  );
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
  { label: 'offline', path: '/offline' },
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

// One test per lesson: a whole course's sweep came close to the test timeout on a busy machine.
for (const lesson of curriculum().flatMap((course) => course.lessons)) {
  test(`lesson ${lesson.url}`, async ({ page }, testInfo) => {
    await openLesson(page, lesson.url);
    const problems = await audit(page, lesson.url, testInfo);
    expect(problems, problems.join('\n')).toEqual([]);
  });
}

// ── Signed in ───────────────────────────────────────────────────────────────

test('signed-in pages: Today (new and with progress), journal, account, course and lesson', async ({
  page,
}, testInfo) => {
  const problems: string[] = [];
  await signUp(page, newPerson('Olusegun Adeyemi', 'a11y'));
  problems.push(...(await audit(page, 'Today, new learner', testInfo)));

  // Some progress and reflections, through the same Actions the pages use.
  const course = curriculum()[0]!;
  for (const lesson of course.lessons.slice(0, 2)) {
    const answers = Object.fromEntries(rightAnswers(lesson).map((option, index) => [`q${index}`, String(option)]));
    const completed = await page.request.post('/_actions/progress.complete', {
      headers: SAME_ORIGIN,
      form: { courseSlug: lesson.course, lessonSlug: lesson.slug, ...answers },
    });
    expect(completed.status(), `complete ${lesson.slug}`).toBe(200);
    const saved = await page.request.post('/_actions/reflections.save', {
      headers: SAME_ORIGIN,
      form: {
        courseSlug: lesson.course,
        lessonSlug: lesson.slug,
        body: `What I will try after “${lesson.title}”: ask one more question, then listen.`,
      },
    });
    expect(saved.status(), `reflect on ${lesson.slug}`).toBe(200);
  }

  for (const [label, path] of [
    ['Today, with progress', '/'],
    ['journal', '/journal'],
    ['account', '/account'],
    ['certificates, none yet', '/certificates'],
    ['daily review, nothing due yet', '/review'],
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

// ── Dark colour scheme ──────────────────────────────────────────────────────
// The same checks with prefers-color-scheme: dark, over the main pages in the states
// people meet them (check feedback shown, form errors, a certificate, a team, an event).
// Events need an administrator, so this part runs on a server of its own, whose first
// account is ours.

test.describe('dark colour scheme', () => {
  const port = Number(process.env.E2E_PORT ?? 4410) + 23;
  let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;
  test.describe.configure({ mode: 'serial' });
  test.use({ colorScheme: 'dark', baseURL: `http://127.0.0.1:${port}` });
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    server = await startOwnServer(port, 'a11ydark');
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('signed out: landing, catalogue, a lesson with its check answered, forms with errors, 404', async ({
    page,
  }, testInfo) => {
    expect(
      await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches),
      'the page sees the dark scheme',
    ).toBe(true);
    const problems: string[] = [];
    const lesson = curriculum()[1]!.lessons[0]!;
    for (const [label, path, status] of [
      ['landing', '/', 200],
      ['courses', '/courses', 200],
      ['course', curriculum()[1]!.url, 200],
      ['not found', '/no-such-page-here', 404],
    ] as const) {
      expect((await page.goto(path))?.status(), path).toBe(status);
      problems.push(...(await audit(page, `dark ${label}`, testInfo)));
    }

    await openLesson(page, lesson.url);
    await answerCheck(page, lesson);
    problems.push(...(await audit(page, 'dark lesson, check answered (wrong and right), signed out', testInfo)));

    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill('not-an-email');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByLabel('Email', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    problems.push(...(await audit(page, 'dark sign in with errors', testInfo)));
    expect(problems, problems.join('\n')).toEqual([]);
  });

  test('signed in: Today, a lesson, journal, account, certificates, a team dashboard, an event, people', async ({
    page,
  }, testInfo) => {
    test.setTimeout(180_000);
    const problems: string[] = [];
    const person = newPerson('Chidinma Okeke', 'a11ydark');
    await signUp(page, person);
    problems.push(...(await audit(page, 'dark Today, new learner (with the confirm-email banner)', testInfo)));

    // A confirmed email, so the finished course below issues its certificate.
    const confirm = await latestMail(person.email, { subject: /confirm/i });
    await page.goto(linkFrom(confirm.text));
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'your email address is confirmed' })).toBeVisible();

    // A lesson taken through the page: feedback for a wrong and a right answer, completion, a reflection.
    const course = [...curriculum()].sort((a, b) => a.lessons.length - b.lessons.length)[0]!;
    const [first, ...rest] = course.lessons;
    await openLesson(page, first!.url);
    await answerCheck(page, first!);
    problems.push(...(await audit(page, 'dark lesson, check answered', testInfo)));
    await page.getByRole('button', { name: 'Mark complete' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Lesson complete' })).toBeVisible();
    await page
      .getByRole('textbox', { name: first!.reflection })
      .fill('Next shift I will sit down for the first minute.');
    await expect(page.getByRole('status').filter({ hasText: /^Saved\b/ })).toBeVisible();
    problems.push(...(await audit(page, 'dark lesson, completed with a saved reflection', testInfo)));

    // The rest of the course through the same Action the page uses: a certificate.
    for (const lesson of rest) {
      const answers = Object.fromEntries(rightAnswers(lesson).map((option, index) => [`q${index}`, String(option)]));
      const completed = await page.request.post('/_actions/progress.complete', {
        headers: { Origin: new URL(page.url()).origin },
        form: { courseSlug: lesson.course, lessonSlug: lesson.slug, ...answers },
      });
      expect(completed.status(), `complete ${lesson.slug}`).toBe(200);
    }

    // A team with an assignment.
    await page.goto('/teams');
    await page.getByLabel('Team name').fill('Ward 3 days');
    await page.getByRole('button', { name: 'Create team' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Ward 3 days' })).toBeVisible();
    const teamUrl = new URL(page.url()).pathname;
    const assign = page.getByRole('region', { name: 'Assign a course' });
    const option = (await assign.getByRole('option', { name: curriculum()[0]!.title }).textContent())!.trim();
    await assign.getByLabel('Course', { exact: true }).selectOption({ label: option });
    await assign
      .getByLabel('Due date', { exact: true })
      .fill(new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
    await assign.getByRole('button', { name: 'Assign course' }).click();
    await expect(page.getByText('Course assigned.')).toBeVisible();
    const remindUrl = await page.getByRole('link', { name: 'Send a reminder…' }).first().getAttribute('href');
    // A learning path the leader takes with the team, for its page.
    await page.getByText('Create a learning path').click();
    const paths = page.getByRole('region', { name: 'Learning paths' });
    await paths.getByLabel('Name of the path').fill('Onboarding');
    await paths.getByLabel('Course 1', { exact: true }).selectOption({ label: curriculum()[1]!.title });
    await paths.getByLabel('Course 1: due after (days)').fill('7');
    await paths.getByRole('button', { name: 'Assign path to the team' }).click();
    await expect(page.getByText('Path assigned.')).toBeVisible();
    await page.getByRole('button', { name: 'Take the courses with my team' }).click();
    await page.goto('/');
    const pathUrl = await page.getByRole('link', { name: 'Onboarding', exact: true }).getAttribute('href');
    // An invite, so the Members page shows its QR code; an archived team for the Teams page's list.
    await page.goto(`${teamUrl}/manage`);
    await page.getByRole('button', { name: 'Create invite' }).click();
    await expect(page.getByRole('img', { name: /QR code for the invite link/ })).toBeVisible();
    await page.goto('/teams');
    await page.getByLabel('Team name').fill('Ward 1 (closed)');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByText('Archive Ward 1 (closed)…').click();
    await page.getByRole('button', { name: 'Yes, archive Ward 1 (closed)' }).click();
    await expect(page.getByRole('region', { name: 'Archived teams' })).toBeVisible();

    // An event (this account is the administrator).
    await page.goto('/admin/events/new');
    await page.getByLabel('Event name').fill('Dark Mode Symposium');
    await page.getByRole('checkbox', { name: curriculum()[0]!.title }).check();
    await page.getByRole('button', { name: 'Create event' }).click();
    await expect(page.getByText('Event created.')).toBeVisible();
    const eventAdminUrl = new URL(page.url()).pathname;
    const eventUrl = eventAdminUrl.replace('/admin', '');

    // This account's own page among People (the only account on this server).
    await page.goto('/admin/people');
    await page.getByRole('link', { name: 'Chidinma Okeke' }).click();
    const personUrl = new URL(page.url()).pathname;

    // An organisation with a verified domain, this account as its administrator and the team.
    await page.goto('/organisations');
    await page.getByLabel('Name').fill('Dark Mode Health');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await expect(page.getByText('Organisation created.')).toBeVisible();
    const organisationUrl = new URL(page.url()).pathname;
    await page.getByLabel('Verified domain').fill('darkmode-health.org');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByLabel('Add a team').fill(new URL(teamUrl, page.url()).href);
    await page.getByRole('button', { name: 'Add team' }).click();
    await expect(page.getByText('Team added.')).toBeVisible();

    await page.goto('/certificates');
    const certificateLink = page.getByRole('link', { name: /verification page|verify/i }).first();
    const certificateUrl = (await certificateLink.count())
      ? new URL((await certificateLink.getAttribute('href'))!, page.url()).pathname
      : undefined;

    for (const [label, path] of [
      ['Today, with progress, a completed course and a team assignment', '/'],
      ['journal', '/journal'],
      ['account', '/account'],
      ['certificates', '/certificates'],
      ...(certificateUrl ? [['certificate verification page', certificateUrl] as const] : []),
      ['course with progress', course.url],
      ['teams', '/teams'],
      ['team dashboard', teamUrl],
      ['team members and invites, with an invite and its QR code', `${teamUrl}/manage`],
      ['team reminder, with a note box', remindUrl!],
      ['learning path', pathUrl!],
      ['team training record', `${teamUrl}/record`],
      ['transcript, with a certificate', '/account/transcript'],
      ['event page', eventUrl],
      ['event dashboard', eventAdminUrl],
      ['event edit form', `${eventAdminUrl}/edit`],
      ['administration', '/admin'],
      ['publish a learning path', '/admin/paths'],
      ['continuing-education credit', '/admin/credit'],
      ['SCORM packages', '/admin/scorm'],
      ['people', '/admin/people'],
      ['a person, for an administrator', personUrl],
      ['organisations', '/organisations'],
      ['an organisation, with a domain and a team', organisationUrl],
      ['an organisation’s report, with an assigned course', `${organisationUrl}/report`],
      ['publish a learning path to an organisation', `${organisationUrl}/paths`],
      ['an organisation’s single sign-on', `${organisationUrl}/single-sign-on`],
    ] as const) {
      expect((await page.goto(path))?.status(), path).toBe(200);
      problems.push(...(await audit(page, `dark ${label}`, testInfo)));
    }
    expect(certificateUrl, 'the finished course has a certificate with a verification page').toBeDefined();
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

/** Answers the first question wrong then right, the others right: both kinds of feedback show. */
async function answerCheck(
  page: Page,
  lesson: ReturnType<typeof curriculum>[number]['lessons'][number],
): Promise<void> {
  const answers = rightAnswers(lesson);
  for (let index = 0; index < lesson.check.length; index++) {
    const group = question(page, lesson, index);
    const options = lesson.check[index]!.options;
    if (index === 0) {
      const wrong = options.find((o) => !o.correct)!;
      await checkAnswer(group, wrong.text);
      await expectFeedbackShown(group, wrong.feedback);
    }
    await checkAnswer(group, options[answers[index]!]!.text);
    await expectFeedbackShown(group, options[answers[index]!]!.feedback);
  }
}
