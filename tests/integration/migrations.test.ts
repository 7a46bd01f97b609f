import { describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '#server/platform/db.ts';
import { migrations } from '#db/migrations/index.ts';
import { cardsOfLesson } from '#lib/review-rules.ts';
import { testCatalog } from '../support/catalog.ts';

/** An empty database of the kind under test: in-memory PGlite, or a new one on the PostgreSQL server. */
async function emptyDatabase() {
  const url = process.env.DATABASE_URL;
  if (!url) return { database: openDatabase({}), drop: async () => undefined };
  const name = `rounds_migrate_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  await sql`create database ${sql.id(name)}`.execute(admin);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    database: openDatabase({ url: target.toString(), poolMax: 2 }),
    drop: async () => {
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    },
  };
}

describe('migrations', () => {
  it('apply once when two processes start at the same time', async () => {
    const url = process.env.DATABASE_URL;
    if (!url) {
      // PGlite is single-process by design: one app process owns the data folder.
      const database = openDatabase({});
      const [first, second] = await Promise.all([migrateToLatest(database.db), migrateToLatest(database.db)]);
      expect([...first, ...second].sort()).toEqual(Object.keys(migrations).sort());
      await database.close();
      return;
    }
    const name = `rounds_migrate_${Date.now().toString(36)}`;
    const admin = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
    });
    await sql`create database ${sql.id(name)}`.execute(admin);
    const target = new URL(url);
    target.pathname = `/${name}`;
    // Two separate pools stand in for two app processes.
    const a = openDatabase({ url: target.toString(), poolMax: 2 });
    const b = openDatabase({ url: target.toString(), poolMax: 2 });
    try {
      const [fromA, fromB] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
      expect([...fromA, ...fromB].sort()).toEqual(Object.keys(migrations).sort());
      const applied = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(a.db);
      expect(applied.rows[0]!.n).toBe(Object.keys(migrations).length);
    } finally {
      await a.close();
      await b.close();
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    }
  });

  it('give every account the time zone it chose for reminders, else UTC', async () => {
    const old = openDatabase({});
    try {
      const migrator = new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } });
      const before = Object.keys(migrations).filter((name) => name < '2026-12-12T1000-account-time-zone');
      expect((await migrator.migrateTo(before.at(-1)!)).error).toBeUndefined();
      const insert = (email: string) =>
        sql<{ id: string }>`insert into users (email, name, password_hash) values (${email}, 'N', 'x') returning id`
          .execute(old.db)
          .then((r) => r.rows[0]!.id);
      const chicago = await insert('chicago@example.org');
      const never = await insert('never@example.org');
      await sql`insert into reminder_preferences (user_id, time_zone, quiet_start_minute, quiet_end_minute)
        values (${chicago}, 'America/Chicago', 1260, 420)`.execute(old.db);
      await migrateToLatest(old.db);
      const zones = await sql<{ id: string; time_zone: string }>`select id, time_zone from users`.execute(old.db);
      expect(Object.fromEntries(zones.rows.map((r) => [r.id, r.time_zone]))).toEqual({
        [chicago]: 'America/Chicago',
        [never]: 'UTC',
      });
      const prefs = await sql<{ quiet_start_minute: number }>`select * from reminder_preferences`.execute(old.db);
      expect(prefs.rows).toEqual([expect.not.objectContaining({ time_zone: expect.anything() })]);
      expect(prefs.rows[0]!.quiet_start_minute).toBe(1260);
    } finally {
      await old.close();
    }
  });

  it('move review cards and their log from positional ids to the questions’ permanent ids, schedules kept', async () => {
    const { database, drop } = await emptyDatabase();
    const db = database.db;
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const before = Object.keys(migrations).filter((name) => name < '2026-12-13T1010-stable-question-ids');
      expect((await migrator.migrateTo(before.at(-1)!)).error).toBeUndefined();
      const user = await sql<{ id: string }>`insert into users (email, name, password_hash)
        values ('cards@example.org', 'N', 'x') returning id`
        .execute(db)
        .then((r) => r.rows[0]!.id);
      const lesson = testCatalog().lesson('team-huddles', 'the-ten-minute-huddle')!;
      const due = new Date('2027-03-01T08:00:00Z');
      // As the positional code made them: checks first, then review questions, by index.
      const positional = [
        ...lesson.check.map((_, i) => `check:${i}`),
        ...lesson.review.map((_, i) => `review:${i}`),
        'review:9', // a question removed long ago: left as it is (the app skips it)
      ];
      for (const [index, card] of positional.entries()) {
        await sql`insert into review_cards (user_id, course_slug, lesson_slug, card, due, stability, reps)
          values (${user}, 'team-huddles', ${lesson.slug}, ${card}, ${due}, ${index + 0.5}, ${index})`.execute(db);
        await sql`insert into review_log (review_id, user_id, course_slug, lesson_slug, card, chosen_option, correct,
            rating, state_before, due_before, due_after, reviewed_at)
          values (gen_random_uuid(), ${user}, 'team-huddles', ${lesson.slug}, ${card}, 0, true, 3, 0, ${due}, ${due}, ${due})`.execute(
          db,
        );
      }
      await migrateToLatest(db);
      const expected = [...cardsOfLesson(lesson).map((c) => c.card), 'review:9'];
      const cards = await sql<{ card: string; stability: number; reps: number }>`
        select card, stability, reps from review_cards order by reps`.execute(db);
      expect(cards.rows.map((r) => r.card)).toEqual(expected);
      // Each schedule stayed with its question.
      expect(cards.rows.map((r) => [r.stability, r.reps])).toEqual(positional.map((_, i) => [i + 0.5, i]));
      const logged = await sql<{ card: string }>`select card from review_log order by card`.execute(db);
      expect(logged.rows.map((r) => r.card)).toEqual([...expected].sort());
    } finally {
      await database.close();
      await drop();
    }
  });
});
