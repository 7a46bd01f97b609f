// End-to-end: two app processes on one PostgreSQL database, a person in Chromium
// moving between them. Signs up on process A, continues on B (session), finishes a
// lesson on B and sees it on A (progress), signs out on A and is signed out on B,
// and fails sign-in alternately on A and B until the shared throttle stops both.
// Needs DATABASE_URL (a server; this test makes and drops its own database).
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node tests/bench/two-processes.ts
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { chromium, type Page } from '@playwright/test';
import { buildIfNeeded, root, startApp, type RunningApp } from './server.ts';
import { testCatalog } from '../support/catalog.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('two-processes: set DATABASE_URL to a PostgreSQL server');
  process.exit(1);
}
buildIfNeeded((line) => console.log(line));
const name = `rounds_scale_${Date.now().toString(36)}`;
const admin = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
await sql`create database ${sql.id(name)}`.execute(admin);
const databaseUrl = new URL(url);
databaseUrl.pathname = `/${name}`;
const outDir = path.join(root, 'tests/.output/two-processes');
mkdirSync(outDir, { recursive: true });

const apps: RunningApp[] = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const step = (text: string) => console.log(`  ✓ ${text}`);
try {
  // Both start at once on the empty database: migrations must not collide.
  apps.push(
    ...(await Promise.all(
      ['a', 'b'].map((id) => startApp({ env: { DATABASE_URL: databaseUrl.toString(), LOG_FORMAT: 'text' }, processes: 1, logFile: path.join(outDir, `server-${id}.log`) })),
    )),
  );
  const [a, b] = apps as [RunningApp, RunningApp];
  assert.notEqual(a.pid, b.pid);
  step(`two processes (pids ${a.pid}, ${b.pid}) on one new database, migrated together`);

  // Cookies belong to the host, not the port, so one browser context carries the
  // session from A to B exactly as it would across processes behind a load balancer.
  const context = await browser.newContext();
  const page = await context.newPage();
  const email = `scale-${Date.now().toString(36)}@example.org`;
  const password = 'quiet harbour lantern ninety';
  await page.goto(`${a.origin}/signup`);
  await page.getByLabel('Your name').fill('Zoë Ångström');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Today' }).waitFor();
  step('signed up on A');

  await page.goto(`${b.origin}/`);
  await page.getByRole('heading', { name: 'Today' }).waitFor();
  await page.getByText('Welcome, Zoë').waitFor();
  step('B knows the session A created');

  const lesson = testCatalog().courses[0]!.lessons[0]!;
  await page.goto(`${b.origin}/courses/${lesson.courseSlug}/${lesson.slug}`);
  await page.getByRole('button', { name: 'Mark complete' }).waitFor();
  for (const question of lesson.check) {
    await page.getByRole('group', { name: question.question }).getByLabel(question.options.find((o) => o.correct)!.text, { exact: true }).check();
  }
  const completed = page.waitForResponse((r) => r.url().endsWith('/_actions/progress.complete'));
  await page.getByRole('button', { name: 'Mark complete' }).click();
  assert.equal((await completed).status(), 200);
  step('finished a lesson on B');

  await page.goto(`${a.origin}/courses/${lesson.courseSlug}`);
  await page.getByText(/1 of \d+ lessons|1 of \d+/).first().waitFor();
  step('A shows the progress made on B');

  await page.goto(`${a.origin}/`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForLoadState('load');
  await page.goto(`${b.origin}/`);
  await page.getByRole('link', { name: 'Create a free account' }).waitFor();
  step('signed out on A, so signed out on B');

  // The per-account limit is 10 failed sign-ins per 15 minutes, counted in the database.
  let throttledAt = 0;
  for (let attempt = 1; attempt <= 12 && !throttledAt; attempt += 1) {
    const app = attempt % 2 ? a : b;
    const status = await failSignIn(page, app.origin, email);
    if (status === 429) throttledAt = attempt;
  }
  assert.equal(throttledAt, 11, `expected the 11th failed sign-in (alternating A and B) to be throttled, got ${throttledAt || 'none'}`);
  const other = throttledAt % 2 ? b : a;
  assert.equal(await failSignIn(page, other.origin, email, password), 429, 'the other process must refuse too, even with the right password');
  step('failed sign-ins alternating A/B: the 11th is refused, on both processes');

  for (const [feature, file] of [['background jobs', 'src/server/services/jobs.ts'], ['certificate signing keys', 'src/server/services/certificates.ts']] as const) {
    console.log(`  – ${feature}: ${existsSync(path.join(root, file)) ? `present (${file}); extend this test` : 'not built yet'}`);
  }
  console.log('two-processes: passed');
} finally {
  await browser.close();
  await Promise.all(apps.map((app) => app.stop()));
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
}

async function failSignIn(page: Page, origin: string, email: string, password = 'not the password at all'): Promise<number> {
  await page.goto(`${origin}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  const response = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/login'));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  return (await response).status();
}
