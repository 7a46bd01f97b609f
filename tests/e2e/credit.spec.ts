// Continuing-education credit end to end, on a phone (issue 21): an administrator sets a
// demonstration provider; an attendee finishes the credit course, fails then passes the
// post-test, completes the evaluation and the attestation (each refusal beside its
// field), and gets the certificate with credit on the PDF (pdftotext) and the
// verification page; the event they joined counts the credit claimed on its dashboard.
// The post-test (12 questions) is grouped by lesson with a submit bar in view on a phone,
// and a submit with questions left out names them all and keeps the answers. The event
// offers credit of its own (decision 0045): stated on its edit page (a bad field refused
// beside it), shown on its page, earned by the attendee, on a certificate PDF of its own.
// Setting the provider needs an administrator, the first account of
// an install, so this spec runs its own Rounds on a fresh database.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  curriculum,
  expect,
  expectNoSeriousAxeFindings,
  latestMail,
  linkFrom,
  newPerson,
  ONE_AT_A_TIME,
  rightAnswers,
  signUp,
  startOwnServer,
  test,
} from './support.ts';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 25;
const STATEMENT = 'Example Health Education is a demonstration provider for this test, not an accredited one.';
let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startOwnServer(PORT, 'credit');
});
test.afterAll(async () => {
  await server?.stop();
});

/** axe (WCAG 2.2 AA): serious and critical findings fail, as in a11y.spec.ts. */
test('an attendee earns credit: post-test failed then passed, evaluation, attestation, certificate with credit', async ({
  page,
  openContext,
}) => {
  test.setTimeout(180_000);
  const base = server!.baseUrl;
  const { slug, activityId } = creditCourse();
  const course = curriculum().find((c) => c.slug === slug)!;
  const questions = course.lessons.flatMap((lesson) => lesson.check);

  // The administrator enables a kind of credit, with the statement beside it required.
  const admin = await (await openContext()).newPage();
  await signUp(admin, newPerson('Ada Admin', 'admin'));
  await admin.goto('/admin/credit');
  await admin.getByLabel('Provider name').fill('Example Health Education');
  await admin.getByRole('checkbox', { name: 'Nursing contact hours' }).check();
  await admin.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByLabel('Accreditation statement')).toHaveAccessibleDescription(/cannot be offered without it/);
  await expect(admin.getByRole('checkbox', { name: 'Nursing contact hours' })).toBeChecked();
  await admin.getByLabel('Accreditation statement').fill(STATEMENT);
  await admin.getByRole('button', { name: 'Save' }).click();
  await expect(admin.getByText('Saved. Course pages show it now.')).toBeVisible();

  // An event of the credit course, a month ago with a lesson a day, so every lesson is open.
  const eventName = `Credit Symposium ${Date.now().toString(36).slice(-4)}`;
  await admin.goto('/admin/events/new');
  await admin.getByLabel('Event name').fill(eventName);
  await admin.getByLabel('Date of the event').fill(new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10));
  await admin.getByLabel('Time zone of the event').selectOption('UTC');
  await admin.getByRole('checkbox', { name: course.title }).check();
  await admin.getByLabel('Time of day').fill('00:00');
  await admin.getByLabel('First lesson: days after the event').fill('0');
  await admin.getByLabel('Then one lesson every … days').fill('1');
  await admin.getByRole('button', { name: 'Create event' }).click();
  await expect(admin.getByText('Event created.')).toBeVisible();
  const eventPage = new URL(admin.url()).pathname;
  const code = (await admin.locator('strong.code').first().textContent())!.trim();

  // The event's own activity, on its edit page: more hours than its courses have is refused beside the field.
  await admin.goto(`${eventPage}/edit`);
  const eventCredit = admin.getByRole('region', { name: 'Continuing-education credit for this event' });
  await eventCredit.getByLabel('Activity id (empty: no credit)').fill('SYMP-2026');
  await eventCredit.getByRole('checkbox', { name: /Nursing contact hours/ }).check();
  await eventCredit.getByLabel('Hours of credit').fill('3');
  await eventCredit.getByLabel('Disclosures').fill('none');
  await eventCredit.getByLabel('Learning outcomes').fill('Run a ten-minute huddle.\nAsk what gets in the way.');
  await eventCredit
    .getByLabel('Credit starts on')
    .fill(new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10));
  await eventCredit
    .getByLabel('Credit expires on')
    .fill(new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10));
  // Every requirement is ticked for a new activity; an unticked one stays unticked after a refusal.
  const evaluationBox = eventCredit.getByRole('checkbox', { name: /Evaluation of the activity/ });
  await expect(evaluationBox).toBeChecked();
  await evaluationBox.uncheck();
  await eventCredit.getByRole('button', { name: 'Save credit' }).click();
  await expect(eventCredit.getByLabel('Hours of credit')).toHaveAccessibleDescription(/At most 0.25 hours/);
  await expect(eventCredit.getByLabel('Learning outcomes')).toHaveValue(/Ask what gets in the way\./);
  await expect(eventCredit.getByRole('checkbox', { name: /Nursing contact hours/ })).toBeChecked();
  await expect(evaluationBox).not.toBeChecked();
  await expect(eventCredit.getByRole('checkbox', { name: /Post-test at the pass mark/ })).toBeChecked();
  await evaluationBox.check();
  await eventCredit.getByLabel('Hours of credit').fill('0.25');
  await eventCredit.getByRole('button', { name: 'Save credit' }).click();
  await expect(admin.getByText('Credit saved. The event page shows it now.')).toBeVisible();
  await expectNoSeriousAxeFindings(admin);

  // The attendee joins the event, with a confirmed email; every lesson through the Action the lesson page posts to.
  const learner = newPerson('Aoife Brennan', 'aoife');
  await signUp(page, learner);
  const eventSlug = eventPage.split('/').at(-1)!;
  await page.goto(`/events/${eventSlug}`);
  const eventOffer = page.getByRole('region', { name: 'Continuing-education credit' });
  await expect(eventOffer.getByText('SYMP-2026', { exact: false })).toBeVisible();
  await expect(eventOffer.getByText('Ask what gets in the way.')).toBeVisible();
  await page.goto(`/join/${code}`);
  await page.getByRole('button', { name: `Join ${eventName}` }).click();
  await expect(page.getByText(`Welcome to ${eventName}!`)).toBeVisible();
  await page.goto(linkFrom((await latestMail(learner.email, { subject: /Confirm your email/ })).text));
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await page.goto(course.url);
  const offer = page.getByRole('region', { name: 'Continuing-education credit' });
  await expect(offer.getByText(STATEMENT)).toBeVisible();
  await expect(offer.getByText(/has a relevant financial relationship to disclose/)).toBeVisible();
  await expectNoSeriousAxeFindings(page);
  for (const lesson of course.lessons) {
    const form: Record<string, string> = { courseSlug: course.slug, lessonSlug: lesson.slug };
    rightAnswers(lesson).forEach((option, index) => (form[`q${index}`] = String(option)));
    const response = await page.request.post(`${base}/_actions/progress.complete`, { form, headers: { origin: base } });
    expect(response.status(), await response.text()).toBe(200);
  }
  // The certificate waits for the credit steps.
  await page.goto(course.url);
  await page.getByRole('link', { name: 'Your progress toward credit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Continuing-education credit' })).toBeVisible();

  // The post-test, 12 questions in parts by lesson; the submit bar stays in view on a phone.
  expect(questions.length).toBeGreaterThanOrEqual(12);
  const question = (index: number, all = questions) =>
    page.getByRole('group', { name: `Question ${index + 1} of ${all.length}: ${all[index]!.question}` });
  const answerAll = async (right: boolean, all = questions, from = 0) => {
    for (const [index, q] of all.entries()) {
      if (index < from) continue;
      const option = q.options.find((o) => Boolean(o.correct) === right)!;
      await question(index, all).getByLabel(option.text, { exact: true }).check();
    }
    await page.getByRole('button', { name: 'Submit answers' }).click();
  };
  const submit = page.getByRole('button', { name: 'Submit answers' });
  await expect(page.getByRole('navigation', { name: 'Parts of the post-test' })).toBeVisible();
  // Two answered, then a submit: every question left out is named, and the two answers stay.
  for (const index of [0, 1])
    await question(index)
      .getByLabel(questions[index]!.options.find((o) => o.correct)!.text, { exact: true })
      .check();
  // Question 2 is far from the form's end, and the submit bar is in view beside it.
  await expect(submit).toBeInViewport();
  // The bar's "2 of 12 answered" is counted by the stylesheet (no script): seen in this screenshot.
  await page.screenshot({ path: test.info().outputPath('post-test-phone.png') });
  await submit.click();
  await expect(page.getByRole('alert').filter({ hasText: 'Answer questions' })).toContainText(
    'Answer questions 3, 4, 5',
  );
  await expect(question(2)).toHaveAccessibleDescription('Choose an answer.');
  await expect(question(questions.length - 1)).toHaveAccessibleDescription('Choose an answer.');
  await expect(
    question(0).getByLabel(questions[0]!.options.find((o) => o.correct)!.text, { exact: true }),
  ).toBeChecked();
  await page.screenshot({ path: test.info().outputPath('post-test-refused-phone.png'), fullPage: true });
  await answerAll(false);
  await expect(page.getByText(/Your result: 0%/)).toBeVisible();
  await expectNoSeriousAxeFindings(page);
  await answerAll(true);
  await expect(page.getByText('You passed the post-test with 100%.')).toBeVisible();

  // The evaluation: an outcome left out is named beside it, and what was chosen stays.
  await page
    .getByRole('group', { name: /Will you change anything/ })
    .getByLabel('Yes')
    .check();
  await page
    .getByLabel('If so, what will you change? (optional)')
    .fill('A two-minute huddle at the start of each shift.');
  await page
    .getByRole('group', { name: /free of commercial bias/ })
    .getByLabel('Yes')
    .check();
  await page.getByRole('button', { name: 'Send evaluation' }).click();
  const firstOutcome = page.getByRole('group', { name: /^This activity helped me/ }).first();
  await expect(firstOutcome).toHaveAccessibleDescription('Choose how far the activity met this outcome.');
  await expect(page.getByLabel('If so, what will you change? (optional)')).toHaveValue(
    'A two-minute huddle at the start of each shift.',
  );
  for (const group of await page.getByRole('group', { name: /^This activity helped me/ }).all())
    await group.getByLabel('Agree', { exact: true }).check();
  await expectNoSeriousAxeFindings(page);
  await page.screenshot({ path: test.info().outputPath('evaluation-phone.png'), fullPage: true });
  await page.getByRole('button', { name: 'Send evaluation' }).click();
  await expect(page.getByText('Thank you for the evaluation.')).toBeVisible();

  // The attestation: more hours than allowed is refused beside the field.
  await page.getByLabel('Hours you claim').fill('2');
  await page.getByLabel(/I attest that I completed this activity/).check();
  await page.getByRole('button', { name: 'Claim credit' }).click();
  await expect(page.getByLabel('Hours you claim')).toHaveAccessibleDescription(/at most 0.25 hours/);
  await page.getByLabel('Hours you claim').fill('0.25');
  await page.getByLabel(/I attest that I completed this activity/).check();
  await page.getByRole('button', { name: 'Claim credit' }).click();
  await expect(page.getByText('Thank you. Your certificate with credit is issued.')).toBeVisible();
  await page.getByRole('link', { name: 'View your certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Valid certificate/ })).toBeVisible();
  await expect(page.getByText('Nursing contact hours: 0.25 hours claimed')).toBeVisible();
  await expect(page.getByText(STATEMENT)).toBeVisible();

  // The PDF, read back as a credentialing office would.
  const pdf = await page.request.get(`${page.url()}.pdf`);
  expect(pdf.status()).toBe(200);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-e2e-credit-'));
  try {
    const file = path.join(dir, 'certificate.pdf');
    writeFileSync(file, await pdf.body());
    writeFileSync(test.info().outputPath('certificate-with-credit.pdf'), await pdf.body());
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Aoife Brennan');
    expect(text).toContain('Provider Example Health Education');
    expect(text).toContain('Nursing contact hours: 0.25');
    expect(text).toContain(`Activity ID ${activityId}`);
    expect(text).toContain(STATEMENT);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The event's own activity: the same steps over the event's course, its own certificate.
  await page.goto(`/events/${eventSlug}`);
  await page.getByRole('link', { name: 'Your progress toward credit' }).click();
  await expect(page.getByRole('link', { name: eventName })).toBeVisible();
  await answerAll(true);
  await expect(page.getByText('You passed the post-test with 100%.')).toBeVisible();
  for (const group of await page.getByRole('group', { name: /^This activity helped me/ }).all())
    await group.getByLabel('Strongly agree', { exact: true }).check();
  await page
    .getByRole('group', { name: /Will you change anything/ })
    .getByLabel('No')
    .check();
  await page
    .getByRole('group', { name: /free of commercial bias/ })
    .getByLabel('Yes')
    .check();
  await page.getByRole('button', { name: 'Send evaluation' }).click();
  await page.getByLabel(/I attest that I completed this activity/).check();
  await page.getByRole('button', { name: 'Claim credit' }).click();
  await expect(page.getByText('Thank you. Your certificate with credit is issued.')).toBeVisible();
  await page.getByRole('link', { name: 'View your certificate' }).click();
  await expect(page.getByText('Nursing contact hours: 0.25 hours claimed')).toBeVisible();
  const eventPdf = await page.request.get(`${page.url()}.pdf`);
  expect(eventPdf.status()).toBe(200);
  writeFileSync(test.info().outputPath('event-certificate-with-credit.pdf'), await eventPdf.body());
  const eventText = execFileSync(
    'pdftotext',
    ['-enc', 'UTF-8', test.info().outputPath('event-certificate-with-credit.pdf'), '-'],
    {
      encoding: 'utf8',
    },
  ).replace(/\s+/g, ' ');
  expect(eventText).toContain(eventName);
  expect(eventText).toContain('Activity ID SYMP-2026');
  expect(eventText).toContain('Learning format: event activity with follow-up lessons');
  expect(eventText).toContain('Nursing contact hours: 0.25');

  // The administrator downloads the activity report and reads the evaluation summary.
  await admin.goto('/admin/credit');
  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    admin.getByRole('article', { name: course.title }).getByRole('link', { name: 'Activity report (CSV)' }).click(),
  ]);
  const report = readFileSync(await download.path(), 'utf8');
  expect(report).toMatch(/Aoife Brennan,.*,2,100,yes,.*,Nursing contact hours,0\.25,/);
  await expect(admin.getByText('1 evaluation. Will change practice: yes 1, no 0.')).toBeVisible();
  await expect(admin.getByText('A two-minute huddle at the start of each shift.')).toBeVisible();
  await expectNoSeriousAxeFindings(admin);
  const [eventDownload] = await Promise.all([
    admin.waitForEvent('download'),
    admin.getByRole('article', { name: eventName }).getByRole('link', { name: 'Activity report (CSV)' }).click(),
  ]);
  expect(readFileSync(await eventDownload.path(), 'utf8')).toMatch(
    /Aoife Brennan,.*,1,100,yes,.*,Nursing contact hours,0\.25,/,
  );

  // The event's dashboard counts the credit its attendee claimed, by kind: counts only.
  await admin.goto(eventPage);
  const claimed = admin.getByRole('definition').filter({
    has: admin.getByText('attendee', { exact: true }),
  });
  await expect(
    admin.getByRole('term').filter({ hasText: `Nursing contact hours claimed for ${course.title}` }),
  ).toBeVisible();
  await expect(claimed.first()).toHaveText(/^1 attendee\s*0\.25 hours in all$/);
  await expect(
    admin.getByRole('term').filter({ hasText: "Nursing contact hours claimed for the event's own activity" }),
  ).toBeVisible();
  // Only kinds the provider enabled: participation is stated by the course but not offered here.
  await expect(admin.getByRole('term').filter({ hasText: 'Certificate of participation' })).toHaveCount(0);
  await admin.screenshot({ path: test.info().outputPath('event-credit-phone.png'), fullPage: true });
  await expectNoSeriousAxeFindings(admin);
});

/** The seed course that states credit in its content file, and its activity id. */
function creditCourse(): { slug: string; activityId: string } {
  for (const course of curriculum()) {
    const yaml = parseYaml(readFileSync(path.join('content', course.slug, 'course.yaml'), 'utf8')) as {
      credit?: { activityId: string };
    };
    if (yaml.credit) return { slug: course.slug, activityId: yaml.credit.activityId };
  }
  throw new Error('no seed course states credit');
}
