// Dashboard benchmark: a team of 500 members with 10 assignments, seeded with
// progress at every stage; times the dashboard's data (service) and the CSV export.
// Usage: node tests/bench/team-dashboard.ts            (in-memory PGlite)
//        DATABASE_URL=postgres://... node tests/bench/team-dashboard.ts
// Budget: the dashboard renders in <= 150 ms server time; this measures the data part.
import { sql } from 'kysely';
import { freshDatabase } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { buildCatalog } from '#lib/catalog.ts';
import { addDays } from '#lib/team-rules.ts';
import * as teams from '#server/teams/teams.ts';
import { trainingRecordCsv } from '#server/teams/record.ts';
import { findUserById } from '#server/accounts/users-repo.ts';

const MEMBERS = 500;
const ASSIGNMENTS = 10;
const base = testCatalog();
// Ten distinct courses: the real four, and copies under new slugs.
const courses = Array.from({ length: ASSIGNMENTS }, (_, i) => {
  const source = base.courses[i % base.courses.length]!;
  return { slug: i < base.courses.length ? source.slug : `${source.slug}-copy-${i}`, source };
});
const catalog = buildCatalog(
  courses.map((c) => ({ slug: c.slug, data: c.source })),
  courses.flatMap((c) =>
    c.source.lessons.map((l) => ({
      courseSlug: c.slug,
      slug: l.slug,
      order: String(l.position).padStart(2, '0'),
      data: l,
    })),
  ),
);

const database = await freshDatabase();
const db = database.db;
try {
  const t0 = performance.now();
  const users = [];
  for (let start = 0; start < MEMBERS + 1; start += 250) {
    const batch = Array.from({ length: Math.min(250, MEMBERS + 1 - start) }, (_, j) => ({
      email: `bench-${start + j}@example.org`,
      name: `Member ${String(start + j).padStart(3, '0')}`,
      password_hash: 'x',
      email_verified_at: new Date(),
    }));
    users.push(...(await db.insertInto('users').values(batch).returning('id').execute()));
  }
  const leader = (await findUserById(db, users[0]!.id))!;
  const { teamId } = await teams.createTeam({ db, catalog, user: leader }, { name: 'Bench ward', description: '' });
  for (let start = 1; start < users.length; start += 250) {
    await db
      .insertInto('team_members')
      .values(users.slice(start, start + 250).map((u) => ({ team_id: teamId, user_id: u.id, role: 'member' as const })))
      .execute();
  }
  const today = teams.teamToday();
  for (const [i, c] of courses.entries()) {
    await teams.assignCourse(
      { db, catalog, user: leader },
      { teamId, courseSlug: c.slug, dueOn: addDays(today, i), note: '' },
    );
  }
  // Progress: member n has done (n + course) % 8 lessons of each course (0 = not started, >= 6 = complete).
  const rows = [];
  for (const [n, user] of users.slice(1).entries()) {
    for (const [ci, c] of courses.entries()) {
      const done = (n + ci) % 8;
      c.source.lessons.slice(0, done).forEach((lesson) =>
        rows.push({
          user_id: user.id,
          course_slug: c.slug,
          lesson_slug: lesson.slug,
          completed_at: new Date(),
          course_version: '1.0.0',
        }),
      );
      if (done === 1)
        rows.push({
          user_id: user.id,
          course_slug: c.slug,
          lesson_slug: c.source.lessons.at(-1)!.slug,
          completed_at: null,
          course_version: null,
        });
    }
  }
  for (let start = 0; start < rows.length; start += 2000)
    await db
      .insertInto('lesson_progress')
      .values(rows.slice(start, start + 2000))
      .execute();
  await sql`analyze`.execute(db);
  console.log(
    `seeded ${MEMBERS} members, ${ASSIGNMENTS} assignments, ${rows.length} progress rows in ${Math.round(performance.now() - t0)} ms (${database.kind})`,
  );

  const ctx = { db, catalog, user: leader };
  const time = async (label: string, body: () => Promise<unknown>, runs = 15) => {
    for (let i = 0; i < 3; i++) await body();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await body();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)]!;
    const p90 = samples[Math.floor(samples.length * 0.9)]!;
    console.log(`${label}: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms`);
    return median;
  };
  const view = await teams.dashboard(ctx, teamId);
  console.log(
    `dashboard: ${view.members.length} members x ${view.assignments.length} assignments; counts of the first: ${JSON.stringify(view.assignments[0]!.counts)}`,
  );
  if (process.env.EXPLAIN) {
    const repo = await import('#server/teams/repo.ts');
    const lessons = catalog.courses.flatMap((c) =>
      c.lessons.map((l) => ({ course_slug: c.slug, lesson_slug: l.slug })),
    );
    await time('states query alone', () => repo.assignmentStates(db, { teamId }, lessons, today));
    await time('members query alone', () => repo.listMembers(db, teamId));
  }
  const median = await time('dashboard data', () => teams.dashboard(ctx, teamId));
  await time('CSV export', () => trainingRecordCsv(ctx, teamId));
  if (median > 150) {
    console.error(`over budget: ${median.toFixed(1)} ms > 150 ms`);
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
