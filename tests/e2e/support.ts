// Helpers shared by the end-to-end specs: captured mail, accounts through the UI,
// and the curriculum read straight from content/ (so tests know the right answers).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import AxeBuilder from '@axe-core/playwright';
import {
  test as base,
  expect,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from '@playwright/test';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import { startScriptFlags } from '../support/start-flags.ts';

export { expect };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BASE_URL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4410)}`;
const MAIL_API = `http://127.0.0.1:${Number(process.env.E2E_MAIL_PORT ?? 4426)}`;

// ── Mail ────────────────────────────────────────────────────────────────────

/** As tests/e2e/serve.ts captures it. */
export interface Mail {
  subject: string;
  text: string;
  listUnsubscribe?: string;
  listUnsubscribePost?: string;
}

/** Every captured message to `to`, newest first. */
export async function mailTo(to: string): Promise<Mail[]> {
  const response = await fetch(`${MAIL_API}/messages?to=${encodeURIComponent(to)}`);
  if (!response.ok) throw new Error(`mail API answered ${response.status}`);
  return (await response.json()) as Mail[];
}

/**
 * The newest message to `to` (optionally: whose subject matches), waiting up to 10 s
 * for it to arrive.
 */
export async function latestMail(to: string, options: { subject?: RegExp; timeout?: number } = {}): Promise<Mail> {
  const deadline = Date.now() + (options.timeout ?? 10_000);
  for (;;) {
    const found = (await mailTo(to)).find((mail) => !options.subject || options.subject.test(mail.subject));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `No mail to ${to}${options.subject ? ` with a subject like ${options.subject}` : ''} arrived within ${options.timeout ?? 10_000} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The first http(s) URL in a text. */
export function linkFrom(text: string): string {
  const match = /https?:\/\/[^\s<>"')\]]+/.exec(text);
  if (!match) throw new Error(`No link in:\n${text}`);
  return match[0];
}

// ── People ──────────────────────────────────────────────────────────────────

export interface Person {
  name: string;
  email: string;
  password: string;
}

const WORDS = [
  'amber',
  'harbor',
  'quiet',
  'engine',
  'violet',
  'copper',
  'lantern',
  'meadow',
  'saddle',
  'orbit',
  'pebble',
  'thistle',
  'juniper',
  'falcon',
  'cobalt',
  'tundra',
];

function pick(): string {
  return WORDS[randomBytes(1)[0]! % WORDS.length]!;
}

/** An address no other test (or earlier run) uses. */
export function uniqueEmail(prefix = 'learner'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}@example.org`.toLowerCase();
}

/** A strong passphrase, different for every call. */
export function strongPassword(): string {
  return `${pick()} ${pick()} ${pick()} ${randomBytes(3).toString('hex')}`;
}

export function newPerson(name = 'Sam Okafor', prefix = 'learner'): Person {
  return { name, email: uniqueEmail(prefix), password: strongPassword() };
}

/** Signs up through the form, by label, and waits for Today. */
export async function signUp(page: Page, person: Person): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(person.name);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // Today, on whichever server the page is on (the suite's or a spec's own).
  await expect(page).toHaveURL((url) => url.pathname === '/' && !url.search);
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
}

/** Signs in through the form; does not wait for the outcome. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  if (!new URL(page.url(), BASE_URL).pathname.startsWith('/login')) await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in through the form and waits for Today. */
export async function signIn(page: Page, person: Pick<Person, 'email' | 'password'>): Promise<void> {
  await page.goto('/login');
  await submitSignIn(page, person.email, person.password);
  await expect(page).toHaveURL(`${BASE_URL}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
}

// ── Accessibility ───────────────────────────────────────────────────────────

/** The WCAG 2.2 AA rule sets axe checks. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Fails on any serious or critical axe finding on the page as it is now. */
export async function expectNoSeriousAxeFindings(page: Page, label = page.url()): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${label}: ${v.id} — ${v.help}`)).toEqual([]);
}

/** Headers a same-origin browser form post carries (Astro's origin check needs them). */
export const SAME_ORIGIN = { Origin: BASE_URL };

// ── Curriculum ──────────────────────────────────────────────────────────────

export interface CheckOption {
  text: string;
  correct?: boolean;
  feedback: string;
}

export interface LessonInfo {
  course: string;
  slug: string;
  url: string;
  title: string;
  summary: string;
  minutes: number;
  position: number;
  check: { question: string; options: CheckOption[] }[];
  reflection: string;
}

export interface CourseInfo {
  slug: string;
  url: string;
  title: string;
  contactHours: number;
  lessons: LessonInfo[];
}

const LESSON_FILE = /^(\d+)-([a-z0-9-]+)\.mdx$/;

function frontmatter(file: string): Record<string, unknown> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`${file} has no frontmatter`);
  return parseYaml(match[1]!) as Record<string, unknown>;
}

let cachedCourses: CourseInfo[] | undefined;

/** Every course and lesson in content/, lessons in file-number order. */
export function curriculum(): CourseInfo[] {
  if (cachedCourses) return cachedCourses;
  const contentDir = path.join(root, 'content');
  cachedCourses = readdirSync(contentDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((slug) => {
      const course = parseYaml(readFileSync(path.join(contentDir, slug, 'course.yaml'), 'utf8')) as {
        title: string;
        contactHours: number;
      };
      const files = readdirSync(path.join(contentDir, slug))
        .filter((file) => LESSON_FILE.test(file))
        .sort();
      const lessons = files.map((file, index): LessonInfo => {
        const data = frontmatter(path.join(contentDir, slug, file)) as Omit<
          LessonInfo,
          'course' | 'slug' | 'url' | 'position'
        >;
        const lessonSlug = LESSON_FILE.exec(file)![2]!;
        return { ...data, course: slug, slug: lessonSlug, url: `/courses/${slug}/${lessonSlug}`, position: index + 1 };
      });
      return { slug, url: `/courses/${slug}`, title: course.title, contactHours: course.contactHours, lessons };
    });
  return cachedCourses;
}

export function findCourse(slugOrTitle: string): CourseInfo {
  const course = curriculum().find((c) => c.slug === slugOrTitle || c.title === slugOrTitle);
  if (!course) throw new Error(`No course ${slugOrTitle} in content/`);
  return course;
}

export function findLesson(courseSlug: string, lessonSlug: string): LessonInfo {
  const lesson = findCourse(courseSlug).lessons.find((l) => l.slug === lessonSlug);
  if (!lesson) throw new Error(`No lesson ${courseSlug}/${lessonSlug} in content/`);
  return lesson;
}

/** The lesson a lesson URL points at. */
export function lessonAt(url: string): LessonInfo {
  const [, course, lesson] = /\/courses\/([^/]+)\/([^/?#]+)/.exec(url) ?? [];
  if (!course || !lesson) throw new Error(`${url} is not a lesson URL`);
  return findLesson(course, lesson);
}

export function rightOption(lesson: LessonInfo, question: number): CheckOption {
  return lesson.check[question]!.options.find((option) => option.correct)!;
}

export function wrongOption(lesson: LessonInfo, question: number): CheckOption {
  return lesson.check[question]!.options.find((option) => !option.correct)!;
}

/** Question index -> index of its correct option. */
export function rightAnswers(lesson: LessonInfo): number[] {
  return lesson.check.map((question) => question.options.findIndex((option) => option.correct));
}

// ── Lesson pages ────────────────────────────────────────────────────────────

/**
 * Opens a lesson and waits until its islands have loaded the learner's state
 * (with JavaScript on), so a click reaches the island and not the plain form.
 */
export async function openLesson(page: Page, url: string): Promise<void> {
  const state = page.waitForResponse((response) => response.url().endsWith('/state.json'));
  await page.goto(url);
  await state;
  await expect(page.getByText('It saves as you type.')).toBeVisible();
}

/** The knowledge-check question as a group (fieldset named by its legend). */
export function question(page: Page, lesson: LessonInfo, index: number): Locator {
  return page.getByRole('group', { name: lesson.check[index]!.question });
}

/** Chooses an option of a check question and presses its "Check answer", as a learner does. */
export async function checkAnswer(group: Locator, optionText: string): Promise<void> {
  await group.getByLabel(optionText, { exact: true }).check();
  await group.getByRole('button', { name: 'Check answer' }).click();
}

/**
 * Asserts that a check feedback text is shown to the eye (not only to screen
 * readers through the visually hidden live region, which is 1 px tall).
 */
export async function expectFeedbackShown(scope: Locator, text: string): Promise<void> {
  const matches = scope.getByText(text, { exact: false });
  await expect
    .poll(
      async () => {
        for (const match of await matches.all()) {
          const box = (await match.isVisible()) ? await match.boundingBox() : null;
          if (box && box.height > 4 && box.width > 4) return true;
        }
        return false;
      },
      { message: `"${text}" is shown on screen` },
    )
    .toBe(true);
}

/** Fails with a message when the page answered with a server error. */
export function failOnServerErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 500) errors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return errors;
}

// ── Fixtures ────────────────────────────────────────────────────────────────

/**
 * The lock every spec but the events journey takes (`test.describe.configure({ lock })`),
 * so that they still run one at a time: they share the suite's server, the ports of
 * servers of their own, and some time what happens within seconds. The events journey
 * spends minutes waiting for a lesson to unlock at the next minute, on a server of its
 * own, so it runs beside them in Playwright's second worker.
 */
export const ONE_AT_A_TIME = 'one-at-a-time';

/**
 * `test` with `openContext()`: another browser (a second device, a second person)
 * with the project's viewport and settings, closed after the test.
 */
export const test = base.extend<{ openContext: (extra?: BrowserContextOptions) => Promise<BrowserContext> }>({
  openContext: async (
    { browser, baseURL, viewport, isMobile, hasTouch, deviceScaleFactor, javaScriptEnabled, locale, timezoneId },
    use,
  ) => {
    const contexts: BrowserContext[] = [];
    await use(async (extra = {}) => {
      const context = await browser.newContext({
        baseURL,
        viewport,
        isMobile,
        hasTouch,
        deviceScaleFactor,
        javaScriptEnabled,
        locale,
        timezoneId,
        ...extra,
      });
      contexts.push(context);
      return context;
    });
    await Promise.all(contexts.map((context) => context.close()));
  },
});

// ── A server of one's own ───────────────────────────────────────────────────

/**
 * Rounds on a fresh database (a new PostgreSQL database when DATABASE_URL is set, else a
 * temporary PGlite folder), so that the spec's first sign-up is the administrator. Same
 * build and SMTP capture as the suite's server (or the copy of it in `appDir`); `stop()`
 * ends it and removes its data. `prepare` fills the migrated database before the server
 * opens it (PGlite is one process's database): what the UI cannot make in a moment, e.g.
 * an invite that expired.
 */
export async function startOwnServer<T = undefined>(
  port: number,
  label: string,
  options: { appDir?: string; prepare?: (db: Kysely<Database>) => Promise<T> } = {},
): Promise<{ baseUrl: string; prepared: T; stop(): Promise<void> }> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 4425);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    ROUNDS_SKIP_BUILD: '1',
    // Journeys complete courses in seconds and expect certificates (docs/settings.md).
    LESSON_TIME_FLOOR: '0',
  };
  let dataDir: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    const { Kysely, PostgresDialect, sql } = await import('kysely');
    const pg = (await import('pg')).default;
    const serverUrl = process.env.DATABASE_URL;
    const onServer = async (statement: (db: import('kysely').Kysely<unknown>) => Promise<unknown>) => {
      const admin = new Kysely<unknown>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: serverUrl, max: 1 }) }),
      });
      try {
        await statement(admin);
      } finally {
        await admin.destroy();
      }
    };
    const name = `rounds_e2e_${label}_${Date.now().toString(36)}`;
    await onServer((admin) => sql`create database ${sql.id(name)}`.execute(admin));
    dropDatabase = () => onServer((admin) => sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin));
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
  } else {
    dataDir = mkdtempSync(path.join(os.tmpdir(), `rounds-e2e-${label}-`));
    env.DATA_DIR = dataDir;
  }
  let prepared = undefined as T;
  if (options.prepare) {
    const { migrateToLatest, openDatabase } = await import('#server/platform/db.ts');
    const database = openDatabase(
      env.DATABASE_URL ? { url: env.DATABASE_URL, poolMax: 2 } : { dataDir: path.join(dataDir!, 'pglite') },
    );
    try {
      await migrateToLatest(database.db);
      prepared = await options.prepare(database.db);
    } finally {
      await database.close();
    }
  }
  const appDir = options.appDir ?? root;
  const server = spawn(process.execPath, [...startScriptFlags(), path.join(appDir, 'bin/start.ts')], {
    cwd: appDir,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 100_000;
  for (;;) {
    if (
      await fetch(`${baseUrl}/healthz`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the ${label} test server did not start`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return {
    baseUrl,
    prepared,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      await dropDatabase?.();
    },
  };
}
