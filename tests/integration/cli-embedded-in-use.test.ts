// PGlite is one process's database: while one process has the folder open (as the
// server does), every CLI command that would open it refuses with a clear message and a
// non-zero exit, and the folder is left as it was. Commands are read from the CLI's own
// help, so a new one is covered without editing this test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '#server/platform/db.ts';
import { recordAudit, listAuditEntries } from '#server/audit/repo.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-cli-in-use-'));
const dataDir = path.join(dir, 'pglite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir };
  delete env.DATABASE_URL; // the embedded database, whatever the suite runs on
  return spawnSync(process.execPath, [path.join(root, 'bin/rounds.ts'), ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Every command the help lists, with the arguments it needs. */
function commands(): string[][] {
  const help = cli('help');
  expect(help.status).toBe(0);
  const names = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)]
    .map((m) => m[1]!)
    .filter((name) => name !== 'help');
  expect(names).toEqual(
    expect.arrayContaining([
      'migrate',
      'grant-admin',
      'run-jobs',
      'seed-demo',
      'rotate-signing-key',
      'backup',
      'restore',
    ]),
  );
  const argumentsFor: Record<string, string[]> = {
    'grant-admin': ['someone@example.org'],
    backup: [path.join(dir, 'backup.tar.gz')],
    restore: [path.join(dir, 'backup.tar.gz')],
  };
  return names.map((name) => [name, ...(argumentsFor[name] ?? [])]);
}

describe('the CLI on an embedded database that is open', () => {
  it(
    'refuses every command while the folder is in use, leaves it intact, and runs once it is closed',
    { timeout: 240_000 },
    async () => {
      const database = openDatabase({ dataDir });
      await migrateToLatest(database.db);
      await recordAudit(database.db, { actorId: null, action: 'test.marker', target: 'cli-in-use' });
      const filesBefore = readdirSync(dir).sort();

      for (const command of commands()) {
        const run = cli(...command);
        expect(run.status, `${command[0]} exit code`).not.toBe(0);
        expect(run.stderr, command[0]).toContain(
          `The embedded database in ${dataDir} is open: Rounds is running. Stop Rounds first`,
        );
        expect(run.stderr, command[0]).toContain(`npm run rounds -- ${command[0]}`);
        expect(run.stdout, command[0]).not.toMatch(
          /Applied|Demo team ready|New certificate signing key|Backed up|Restored|Reminders:/,
        );
      }

      // Nothing beside the folder was made (no backup, no restore folder), and the open database still works.
      expect(readdirSync(dir).sort()).toEqual(filesBefore);
      await recordAudit(database.db, { actorId: null, action: 'test.marker', target: 'still-writable' });
      expect((await listAuditEntries(database.db)).map((e) => e.target)).toEqual(['still-writable', 'cli-in-use']);
      await database.close();

      // Closed, the same commands run, and the data is all there.
      const migrate = cli('migrate');
      expect(migrate.stderr).toBe('');
      expect(migrate.status).toBe(0);
      expect(migrate.stdout).toContain('The database is up to date.');
      const reopened = openDatabase({ dataDir });
      expect((await listAuditEntries(reopened.db)).map((e) => e.target)).toEqual(['still-writable', 'cli-in-use']);
      await reopened.close();
    },
  );
});
