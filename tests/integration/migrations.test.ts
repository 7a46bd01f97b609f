import { describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '#server/platform/db.ts';
import { migrations } from '#db/migrations/index.ts';

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
});
