// Backups and restores for both databases, for `npm run rounds -- backup|restore <file>`.
//   PostgreSQL: pg_dump's custom format (-Fc), restored with pg_restore --clean --if-exists
//   in one transaction; the server may keep running during a backup.
//   PGlite: PGlite's own dump of its data folder (a .tar.gz), restored by building a new
//   folder from it and swapping it in; the folder must not be open, so Rounds must be
//   stopped for both (an open folder has a postmaster.pid).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';

export class BackupError extends Error {}

/** pg_dump / pg_restore: on PATH, else the newest under /usr/lib/postgresql/<version>/bin (Debian). */
export function postgresTool(name: 'pg_dump' | 'pg_restore'): string {
  const onPath = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0) return name;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((version) => existsSync(path.join(base, version, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(base, versions[0], 'bin', name);
  }
  throw new BackupError(
    `${name} was not found. Install the PostgreSQL client tools (Debian: apt install postgresql-client) in the same major version as the server or newer.`,
  );
}

function run(tool: string, args: string[]): void {
  const result = spawnSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new BackupError(`${tool} could not run: ${result.error.message}`);
  if (result.status !== 0)
    throw new BackupError(`${path.basename(tool)} failed (exit ${result.status}):\n${result.stderr.trim()}`);
}

/** The embedded folder is open (Rounds running) or was not closed cleanly. */
export function embeddedFolderInUse(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'postmaster.pid'));
}

/** A second process opened an embedded folder that is in use (see ensureEmbeddedFree). */
export class EmbeddedInUseError extends BackupError {}

/**
 * Refuses to touch an embedded folder another process has open: PGlite is one process's
 * database, and a second one opening its folder risks corrupting it. Every CLI command
 * that opens the embedded database calls this first. `what` names the operation.
 */
export function ensureEmbeddedFree(dataDir: string, force: boolean, what: string): void {
  if (!force && embeddedFolderInUse(dataDir)) {
    throw new EmbeddedInUseError(
      `The embedded database in ${dataDir} is open: Rounds is running. Stop Rounds first: ${what} needs the folder to itself, and opening it from a second process could corrupt it.\n` +
        'If Rounds is already stopped, it did not close the database cleanly; start and stop it once, or pass --force.',
    );
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
}

export async function backupDatabase(options: {
  url?: string;
  dataDir: string;
  file: string;
  force?: boolean;
}): Promise<BackupResult> {
  const started = Date.now();
  const file = path.resolve(options.file);
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  if (options.url) {
    run(postgresTool('pg_dump'), [
      '--format=custom',
      '--no-owner',
      '--no-acl',
      `--file=${partial}`,
      `--dbname=${options.url}`,
    ]);
  } else {
    if (!existsSync(path.join(options.dataDir, 'PG_VERSION')))
      throw new BackupError(`There is no embedded database in ${options.dataDir}.`);
    ensureEmbeddedFree(options.dataDir, options.force ?? false, 'an embedded backup');
    // create() waits until the database is open; dumpDataDir() on a still-starting instance never settles.
    const pglite = await PGlite.create(options.dataDir);
    try {
      const dump = await pglite.dumpDataDir('gzip');
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    } finally {
      await pglite.close();
    }
  }
  // Written whole, then renamed: a crash never leaves a half backup under the real name.
  renameSync(partial, file);
  return { file, bytes: statSync(file).size, ms: Date.now() - started };
}

export async function restoreDatabase(options: {
  url?: string;
  dataDir: string;
  file: string;
  force?: boolean;
}): Promise<{ ms: number; previous?: string }> {
  const started = Date.now();
  const file = path.resolve(options.file);
  if (!existsSync(file)) throw new BackupError(`No backup at ${file}.`);
  if (options.url) {
    run(postgresTool('pg_restore'), [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--no-acl',
      '--single-transaction',
      '--exit-on-error',
      `--dbname=${options.url}`,
      file,
    ]);
    return { ms: Date.now() - started };
  }
  const dataDir = path.resolve(options.dataDir);
  if (existsSync(dataDir)) ensureEmbeddedFree(dataDir, options.force ?? false, 'a restore');
  // Build the new folder beside the old one, check it opens, then swap; the old folder is
  // kept (renamed) until the operator removes it.
  const incoming = `${dataDir}.restoring-${Date.now()}`;
  rmSync(incoming, { recursive: true, force: true });
  let pglite: PGlite | undefined;
  try {
    pglite = await PGlite.create(incoming, { loadDataDir: new Blob([readFileSync(file)]) });
    await pglite.query('select count(*) from kysely_migration');
  } catch (error) {
    await pglite?.close().catch(() => undefined);
    rmSync(incoming, { recursive: true, force: true });
    throw new BackupError(`${file} is not a Rounds embedded backup: ${(error as Error).message}`);
  }
  await pglite.close();
  let previous: string | undefined;
  if (existsSync(dataDir)) {
    previous = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dataDir, previous);
  }
  renameSync(incoming, dataDir);
  return { ms: Date.now() - started, previous };
}
