// End-to-end: two app processes on one PostgreSQL database, a person in Chromium
// moving between them. Signs up on process A, continues on B (session), finishes a
// lesson on B and sees it on A (progress), finishes the course on B and verifies its
// certificate against A's published keys (signing keys), has a reminder delivered once
// by two job runners at the same moment (jobs), signs out on A and is signed out on B,
// and fails sign-in alternately on A and B until the shared throttle stops both.
// Needs DATABASE_URL (a server; this test makes and drops its own database).
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node tests/bench/two-processes.ts
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { chromium, type Page } from '@playwright/test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { spawn } from 'node:child_process';
import type { Database } from '#db/schema.ts';
import { findUserById } from '#server/accounts/users-repo.ts';
import { buildIfNeeded, root, startApp, type RunningApp } from './server.ts';
import { testCatalog } from '../support/catalog.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('two-processes: set DATABASE_URL to a PostgreSQL server');
  process.exit(1);
}
buildIfNeeded((line) => console.log(line));
const name = `rounds_scale_${Date.now().toString(36)}`;
const admin = new Kysely<unknown>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
});
await sql`create database ${sql.id(name)}`.execute(admin);
const databaseUrl = new URL(url);
databaseUrl.pathname = `/${name}`;
const outDir = path.join(root, 'tests/.output/two-processes');
mkdirSync(outDir, { recursive: true });

const apps: RunningApp[] = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const step = (text: string) => console.log(`  ✓ ${text}`);
try {
  // Both start at once on the empty database: migrations must not collide.
  apps.push(
    ...(await Promise.all(
      ['a', 'b'].map((id) =>
        startApp({
          // LESSON_TIME_FLOOR 0: this check completes a course in a second and needs its certificate (docs/settings.md).
          env: { DATABASE_URL: databaseUrl.toString(), LOG_FORMAT: 'text', LESSON_TIME_FLOOR: '0' },
          processes: 1,
          logFile: path.join(outDir, `server-${id}.log`),
        }),
      ),
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
  await page.getByText('Welcome, Zoë Ångström').waitFor();
  step('B knows the session A created');

  const lesson = testCatalog().courses[0]!.lessons[0]!;
  await page.goto(`${b.origin}/courses/${lesson.courseSlug}/${lesson.slug}`);
  await page.getByRole('button', { name: 'Mark complete' }).waitFor();
  for (const question of lesson.check) {
    await page
      .getByRole('group', { name: question.question })
      .getByLabel(question.options.find((o) => o.correct)!.text, { exact: true })
      .check();
  }
  const completed = page.waitForResponse((r) => r.url().endsWith('/_actions/progress.complete'));
  await page.getByRole('button', { name: 'Mark complete' }).click();
  assert.equal((await completed).status(), 200);
  step('finished a lesson on B');

  await page.goto(`${a.origin}/courses/${lesson.courseSlug}`);
  await page
    .getByText(/1 of \d+ lessons|1 of \d+/)
    .first()
    .waitFor();
  step('A shows the progress made on B');

  // Signing keys: both processes publish the same keys, and a certificate issued on B
  // verifies against A's key set. (The learner confirms their email first: certificates wait for it.)
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl.toString(), max: 2 }) }),
  });
  try {
    const learner = await db
      .updateTable('users')
      .set({ email_verified_at: new Date() })
      .where('email', '=', email)
      .returning('id')
      .executeTakeFirstOrThrow();
    const course = testCatalog().course(lesson.courseSlug)!;
    for (const each of course.lessons) {
      const form: Record<string, string> = { courseSlug: course.slug, lessonSlug: each.slug };
      each.check.forEach(
        (question, index) => (form[`q${index}`] = String(question.options.findIndex((o) => o.correct))),
      );
      const reply = await context.request.post(`${b.origin}/_actions/progress.complete`, {
        form,
        headers: { origin: b.origin },
      });
      assert.equal(reply.status(), 200, `completing ${each.slug} on B: ${reply.status()} ${await reply.text()}`);
    }
    const certificate = await db
      .selectFrom('certificates')
      .select('id')
      .where('user_id', '=', learner.id)
      .where('course_slug', '=', course.slug)
      .executeTakeFirstOrThrow();
    const [keysA, keysB] = await Promise.all(
      [a, b].map(async (app) => (await fetch(`${app.origin}/.well-known/jwks.json`)).json()),
    );
    assert.deepEqual(keysA, keysB, 'both processes publish the same signing keys');
    const jwt = await (await fetch(`${a.origin}/certificates/${certificate.id}.jwt`)).text();
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(keysA as JSONWebKeySet), { algorithms: ['EdDSA'] });
    assert.equal(payload.jti, `${b.origin}/certificates/${certificate.id}`, 'the credential names this certificate');
    step('a certificate issued on B verifies against the keys A publishes (and B publishes the same)');

    // Jobs: a reminder queued once is delivered once, however many processes run the jobs
    // at the same moment (two CLI runs here, besides A's and B's own schedulers).
    const teams = await import('#server/teams/teams.ts');
    const reminders = await import('#server/teams/reminders.ts');
    const catalog = testCatalog();
    const leader = (await findUserById(db, learner.id))!;
    const memberRow = await db
      .insertInto('users')
      .values({ email: `member-${email}`, name: 'Member Two', password_hash: 'x', email_verified_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ctx = { db, catalog, user: leader };
    const { teamId } = await teams.createTeam(ctx, { name: 'Two processes', description: '' });
    await db.insertInto('team_members').values({ team_id: teamId, user_id: memberRow.id, role: 'member' }).execute();
    const other = catalog.courses.find((c) => c.slug !== course.slug)!;
    const { assignmentId } = await teams.assignCourse(ctx, {
      teamId,
      courseSlug: other.slug,
      dueOn: teams.teamToday(),
      note: '',
    });
    await reminders.savePreferences(
      { db, catalog: testCatalog(), user: (await findUserById(db, memberRow.id))! },
      { quietStart: 0, quietEnd: 0, remindersOn: true },
    );
    assert.equal((await reminders.sendReminders(ctx, { teamId, assignmentId })).queued, 1);
    const runJobs = () =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [path.join(root, 'bin/rounds.ts'), 'run-jobs'], {
          cwd: root,
          env: { ...process.env, DATABASE_URL: databaseUrl.toString(), SMTP_URL: '' },
          stdio: 'ignore',
        });
        child.on('exit', (code) => resolve(code ?? 1));
      });
    assert.deepEqual(await Promise.all([runJobs(), runJobs()]), [0, 0]);
    const sent = await db.selectFrom('outbox').select('subject').where('to_address', '=', `member-${email}`).execute();
    assert.equal(
      sent.filter((m) => /reminder/i.test(m.subject)).length,
      1,
      `one reminder in the outbox, found ${JSON.stringify(sent)}`,
    );
    step('a queued reminder was delivered once with two job runners at the same moment');
  } finally {
    await db.destroy();
  }
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
  assert.equal(
    throttledAt,
    11,
    `expected the 11th failed sign-in (alternating A and B) to be throttled, got ${throttledAt || 'none'}`,
  );
  const other = throttledAt % 2 ? b : a;
  assert.equal(
    await failSignIn(page, other.origin, email, password),
    429,
    'the other process must refuse too, even with the right password',
  );
  step('failed sign-ins alternating A/B: the 11th is refused, on both processes');

  console.log('two-processes: passed');
} finally {
  await browser.close();
  await Promise.all(apps.map((app) => app.stop()));
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
}

async function failSignIn(
  page: Page,
  origin: string,
  email: string,
  password = 'not the password at all',
): Promise<number> {
  await page.goto(`${origin}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  const response = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/login'));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  return (await response).status();
}
