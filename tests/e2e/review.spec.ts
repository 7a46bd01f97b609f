// Daily review at 390 px: a lesson completed a day ago brings its questions back on Today;
// answered one at a time (one wrong, one "Not sure", one "Sure"), each comes back later
// the better it was known. The same with JavaScript off, and bad input on the page.
//
// The day: the spec's own server starts on a database where each learner completed the
// lesson through the learning service with its clock (`ctx.now`) set a day back — the same
// completion the lesson page makes, a day earlier — so no test-only path exists in the app.
import { mkdirSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Page } from '@playwright/test';
import type { Database } from '#db/schema.ts';
import { fileCatalog } from '#server/kernel/file-catalog.ts';
import { createUser, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import { hashPassword } from '#server/accounts/passwords.ts';
import * as learning from '#server/learning/learning.ts';
import { cardsOfLesson, DAILY_REVIEW_CAP, SECONDS_PER_REVIEW, type ReviewQuestion } from '#lib/review-rules.ts';
import {
  expect,
  expectNoSeriousAxeFindings,
  newPerson,
  ONE_AT_A_TIME,
  type Person,
  startOwnServer,
  submitSignIn,
  test,
} from './support.ts';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 24;
const COURSE = 'patient-connection';
const LESSON = 'name-the-emotion';
const catalog = fileCatalog();
const lesson = catalog.lesson(COURSE, LESSON)!;
const questions = cardsOfLesson(lesson).map((c) => c.question);
const dueToday = Math.min(DAILY_REVIEW_CAP, questions.length);
const SHOTS = process.env.REVIEW_SHOTS_DIR;

/** Four learners who completed the lesson a day ago: with JavaScript, without, for bad input, in dark. */
async function prepare(db: Kysely<Database>) {
  const yesterday = new Date(Date.now() - 86_400_000 - 60_000);
  const answers = Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
  const people: Person[] = [];
  for (const [name, prefix] of [
    ['Ana Lima', 'review-js'],
    ['Keisha Brown', 'review-nojs'],
    ['Priya Nair', 'review-bad'],
    ['Dana Reyes', 'review-dark'],
  ] as const) {
    const person = newPerson(name, prefix);
    const created = (await createUser(db, {
      email: person.email,
      name,
      passwordHash: await hashPassword(person.password),
    }))!;
    await markEmailVerified(db, created.id, created.email);
    const user = (await findUserById(db, created.id))!;
    await learning.completeLesson(
      { db, catalog, user, now: yesterday },
      { courseSlug: COURSE, lessonSlug: LESSON, answers },
    );
    people.push(person);
  }
  return people;
}

let server: Awaited<ReturnType<typeof startOwnServer<Person[]>>> | undefined;
let people: Person[];

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  server = await startOwnServer(PORT, 'review', { prepare });
  people = server.prepared;
});
test.afterAll(async () => {
  await server?.stop();
});

async function signIn(page: Page, person: Person): Promise<void> {
  await page.goto('/login');
  await submitSignIn(page, person.email, person.password);
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
}

const reviewLink = (page: Page) => page.getByRole('link', { name: /^Review · / });

/** The question on screen (its radio group is named by the question). */
async function shownQuestion(page: Page): Promise<ReviewQuestion> {
  await expect(page.getByRole('button', { name: 'Check answer' })).toBeVisible();
  for (const question of questions)
    if (await page.getByRole('group', { name: question.question, exact: true }).isVisible()) return question;
  throw new Error('none of the lesson’s questions is shown');
}

async function choose(page: Page, question: ReviewQuestion, right: boolean): Promise<void> {
  const option = question.options.find((o) => o.correct === right)!;
  await page
    .getByRole('group', { name: question.question, exact: true })
    .getByLabel(option.text, { exact: true })
    .check();
  await page.getByRole('button', { name: 'Check answer' }).click();
}

/** The day the verdict says the question comes back. */
async function comesBackOn(page: Page): Promise<number> {
  const text = await page.getByRole('status').filter({ hasText: 'comes back on' }).innerText();
  const day = /comes back on (\d{1,2} \w+ \d{4})/.exec(text)![1]!;
  return Date.parse(`${day} UTC`);
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Today's card, then three answers: wrong, right but not sure, right and sure. */
async function reviewThree(page: Page, label: string, { javaScript }: { javaScript: boolean }): Promise<void> {
  // axe runs as a script in the page: only where the page runs scripts.
  const audit = (what: string) => (javaScript ? expectNoSeriousAxeFindings(page, `${label} ${what}`) : undefined);
  await expect(reviewLink(page)).toHaveText(
    `Review · ${dueToday} questions · about ${dueToday * SECONDS_PER_REVIEW} s`,
  );
  await shot(page, `${label}-today`);
  await reviewLink(page).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Daily review' })).toBeVisible();
  await expect(page.getByText(`${dueToday} questions left today`)).toBeVisible();
  await audit('question');
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);

  const first = await shownQuestion(page);
  await choose(page, first, false);
  const verdict = page.getByRole('status').filter({ hasText: 'comes back on' });
  await expect(verdict).toContainText('Not this one.');
  await expect(verdict).toContainText(first.options.find((o) => !o.correct)!.feedback);
  await expect(verdict).toContainText(`The answer: ${first.options.find((o) => o.correct)!.text}`);
  await shot(page, `${label}-wrong`);
  const afterWrong = await comesBackOn(page);

  const second = await shownQuestion(page);
  expect(second.question).not.toBe(first.question);
  await choose(page, second, true);
  await expect(page.getByRole('status')).toContainText(`Correct. ${second.options.find((o) => o.correct)!.feedback}`);
  const sure = page.getByRole('group', { name: 'How sure were you?' });
  await expect(sure.getByRole('button', { name: 'Sure', exact: true })).toBeVisible();
  await audit('how sure');
  await shot(page, `${label}-right`);
  await sure.getByRole('button', { name: 'Not sure' }).click();
  const afterUnsure = await comesBackOn(page);

  const third = await shownQuestion(page);
  await choose(page, third, true);
  await page
    .getByRole('group', { name: 'How sure were you?' })
    .getByRole('button', { name: 'Sure', exact: true })
    .click();
  const afterSure = await comesBackOn(page);

  // Wrong comes back first, "not sure" later, "sure" later still; none of them today.
  expect(afterWrong).toBeGreaterThan(today);
  expect(afterUnsure).toBeGreaterThan(afterWrong);
  expect(afterSure).toBeGreaterThan(afterUnsure);

  const left = dueToday - 3;
  if (left > 0)
    await expect(page.getByText(`${left} ${left === 1 ? 'question' : 'questions'} left today`)).toBeVisible();
  else await expect(page.getByRole('heading', { name: 'Nothing to review right now' })).toBeVisible();
  await page.goto('/');
  if (left > 0) await expect(reviewLink(page)).toContainText(`${left} question`);
  else await expect(reviewLink(page)).toHaveCount(0);
}

test('a lesson completed yesterday comes back on Today; three answers are rescheduled by how well they were known', async ({
  page,
}) => {
  await signIn(page, people[0]!);
  await reviewThree(page, 'phone', { javaScript: true });
});

test('the same without JavaScript', async ({ openContext }) => {
  const context = await openContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, people[1]!);
  await reviewThree(page, 'no-js', { javaScript: false });
});

test('an answer without a choice, or for a question that is not yours, says so on the page', async ({ page }) => {
  await signIn(page, people[2]!);
  await page.goto('/review');
  const question = await shownQuestion(page);
  await page.getByRole('button', { name: 'Check answer' }).click();
  const group = page.getByRole('group', { name: question.question, exact: true });
  await expect(group).toContainText('Choose one of the answers.');
  await expect(group).toHaveAccessibleDescription('Choose one of the answers.');

  // A card id changed in the form (as a tampering client would) is refused in words; nothing is recorded.
  await group.getByLabel(question.options[0]!.text, { exact: true }).check();
  await page.locator('input[name="card"]').evaluate((input: HTMLInputElement) => (input.value = 'no-such-question'));
  await page.getByRole('button', { name: 'Check answer' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'That question is not one of your reviews. Go on with the next one below.',
  );
  await expect(page.getByText(`${dueToday} questions left today`)).toBeVisible();
});

test('in the dark colour scheme, on a phone and a desktop, the question and its feedback pass axe', async ({
  openContext,
}) => {
  const phone = await (await openContext({ colorScheme: 'dark' })).newPage();
  await signIn(phone, people[3]!);
  await shot(phone, 'dark-phone-today');
  await phone.goto('/review');
  const question = await shownQuestion(phone);
  await expectNoSeriousAxeFindings(phone, 'dark phone question');
  await shot(phone, 'dark-phone-question');
  await choose(phone, question, true);
  await expect(phone.getByRole('group', { name: 'How sure were you?' })).toBeVisible();
  await expectNoSeriousAxeFindings(phone, 'dark phone how sure');
  await shot(phone, 'dark-phone-right');

  const desktop = await (
    await openContext({ colorScheme: 'dark', viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false })
  ).newPage();
  await signIn(desktop, people[3]!);
  await desktop.goto('/review');
  await choose(desktop, await shownQuestion(desktop), false);
  await expect(desktop.getByRole('status')).toContainText('Not this one.');
  await expectNoSeriousAxeFindings(desktop, 'dark desktop wrong');
  await shot(desktop, 'dark-desktop-wrong');
});
