// Backup → wipe → restore, on the embedded PGlite (always) and on PostgreSQL (when
// DATABASE_URL is set, as in CI): every table's row count and a sample of rows come
// back exactly.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type RoundsDatabase } from '../../src/server/db.ts';
import { backupDatabase, embeddedFolderInUse, restoreDatabase, BackupError } from '../../src/server/services/backup.ts';
import { recordAudit } from '../../src/server/repos/audit-log.ts';
import { saveReflection } from '../../src/server/repos/reflections.ts';
import { completeLesson, recordCheckAttempts } from '../../src/server/repos/progress.ts';
import { createSession } from '../../src/server/auth/sessions.ts';
import { seedLearners } from '../load/harness.ts';

type Snapshot = Record<string, { count: number; sample: string }>;

async function seed(database: RoundsDatabase): Promise<void> {
  const learners = await seedLearners(database, 30, 'backup');
  for (const [i, learner] of learners.entries()) {
    const key = { userId: learner.id, courseSlug: 'patient-connection', lessonSlug: `lesson-${i % 5}` };
    await recordCheckAttempts(database.db, key, [{ question: 0, chosenOption: i % 3, correct: i % 2 === 0 }]);
    await completeLesson(database.db, key, 'v1');
    await saveReflection(database.db, learner.id, { courseSlug: key.courseSlug, lessonSlug: key.lessonSlug, body: `Réflexion ${i}: «let them finish» — 🏥\n${'x'.repeat(i * 10)}`, revision: 1000 + i });
    if (i % 3 === 0) await createSession(database.db, learner.id, 'backup-test');
  }
  await recordAudit(database.db, { actorId: learners[0]!.id, action: 'grant-admin', target: learners[1]!.email, details: { via: 'test' } });
}

async function snapshot(database: RoundsDatabase): Promise<Snapshot> {
  const tables = (await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(database.db)).rows;
  const result: Snapshot = {};
  for (const { table_name } of tables) {
    const [count] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)}`.execute(database.db)).rows;
    // A sample of whole rows in a stable order (every column, as text, so types compare exactly).
    const rows = (await sql<{ r: string }>`select t::text as r from ${sql.table(table_name)} t order by 1 limit 40`.execute(database.db)).rows;
    result[table_name] = { count: Number(count!.n), sample: rows.map((row) => row.r).join('\n') };
  }
  return result;
}

describe('backup and restore: embedded PGlite', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-backup-'));
  const dataDir = path.join(dir, 'pglite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('backs up, wipes, restores: same row counts and rows', { timeout: 180_000 }, async () => {
    let database = openDatabase({ dataDir });
    await migrateToLatest(database.db);
    await seed(database);
    const before = await snapshot(database);
    expect(before.users!.count).toBe(31);
    expect(before.reflections!.count).toBe(30);

    // While the folder is open, a backup is refused (the server must be stopped).
    await expect(backupDatabase({ dataDir, file: path.join(dir, 'refused.tar.gz') })).rejects.toThrow(BackupError);
    await database.close();
    expect(embeddedFolderInUse(dataDir)).toBe(false);

    const file = path.join(dir, 'nightly', 'rounds.tar.gz');
    const done = await backupDatabase({ dataDir, file });
    expect(done.bytes).toBeGreaterThan(1000);

    rmSync(dataDir, { recursive: true, force: true });
    const restored = await restoreDatabase({ dataDir, file });
    expect(restored.previous).toBeUndefined();
    database = openDatabase({ dataDir });
    expect(await snapshot(database)).toEqual(before);
    // Still a working database: it takes writes after the restore.
    await recordAudit(database.db, { actorId: null, action: 'restore-drill', target: 'test' });
    await database.close();

    // Restoring over existing data keeps the old folder aside.
    const again = await restoreDatabase({ dataDir, file });
    expect(again.previous && existsSync(again.previous)).toBe(true);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('backup and restore: PostgreSQL', () => {
  let dir = '';
  const name = `rounds_backup_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://localhost/none');
  url.pathname = `/${name}`;
  const admin = () => new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 }) }) });
  afterAll(async () => {
    const a = admin();
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(a);
    await a.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('backs up, wipes, restores: same row counts and rows', { timeout: 180_000 }, async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-backup-pg-'));
    const a = admin();
    await sql`create database ${sql.id(name)}`.execute(a);
    await a.destroy();
    let database = openDatabase({ url: url.toString(), poolMax: 2 });
    await migrateToLatest(database.db);
    await seed(database);
    const before = await snapshot(database);
    // A backup runs while the app is connected.
    const file = path.join(dir, 'rounds.dump');
    const done = await backupDatabase({ url: url.toString(), dataDir: dir, file });
    expect(done.bytes).toBeGreaterThan(1000);

    await sql`drop schema public cascade`.execute(database.db);
    await sql`create schema public`.execute(database.db);
    expect((await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(database.db)).rows[0]!.n).toBe(0);
    await database.close();

    await restoreDatabase({ url: url.toString(), dataDir: dir, file });
    database = openDatabase({ url: url.toString(), poolMax: 2 });
    expect(await snapshot(database)).toEqual(before);
    // Restoring over a live database with newer rows brings back the backup's state.
    await recordAudit(database.db, { actorId: null, action: 'after-backup', target: 'test' });
    await restoreDatabase({ url: url.toString(), dataDir: dir, file });
    expect(await snapshot(database)).toEqual(before);
    await database.close();
  });
});
