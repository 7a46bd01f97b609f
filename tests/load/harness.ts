// What the load and fault scripts share: build once, a fresh database (a new
// PostgreSQL database on DATABASE_URL's server, or a temporary PGlite folder), learners
// seeded straight into it, and the built server started as a separate process that
// can be stopped, killed and started again on the same database.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase, type RoundsDatabase } from '#server/platform/db.ts';
import { hashPassword } from '#server/accounts/passwords.ts';
import { freePort } from '../support/ports.ts';
import { startScriptFlags } from '../support/start-flags.ts';

export { freePort };
export const root = path.resolve(import.meta.dirname, '../..');
export const LEARNER_PASSWORD = 'steady harbour lantern ninety-one';

function newest(dir: string): number {
  let latest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    latest = Math.max(latest, item.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds when the sources are newer than dist/ (bin/start.ts's rule), so a build never counts as start-up. */
export function buildIfNeeded(log: (line: string) => void = console.log): void {
  const entry = path.join(root, 'dist/server/entry.mjs');
  if (existsSync(entry)) {
    const built = statSync(entry).mtimeMs;
    const sources = Math.max(
      ...['src', 'content', 'db', 'public'].map((dir) => newest(path.join(root, dir))),
      ...['astro.config.mjs', 'package.json'].map((file) => statSync(path.join(root, file)).mtimeMs),
    );
    if (sources <= built) return;
  }
  log('building (sources are newer than dist/)…');
  // NODE_ENV=test (set by vitest) would build Svelte islands in development mode: ~5 KB more JS per lesson page.
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error('astro build failed');
}

let snapshot: string | undefined;

/**
 * A private copy of the built app (bin/, src/, db/, dist/, content/, package.json, and
 * node_modules linked), so that another build of the shared tree — several people work
 * in it at once — cannot pull chunks from under a running test server. `bin/start.ts`
 * runs from the copy exactly as from the tree. Built first when the sources are newer.
 */
export function appSnapshot(log: (line: string) => void = console.log): string {
  if (snapshot) return snapshot;
  buildIfNeeded(log);
  snapshot = copyOfBuild(log);
  return snapshot;
}

/** A new copy of dist/ as it is now (never builds), with what runs it; removed when this process exits. */
export function copyOfBuild(log: (line: string) => void = console.log): string {
  const entry = path.join(root, 'dist/server/entry.mjs');
  for (let attempt = 1; ; attempt += 1) {
    const before = statSync(entry).mtimeMs;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-app-'));
    for (const item of ['bin', 'src', 'db', 'dist', 'content', 'package.json'])
      cpSync(path.join(root, item), path.join(dir, item), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const stable =
      existsSync(entry) && statSync(entry).mtimeMs === before && existsSync(path.join(dir, 'dist/server/entry.mjs'));
    if (stable || attempt >= 3) {
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      return dir;
    }
    rmSync(dir, { recursive: true, force: true });
    log('dist/ changed while copying (another build?); copying again…');
  }
}

export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  /** Environment for the server: DATABASE_URL, or DATA_DIR for PGlite. */
  env: Record<string, string>;
  /** Opens the database directly. For PGlite only while no server has the folder open. */
  open(): Promise<RoundsDatabase>;
  /** Drops the database / removes the folder. */
  drop(): Promise<void>;
}

/** A new, migrated database: on the server of `serverUrl` when given, else a temporary PGlite folder. */
export async function createTestDatabase(serverUrl: string | undefined, label = 'load'): Promise<TestDatabase> {
  if (serverUrl) {
    const name = `rounds_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
    const admin = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: serverUrl, max: 1 }) }),
    });
    await sql`create database ${sql.id(name)}`.execute(admin);
    await admin.destroy();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const database = openDatabase({ url: url.toString(), poolMax: 4 });
    await migrateToLatest(database.db);
    await database.close();
    return {
      kind: 'postgres',
      env: { DATABASE_URL: url.toString() },
      open: async () => openDatabase({ url: url.toString(), poolMax: 4 }),
      async drop() {
        const again = new Kysely<unknown>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: serverUrl, max: 1 }) }),
        });
        try {
          await sql`drop database if exists ${sql.id(name)} with (force)`.execute(again);
        } finally {
          await again.destroy();
        }
      },
    };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `rounds-${label}-`));
  const database = openDatabase({ dataDir: path.join(dataDir, 'pglite') });
  await migrateToLatest(database.db);
  await database.close();
  return {
    kind: 'pglite',
    env: { DATA_DIR: dataDir },
    open: async () => {
      const opened = openDatabase({ dataDir: path.join(dataDir, 'pglite') });
      return opened;
    },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SeededLearner {
  id: string;
  email: string;
}

/** `count` confirmed learners sharing one argon2 hash (sign-up is throttled per address; this is not the path under test). */
export async function seedLearners(
  database: RoundsDatabase,
  count: number,
  prefix = 'learner',
): Promise<SeededLearner[]> {
  const passwordHash = await hashPassword(LEARNER_PASSWORD);
  const learners: SeededLearner[] = [];
  // A first account exists already, so none of the learners becomes the administrator.
  await database.db
    .insertInto('users')
    .values({
      email: `${prefix}-owner@load.rounds.test`,
      name: 'Owner',
      password_hash: passwordHash,
      email_verified_at: new Date(),
      is_admin: true,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  for (let start = 0; start < count; start += 500) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + 500); i += 1) {
      rows.push({
        email: `${prefix}-${String(i + 1).padStart(4, '0')}@load.rounds.test`,
        name: `Learner ${i + 1}`,
        password_hash: passwordHash,
        email_verified_at: new Date(),
      });
    }
    const inserted = await database.db.insertInto('users').values(rows).returning(['id', 'email']).execute();
    learners.push(...inserted);
  }
  return learners;
}

export interface ServerProcess {
  origin: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code and signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** SIGTERM, waiting up to `ms` (then SIGKILL). */
  stop(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node bin/start.ts` (with `npm start`'s flags) of the built app's snapshot (no build), and waits for /healthz to answer 200. */
export async function startServer(options: {
  env: Record<string, string>;
  port?: number;
  logFile: string;
  waitMs?: number;
}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && key !== 'DATABASE_URL' && key !== 'DATA_DIR') env[key] = value;
  Object.assign(
    env,
    { HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: origin, ROUNDS_SKIP_BUILD: '1', LOG_FORMAT: 'text' },
    options.env,
  );
  const log = openSync(options.logFile, 'a');
  const appDir = appSnapshot();
  const child = spawn(process.execPath, [...startScriptFlags(), path.join(appDir, 'bin/start.ts')], {
    cwd: appDir,
    env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  while (true) {
    if (!running) throw new Error(`The server exited while starting; see ${options.logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The server did not answer /healthz in time; see ${options.logFile}`);
    }
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin,
    port,
    child,
    logFile: options.logFile,
    exited,
    isRunning: () => running,
    async stop(ms = 20_000) {
      if (!running) return exited;
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      child.kill('SIGTERM');
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Signs in through the real endpoint and returns the Cookie header value. */
export async function signIn(origin: string, email: string, password = LEARNER_PASSWORD): Promise<string> {
  const response = await fetch(`${origin}/_actions/accounts.signIn`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString(),
  });
  await response.body?.cancel();
  const session = response.headers
    .getSetCookie()
    .map((line) => /^(session|__Host-session)=([^;]+)/.exec(line))
    .find(Boolean);
  if (response.status !== 200 || !session) throw new Error(`sign-in of ${email} failed: ${response.status}`);
  return `${session[1]}=${session[2]}`;
}
