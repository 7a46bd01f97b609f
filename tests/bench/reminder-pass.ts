// The daily reminder pass (issue 17 §3): 10,000 learners in 20 teams of 500, each team
// with three courses due so that every learner has a reminder due now (three days
// ahead, today, a week overdue), a third of them with some progress. Times one pass of
// runAutomaticReminders, which merges each person's reminders into one email (10,000
// emails into the outbox, no SMTP), then a second pass that finds nothing left to send.
// Target: the first pass in under 60 s.
// Usage: DATABASE_URL=postgres://... npm run bench:reminders   (a fresh database is made and dropped)
//        npm run bench:reminders                              (in-memory PGlite)
import { sql } from 'kysely';
import os from 'node:os';
import { freshDatabase } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { addDays, dateIn } from '#lib/team-rules.ts';
import { runAutomaticReminders } from '#server/teams/automatic-reminders.ts';

const LEARNERS = Number(process.env.BENCH_LEARNERS ?? 10_000);
const TEAM_SIZE = 500;
const TARGET_MS = 60_000;
const catalog = testCatalog();
const courses = catalog.courses.filter((c) => c.lessons.length > 0).slice(0, 3);
// Noon UTC: outside everyone's default quiet hours (21:00–07:00 in UTC, their zone).
const now = new Date(`${dateIn('UTC', new Date())}T12:00:00Z`);
const today = dateIn('UTC', now);

const database = await freshDatabase();
const db = database.db;
try {
  const t0 = performance.now();
  const users: { id: string }[] = [];
  for (let start = 0; start < LEARNERS; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, LEARNERS - start) }, (_, j) => ({
      email: `learner-${start + j}@bench.example.org`,
      name: `Learner ${start + j}`,
      password_hash: 'x',
      email_verified_at: new Date(),
    }));
    users.push(...(await db.insertInto('users').values(batch).returning('id').execute()));
  }
  const [leader] = await db
    .insertInto('users')
    .values({ email: 'leader@bench.example.org', name: 'Leader', password_hash: 'x', email_verified_at: new Date() })
    .returning('id')
    .execute();
  let assignments = 0;
  const progress = [];
  for (let start = 0, team = 0; start < users.length; start += TEAM_SIZE, team++) {
    const [row] = await db
      .insertInto('teams')
      .values({ name: `Ward ${team}`, created_by: leader!.id })
      .returning('id')
      .execute();
    const members = users.slice(start, start + TEAM_SIZE);
    await db
      .insertInto('team_members')
      .values([
        { team_id: row!.id, user_id: leader!.id, role: 'leader' as const },
        ...members.map((u) => ({ team_id: row!.id, user_id: u.id, role: 'member' as const })),
      ])
      .execute();
    for (const [i, course] of courses.entries()) {
      await db
        .insertInto('team_assignments')
        .values({
          team_id: row!.id,
          course_slug: course.slug,
          due_on: addDays(today, [3, 0, -7][i]!),
          note: '',
          created_by: leader!.id,
        })
        .execute();
      assignments += 1;
    }
    // A third of the members are part-way through each course.
    for (const [n, member] of members.entries())
      if (n % 3 === 0)
        for (const course of courses)
          progress.push({
            user_id: member.id,
            course_slug: course.slug,
            lesson_slug: course.lessons[0]!.slug,
            completed_at: new Date(),
            course_version: null,
          });
  }
  for (let start = 0; start < progress.length; start += 2000)
    await db
      .insertInto('lesson_progress')
      .values(progress.slice(start, start + 2000))
      .execute();
  await sql`analyze`.execute(db);
  console.log(
    `seeded ${users.length} learners in ${Math.ceil(users.length / TEAM_SIZE)} teams, ${assignments} assignments, ${progress.length} progress rows in ${Math.round(performance.now() - t0)} ms (${database.kind})`,
  );

  // Without SMTP_URL each email also goes to the console; production mails over SMTP and
  // prints nothing, so the pass is timed without 10,000 printed emails.
  const print = console.log;
  console.log = () => {};
  const start = performance.now();
  const first = await runAutomaticReminders(db, catalog, now);
  const firstMs = performance.now() - start;
  const again = performance.now();
  const second = await runAutomaticReminders(db, catalog, new Date(now.getTime() + 60_000));
  const secondMs = performance.now() - again;
  console.log = print;
  const outbox = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  console.log(
    `first pass: ${JSON.stringify(first)} in ${(firstMs / 1000).toFixed(1)} s (${((firstMs / Math.max(first.sent, 1)) * 1000).toFixed(0)} µs per email)`,
  );
  console.log(`second pass (nothing left): ${JSON.stringify(second)} in ${(secondMs / 1000).toFixed(1)} s`);
  console.log(
    `outbox: ${outbox.n} emails · ${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (first.sent !== users.length || first.reminders !== users.length * courses.length || second.sent !== 0) {
    console.error('wrong counts: every learner should get exactly one email carrying three reminders, once');
    process.exitCode = 1;
  }
  if (firstMs > TARGET_MS) {
    console.error(`over target: ${(firstMs / 1000).toFixed(1)} s > ${TARGET_MS / 1000} s`);
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
