// A learner on a phone: Today, a lesson's check, autosaved reflections that survive a
// dropped connection, a double-tapped completion, the journal, and privacy between people.
import type { Page } from '@playwright/test';
import {
  BASE_URL,
  expect,
  checkAnswer,
  expectFeedbackShown,
  findCourse,
  findLesson,
  lessonAt,
  newPerson,
  ONE_AT_A_TIME,
  openLesson,
  question,
  rightOption,
  signUp,
  test,
  wrongOption,
  type LessonInfo,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

function reflectionBox(page: Page, lesson: LessonInfo) {
  return page.getByRole('textbox', { name: lesson.reflection });
}

/** A paragraph with this text, as shown (a closed editor's textarea holds the same text). */
function shown(page: Page, text: string) {
  return page.getByRole('paragraph').filter({ hasText: text });
}

function savedStatus(page: Page) {
  return page.getByRole('status').filter({ hasText: /^Saved\b/ });
}

/** Writes a reflection on a lesson page (JavaScript on) and waits until it is saved. */
async function writeReflection(page: Page, lesson: LessonInfo, text: string): Promise<void> {
  await openLesson(page, lesson.url);
  await reflectionBox(page, lesson).fill(text);
  await expect(savedStatus(page)).toBeVisible();
}

test('a new learner starts from Today, takes a lesson and comes back to the next one', async ({ page, context }) => {
  await signUp(page, newPerson('Sam Okafor', 'today'));

  // A new learner is welcomed and offered a first lesson.
  await expect(page.getByRole('heading', { name: 'Welcome, Sam Okafor' })).toBeVisible();
  const start = page.getByRole('link', { name: /^Start · \d+ min of / });
  await expect(start).toBeVisible();
  const state = page.waitForResponse((response) => response.url().endsWith('/state.json'));
  await start.click();
  await expect(page).toHaveURL(/\/courses\/[a-z0-9-]+\/[a-z0-9-]+$/);
  await state;
  await expect(page.getByText('It saves as you type.')).toBeVisible();
  const lesson = lessonAt(page.url());
  expect(lesson.position).toBe(1);
  await expect(start).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: lesson.title })).toBeVisible();

  // Question 1: wrong first, then right.
  const q1 = question(page, lesson, 0);
  await checkAnswer(q1, wrongOption(lesson, 0).text);
  await expectFeedbackShown(q1, `Not this one. ${wrongOption(lesson, 0).feedback}`);
  await checkAnswer(q1, rightOption(lesson, 0).text);
  await expectFeedbackShown(q1, `Correct. ${rightOption(lesson, 0).feedback}`);
  for (let index = 1; index < lesson.check.length; index++) {
    const group = question(page, lesson, index);
    await checkAnswer(group, rightOption(lesson, index).text);
    await expectFeedbackShown(group, `Correct. ${rightOption(lesson, index).feedback}`);
  }

  // The reflection saves as it is typed…
  const box = reflectionBox(page, lesson);
  const online = 'I will sit at eye level for the first minute with my next patient.';
  await box.fill(online);
  await expect(savedStatus(page)).toBeVisible();

  // …keeps what is typed while the connection is down, and saves it when it is back.
  await context.setOffline(true);
  const offline = ' Typed in the lift with no signal.';
  await box.press('End');
  await box.pressSequentially(offline, { delay: 15 });
  await expect(page.getByRole('status').filter({ hasText: 'Not saved — retrying' })).toBeVisible({ timeout: 15_000 });
  await expect(savedStatus(page)).toHaveCount(0);
  await context.setOffline(false);
  await expect(savedStatus(page)).toBeVisible({ timeout: 20_000 });

  await page.reload();
  await expect(page.getByText('It saves as you type.')).toBeVisible();
  await expect(reflectionBox(page, lesson)).toHaveValue(online + offline);

  // A double tap on "Mark complete" completes the lesson once.
  // (The page was reloaded: the right answers come back from the server.)
  for (let index = 0; index < lesson.check.length; index++) {
    await expect(
      question(page, lesson, index).getByLabel(rightOption(lesson, index).text, { exact: true }),
    ).toBeChecked();
  }
  await page.getByRole('button', { name: 'Mark complete' }).dblclick();
  await expect(page.getByRole('status').filter({ hasText: 'Lesson complete' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Mark complete' })).toHaveCount(0);

  const exported = await page.request.get('/account/export.json');
  expect(exported.status()).toBe(200);
  const data = (await exported.json()) as {
    progress: { course: string; lesson: string; completedAt: string | null }[];
    reflections: { course: string; lesson: string; text: string }[];
  };
  const rows = data.progress.filter((row) => row.course === lesson.course && row.lesson === lesson.slug);
  expect(rows, 'exactly one progress row for the lesson').toHaveLength(1);
  expect(rows[0]!.completedAt).toBeTruthy();
  expect(data.progress.filter((row) => row.completedAt)).toHaveLength(1);
  // The server has the whole reflection, including what was typed offline.
  expect(data.reflections.map((r) => r.text)).toEqual([online + offline]);

  // Today offers the next lesson, with its minutes.
  const next = findCourse(lesson.course).lessons[1]!;
  await page.goto('/');
  const continueCard = page.getByRole('region', { name: 'Continue where you left off' });
  await expect(continueCard).toBeVisible();
  await expect(continueCard).toContainText(next.title);
  const continueLink = continueCard.getByRole('link', { name: `Continue · ${next.minutes} min` });
  await expect(continueLink).toHaveAttribute('href', next.url);
  await continueLink.click();
  await expect(page).toHaveURL(`${BASE_URL}${next.url}`);
  await expect(page.getByRole('heading', { level: 1, name: next.title })).toBeVisible();
});

test('the journal shows reflections as text, finds them, and undoes a delete', async ({ page }) => {
  await signUp(page, newPerson('Ines Duarte', 'journal'));
  const [first, second] = findCourse('servant-leadership').lessons;
  const markup = 'Asked the team what gets in their way. <b>bold</b> marigold answers.';
  const other = 'Listened for ten minutes without fixing anything: heron.';
  await writeReflection(page, first!, markup);
  await writeReflection(page, second!, other);

  await page.goto('/journal');
  await expect(page.getByRole('heading', { level: 1, name: 'My journal' })).toBeVisible();
  // Shown literally, never as markup.
  await expect(shown(page, markup)).toBeVisible();
  await expect(page.getByText('bold', { exact: true })).toHaveCount(0);
  await expect(shown(page, other)).toBeVisible();

  const entries = page
    .getByRole('list')
    .filter({ has: page.getByRole('heading', { name: first!.title }) })
    .getByRole('listitem');
  await expect(entries).toHaveCount(2);

  // Search narrows the list.
  await page.getByRole('searchbox', { name: 'Search my reflections' }).fill('marigold');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/journal\?q=marigold$/);
  await expect(shown(page, markup)).toBeVisible();
  await expect(shown(page, other)).toHaveCount(0);
  await page.getByRole('searchbox', { name: 'Search my reflections' }).fill('no such words anywhere');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No reflections contain “no such words anywhere”.')).toBeVisible();

  // Delete, then undo.
  await page.goto('/journal');
  const entry = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: first!.title }) });
  await entry.getByText('Edit or delete').click();
  await entry.getByRole('button', { name: `Delete reflection on ${first!.title}` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reflection deleted.' })).toBeVisible();
  await expect(shown(page, markup)).toHaveCount(0);
  await expect(shown(page, other)).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reflection restored.' })).toBeVisible();
  await expect(shown(page, markup)).toBeVisible();
  await expect(shown(page, other)).toBeVisible();

  // The restored text is the same on the lesson page.
  await openLesson(page, first!.url);
  await expect(reflectionBox(page, first!)).toHaveValue(markup);
});

test('one learner never sees another learner’s reflections', async ({ page, openContext }) => {
  const lesson = findLesson('patient-connection', 'name-the-emotion');
  const secret = `Private note about a hard night shift ${Date.now().toString(36)} kestrel`;
  await signUp(page, newPerson('Aiko Tanaka', 'author'));
  await writeReflection(page, lesson, secret);

  // The author's own exports hold it (so the checks below can fail).
  for (const url of ['/journal/export.json', '/journal/export.md', '/account/export.json']) {
    expect(await (await page.request.get(url)).text(), url).toContain(secret);
  }

  const stranger = await (await openContext()).newPage();
  await signUp(stranger, newPerson('Bram de Vries', 'stranger'));
  await stranger.goto('/journal');
  await expect(stranger.getByRole('heading', { level: 1, name: 'My journal' })).toBeVisible();
  await expect(stranger.getByText('No reflections yet.')).toBeVisible();
  expect(await stranger.content()).not.toContain('kestrel');
  await stranger.goto(`/journal?q=${encodeURIComponent('kestrel')}`);
  expect(await stranger.content()).not.toContain(secret);
  for (const url of [
    '/journal/export.json',
    '/journal/export.md',
    '/account/export.json',
    `${lesson.url}/state.json`,
  ]) {
    const response = await stranger.request.get(url);
    expect(response.status(), url).toBe(200);
    expect(await response.text(), url).not.toContain('kestrel');
  }
  await openLesson(stranger, lesson.url);
  await expect(reflectionBox(stranger, lesson)).toHaveValue('');
});

/** Natural text of exactly `length` characters. */
function textOfLength(length: number): string {
  const sentence = 'Sat with the family for a minute before handover and asked what mattered most today. ';
  return sentence.repeat(Math.ceil(length / sentence.length)).slice(0, length);
}

test('a reflection near the 10,000-character limit shows a counter; over it, says so and keeps the text; trimmed, it saves', async ({
  page,
}) => {
  await signUp(page, newPerson('Noor Haddad', 'limit'));
  const lesson = findLesson('patient-connection', 'name-the-emotion');
  await openLesson(page, lesson.url);
  const box = reflectionBox(page, lesson);

  // Below the counter's threshold there is no counter.
  await box.fill(textOfLength(7_000));
  await expect(savedStatus(page)).toBeVisible();
  await expect(page.getByText(/\/ 10,000$/)).toHaveCount(0);

  // Pasted close to the limit: the counter appears, and it still saves.
  const near = textOfLength(9_990);
  await box.fill(near);
  await expect(page.getByText('9,990 / 10,000', { exact: true })).toBeVisible();
  await expect(savedStatus(page)).toBeVisible();

  // Typed past it: a clear message under the field, the text untouched.
  await box.press('Control+End');
  await box.pressSequentially(' and more.!', { delay: 10 });
  const over = `${near} and more.!`;
  await expect(page.getByText('10,001 / 10,000', { exact: true })).toBeVisible();
  const tooLong = page
    .getByRole('status')
    .filter({ hasText: 'Too long to save: reflections can be up to 10,000 characters. Your text is kept here.' });
  await expect(tooLong).toBeVisible();
  await expect(savedStatus(page)).toHaveCount(0);
  await expect(box).toHaveAttribute('aria-invalid', 'true');
  await expect(box).toHaveAccessibleDescription(/Too long to save/);
  await expect(box).toHaveValue(over);

  // Not lost on a reload either (kept in this browser), and still not sent.
  await page.reload();
  await expect(reflectionBox(page, lesson)).toHaveValue(over);
  await expect(tooLong).toBeVisible();
  let stored = (await (await page.request.get('/account/export.json')).json()) as { reflections: { text: string }[] };
  expect(stored.reflections.map((r) => r.text)).toEqual([near]);

  // Trimmed to exactly the limit: saved.
  await reflectionBox(page, lesson).press('Control+End');
  await reflectionBox(page, lesson).press('Backspace');
  await expect(page.getByText('10,000 / 10,000', { exact: true })).toBeVisible();
  await expect(savedStatus(page)).toBeVisible();
  await expect(tooLong).toHaveCount(0);
  stored = (await (await page.request.get('/account/export.json')).json()) as { reflections: { text: string }[] };
  expect(stored.reflections.map((r) => r.text)).toEqual([over.slice(0, 10_000)]);
});

test('the journal refuses an edit over 10,000 characters next to the field, keeps it as typed, and saves it once trimmed', async ({
  page,
}) => {
  await signUp(page, newPerson('Tomás Ruiz', 'journal-limit'));
  const lesson = findLesson('servant-leadership', findCourse('servant-leadership').lessons[0]!.slug);
  const original = 'Asked what gets in the way, then waited.';
  await writeReflection(page, lesson, original);

  await page.goto('/journal');
  await page.getByText('Edit or delete').click();
  const editor = page.getByRole('textbox', { name: 'Your reflection', exact: true });
  const over = textOfLength(10_009);
  await editor.fill(over);
  await page.getByRole('button', { name: 'Save changes' }).click();

  const message =
    'Too long to save: 10,009 characters, 9 over the limit of 10,000. Shorten it and save again; your text is kept below.';
  await expect(page.getByText(message, { exact: true })).toBeVisible();
  await expect(editor).toBeVisible();
  await expect(editor).toHaveValue(over);
  await expect(editor).toHaveAttribute('aria-invalid', 'true');
  await expect(editor).toHaveAccessibleDescription(
    // The hint (the limit, and to leave out what identifies a patient), then the error.
    new RegExp(`^Up to 10,000 characters\\. .+ ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  );
  // Nothing was saved: the journal still shows the earlier text.
  await expect(shown(page, original)).toBeVisible();

  await editor.press('Control+End');
  for (let i = 0; i < 9; i++) await editor.press('Backspace');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reflection saved.' })).toBeVisible();
  await expect(page.getByText(message, { exact: true })).toHaveCount(0);
  await expect(shown(page, original)).toHaveCount(0);
  await expect(page.getByRole('paragraph').filter({ hasText: /^Sat with the family/ })).toHaveCount(1);
  const stored = (await (await page.request.get('/account/export.json')).json()) as { reflections: { text: string }[] };
  expect(stored.reflections.map((r) => r.text)).toEqual([over.slice(0, 10_000)]);
});
