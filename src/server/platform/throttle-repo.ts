import { sql } from 'kysely';
import type { Executor } from './db.ts';

export interface ThrottleState {
  hits: number;
  windowStartedAt: Date;
}

/**
 * Counts one hit against `key` in a fixed window and returns the count so far.
 * One atomic upsert, so concurrent requests and several processes agree.
 */
export async function hitThrottle(db: Executor, key: string, windowSeconds: number): Promise<ThrottleState> {
  const window = `${windowSeconds} seconds`;
  const row = await db
    .insertInto('throttles')
    .values({ key, window_started_at: sql`now()`, hits: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql`case when throttles.window_started_at < now() - ${window}::interval then 1 else throttles.hits + 1 end`,
        window_started_at: sql`case when throttles.window_started_at < now() - ${window}::interval then now() else throttles.window_started_at end`,
      }),
    )
    .returning(['hits', 'window_started_at'])
    .executeTakeFirstOrThrow();
  return { hits: row.hits, windowStartedAt: row.window_started_at };
}

export async function peekThrottle(
  db: Executor,
  key: string,
  windowSeconds: number,
): Promise<ThrottleState | undefined> {
  const row = await db
    .selectFrom('throttles')
    .select(['hits', 'window_started_at'])
    .where('key', '=', key)
    .where('window_started_at', '>=', sql<Date>`now() - ${`${windowSeconds} seconds`}::interval`)
    .executeTakeFirst();
  return row && { hits: row.hits, windowStartedAt: row.window_started_at };
}

export async function clearThrottle(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('throttles').where('key', '=', key).execute();
}

/** Takes back one hit, e.g. when the attempt it counted turned out to be legitimate. */
export async function refundThrottle(db: Executor, key: string): Promise<void> {
  await db
    .updateTable('throttles')
    .set({ hits: sql`greatest(hits - 1, 0)` })
    .where('key', '=', key)
    .execute();
}
