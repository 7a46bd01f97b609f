import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, type Transaction } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PGlite, type QueryOptions, type Results, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type { Database } from '#db/schema.ts';
import { migrations } from '#db/migrations/index.ts';
import { settings } from './settings.ts';

export type Executor = Kysely<Database> | Transaction<Database>;

// int8 (counts, bigserial ids) and numeric as JS numbers; our values fit in 2^53.
// `date` stays a 'YYYY-MM-DD' string: a JS Date would shift it by the server's time zone.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
pg.types.setTypeParser(INT8, (value) => Number(value));
pg.types.setTypeParser(NUMERIC, (value) => Number(value));
pg.types.setTypeParser(DATE, (value) => value);

export interface RoundsDatabase {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/**
 * PGlite runs every query on this thread and does no real I/O, so requests queued for its
 * one connection hand it on from promise to promise without the event loop turning.
 * libuv accepts one new connection per turn (since 1.45), so under load new connections
 * sat in the kernel's backlog for up to 30 s while the queue ran (200 learners: ~180
 * connections waiting, accepted at 1–4 a second, `ss -ltn` Recv-Q). So a query waits for
 * the next turn once the loop has gone `TURN_EVERY_MS` without one: connections are
 * accepted and requests read while the database works through its queue. (A turn before
 * every query bounded the database by the turn rate: 1,200 sign-in queries took 25 s.)
 */
const TURN_EVERY_MS = 5;
let lastTurn = performance.now();

async function takeTurnWhenDue(): Promise<void> {
  if (performance.now() - lastTurn < TURN_EVERY_MS) return;
  await nextTurn();
  lastTurn = performance.now();
}

class TurnTakingPGlite extends PGlite {
  override async query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    await takeTurnWhenDue();
    return super.query<T>(query, params, options);
  }

  override async transaction<T>(callback: (tx: PGliteTransaction) => Promise<T>): Promise<T> {
    await takeTurnWhenDue();
    return super.transaction(callback);
  }
}

export function openDatabase(options: { url?: string; dataDir?: string; poolMax?: number } = {}): RoundsDatabase {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30_000,
    });
    // A dropped connection (database restarted) must not crash the process; the pool reconnects.
    // Errors on a checked-out client reach the query that is running; without a listener they would also crash the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  const dataDir = options.dataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = new TurnTakingPGlite(dataDir, {
    parsers: { [INT8]: Number, [NUMERIC]: Number, [DATE]: (value: string) => value },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  // Unordered: migrations written on parallel branches may land in any order.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

// One database per process, shared by the start script and the bundled app.
const GLOBAL_KEY = Symbol.for('rounds.database');
type WithDatabase = typeof globalThis & { [GLOBAL_KEY]?: Promise<RoundsDatabase> };

export function appDatabase(): Promise<RoundsDatabase> {
  const holder = globalThis as WithDatabase;
  holder[GLOBAL_KEY] ??= (async () => {
    const config = settings();
    const database = openDatabase({
      url: config.DATABASE_URL,
      dataDir: path.resolve(config.DATA_DIR, 'pglite'),
      poolMax: config.DATABASE_POOL_MAX,
    });
    await migrateToLatest(database.db);
    return database;
  })();
  return holder[GLOBAL_KEY];
}

export async function db(): Promise<Kysely<Database>> {
  return (await appDatabase()).db;
}

export async function closeAppDatabase(): Promise<void> {
  const holder = globalThis as WithDatabase;
  const pending = holder[GLOBAL_KEY];
  delete holder[GLOBAL_KEY];
  if (pending) await (await pending).close();
}
