import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { openDatabase, migrateToLatest, type RoundsDatabase } from '#server/platform/db.ts';

/**
 * A fresh, migrated database for one test file: a new PostgreSQL database on the
 * server in DATABASE_URL (dropped afterwards), or an in-memory PGlite when unset.
 */
export async function freshDatabase(): Promise<RoundsDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const database = openDatabase({});
    await migrateToLatest(database.db);
    return database;
  }
  const name = `rounds_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  await sql`create database ${sql.id(name)}`.execute(admin);
  const testUrl = new URL(url);
  testUrl.pathname = `/${name}`;
  const database = openDatabase({ url: testUrl.toString(), poolMax: 25 });
  await migrateToLatest(database.db);
  return {
    ...database,
    async close() {
      await database.close();
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
      await admin.destroy();
    },
  };
}

let counter = 0;
/** A unique email per call, so tests in one database never collide. */
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 6)}@example.org`;
}
