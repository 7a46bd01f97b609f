// Realistic data for the bench, written straight into the database through the
// app's Kysely instance: 5,000 confirmed users (one precomputed argon2 hash),
// progress, check attempts and reflections spread over every lesson, and 500 of the
// users signed in with known session tokens. Idempotent: a second run finds the
// users and only renews the sessions.
import { sql, type Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog } from '#lib/catalog.ts';
import { hashPassword } from '#server/accounts/passwords.ts';
import { hashSecret } from '#server/kernel/tokens.ts';
import type { BenchLearner } from './plugin.ts';

export const USER_COUNT = 5000;
export const LEARNER_COUNT = 500;
export const BENCH_PASSWORD = 'bench quiet harbour lantern 42';
const DOMAIN = 'bench.rounds.test';

const FIRST = [
  'Ana',
  'Zoë',
  'Łukasz',
  'Chidi',
  'Mei',
  'Søren',
  'Priya',
  'José',
  'Aoife',
  'Tomás',
  'Fatima',
  'Björn',
  'Nguyễn',
  'Olu',
  'Renée',
  'Kenji',
];
const LAST = [
  'García',
  'Ångström',
  'Okafor',
  'Nowak',
  'Brontë',
  'Haddad',
  'Ó Briain',
  'Müller',
  'Sharma',
  'Lindqvist',
  'Adeyemi',
  'Dubois',
  'Kowalczyk',
  'Tanaka',
];

export function benchEmail(index: number): string {
  return `learner-${String(index + 1).padStart(5, '0')}@${DOMAIN}`;
}

function benchName(index: number): string {
  return `${FIRST[index % FIRST.length]} ${LAST[(index * 7) % LAST.length]}`;
}

/** Deterministic so a second run (new process) knows the tokens without storing them. */
function benchToken(index: number): { id: string; secret: string } {
  const n = String(index + 1).padStart(5, '0');
  return { id: `benchsession${n}`, secret: `benchsecret${n}quietharbourlantern` };
}

const REFLECTION =
  'Today a patient told me what mattered to her before I asked about the pain score. I want to start the next shift by sitting down for the first minute, naming what I notice, and letting the family finish their sentence. ';

export interface Seeded {
  users: { id: string; email: string; name: string }[];
  learners: BenchLearner[];
  counts: Record<string, number>;
  seededNow: boolean;
}

export async function seedCore(db: Kysely<Database>, catalog: Catalog, log: (line: string) => void): Promise<Seeded> {
  const existing = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', 'like', `%@${DOMAIN}`)
    .executeTakeFirstOrThrow();
  const seededNow = Number(existing.n) < USER_COUNT;
  if (seededNow) {
    if (Number(existing.n) > 0)
      throw new Error(`Found ${existing.n} of ${USER_COUNT} bench users: a half-seeded database. Use a fresh one.`);
    const started = Date.now();
    const passwordHash = await hashPassword(BENCH_PASSWORD);
    for (let start = 0; start < USER_COUNT; start += 1000) {
      const rows = [];
      for (let i = start; i < Math.min(USER_COUNT, start + 1000); i += 1) {
        rows.push({
          email: benchEmail(i),
          name: benchName(i),
          password_hash: passwordHash,
          email_verified_at: new Date(),
        });
      }
      await db.insertInto('users').values(rows).execute();
    }
    await seedLearning(db, catalog);
    await sql`analyze`.execute(db);
    log(`seeded ${USER_COUNT} users with progress and reflections in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  const users = await db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('email', 'like', `%@${DOMAIN}`)
    .orderBy('email')
    .execute();

  // Sessions are renewed on every run, so they are fresh and no request refreshes them.
  await db.deleteFrom('sessions').where('id', 'like', 'benchsession%').execute();
  const learners: BenchLearner[] = [];
  const sessionRows = [];
  const now = Date.now();
  for (let i = 0; i < LEARNER_COUNT; i += 1) {
    const user = users[i]!;
    const { id, secret } = benchToken(i);
    learners.push({ ...user, token: `${id}.${secret}` });
    sessionRows.push({
      id,
      secret_hash: hashSecret(secret),
      user_id: user.id,
      expires_at: new Date(now + 9 * 86_400_000),
      last_seen_at: new Date(now),
      user_agent: 'rounds-bench',
    });
  }
  await db.insertInto('sessions').values(sessionRows).execute();

  const counts: Record<string, number> = {};
  for (const table of ['users', 'sessions', 'lesson_progress', 'check_attempts', 'reflections'] as const) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return { users, learners, counts, seededNow };
}

/**
 * Progress on ~35 % of (user, lesson) pairs (80 % of those completed, with correct
 * attempts for every question and a wrong one now and then) and a reflection on
 * ~40 % of them. Pseudo-random but deterministic, from hashtext().
 */
async function seedLearning(db: Kysely<Database>, catalog: Catalog): Promise<void> {
  const lessons = catalog.courses.flatMap((course) =>
    course.lessons.map(
      (lesson) =>
        sql`(${course.slug}::text, ${lesson.slug}::text, ${course.version}::text, ${sql.raw(`array[${lesson.check.map((q) => q.options.findIndex((o) => o.correct)).join(',')}]::int[]`)})`,
    ),
  );
  const lessonValues = sql`(values ${sql.join(lessons)}) as l(course_slug, lesson_slug, course_version, correct)`;
  const h = (salt: string) => sql`abs(hashtext(u.email || ${salt} || l.course_slug || l.lesson_slug)::bigint)`;

  await sql`
    insert into lesson_progress (user_id, course_slug, lesson_slug, started_at, completed_at, course_version)
    select u.id, l.course_slug, l.lesson_slug,
      now() - make_interval(days => (${h('s')} % 90)::int + 1),
      case when ${h('c')} % 100 < 80 then now() - make_interval(days => (${h('s')} % 90)::int) end,
      case when ${h('c')} % 100 < 80 then l.course_version end
    from users u cross join ${lessonValues}
    where u.email like ${`%@${DOMAIN}`} and ${h('p')} % 100 < 35
  `.execute(db);

  await sql`
    insert into check_attempts (user_id, course_slug, lesson_slug, question, chosen_option, correct, answered_at)
    select p.user_id, p.course_slug, p.lesson_slug, q.i, l.correct[q.i + 1], true, p.completed_at
    from lesson_progress p
    join ${lessonValues}
      on l.course_slug = p.course_slug and l.lesson_slug = p.lesson_slug
    cross join lateral generate_series(0, cardinality(l.correct) - 1) as q(i)
    where p.completed_at is not null
  `.execute(db);
  // A wrong first try on some questions.
  await sql`
    insert into check_attempts (user_id, course_slug, lesson_slug, question, chosen_option, correct, answered_at)
    select user_id, course_slug, lesson_slug, question, (chosen_option + 1) % 3, false, answered_at - interval '1 minute'
    from check_attempts
    where correct and abs(hashtext(user_id::text || course_slug || lesson_slug || question::text)::bigint) % 100 < 30
  `.execute(db);

  await sql`
    insert into reflections (user_id, course_slug, lesson_slug, body, revision, created_at, updated_at)
    select p.user_id, p.course_slug, p.lesson_slug, repeat(${REFLECTION}, 1 + (abs(hashtext(p.user_id::text || p.lesson_slug)::bigint) % 3)::int),
      (extract(epoch from p.started_at) * 1000)::bigint, p.started_at, coalesce(p.completed_at, p.started_at)
    from lesson_progress p
    where abs(hashtext(p.lesson_slug || p.user_id::text)::bigint) % 100 < 40
  `.execute(db);
}
