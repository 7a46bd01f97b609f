import { ThrottledError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { freshDatabase } from '../support/database.ts';
import { openDatabase, type RoundsDatabase } from '#server/platform/db.ts';
import type { Database } from '#db/schema.ts';
import { hitThrottle, peekThrottle } from '#server/platform/throttle-repo.ts';
import { consume, ensureNotThrottled, type ThrottleRule } from '#server/platform/throttle.ts';

// Two Kysely instances with their own connection pools stand in for two app processes.
// PGlite is one process by design, so there both names point at the same instance.
let database: RoundsDatabase;
let second: RoundsDatabase | undefined;
let processA: Kysely<Database>;
let processB: Kysely<Database>;

beforeAll(async () => {
  database = await freshDatabase();
  processA = database.db;
  processB = database.db;
  const url = process.env.DATABASE_URL;
  if (url) {
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(database.db);
    const target = new URL(url);
    target.pathname = `/${rows[0]!.name}`;
    second = openDatabase({ url: target.toString(), poolMax: 10 });
    processB = second.db;
  }
});
afterAll(async () => {
  await second?.close();
  await database?.close();
});

let keyCounter = 0;
function uniqueKey(label: string): string {
  keyCounter += 1;
  return `test:${label}:${keyCounter}:${Math.random().toString(36).slice(2, 8)}`;
}

async function storedHits(key: string): Promise<number | undefined> {
  const row = await processA.selectFrom('throttles').select('hits').where('key', '=', key).executeTakeFirst();
  return row?.hits;
}

describe('throttle windows', () => {
  it('are shared by every app process', async () => {
    if (process.env.DATABASE_URL) {
      // Really two pools: B's connection is not one of A's.
      const a = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(processA);
      const b = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(processB);
      expect(processA).not.toBe(processB);
      expect(b.rows[0]!.pid).not.toBe(a.rows[0]!.pid);
    }
    const key = uniqueKey('shared');
    const seen: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const state = await hitThrottle(i % 2 === 0 ? processA : processB, key, 60);
      seen.push(state.hits);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await peekThrottle(processB, key, 60))?.hits).toBe(6);

    const rule: ThrottleRule = { limit: 7, windowSeconds: 60 };
    await consume(processA, key, rule); // the 7th hit, still allowed
    await expect(ensureNotThrottled(processB, key, rule)).rejects.toBeInstanceOf(ThrottledError);
    await expect(consume(processB, key, rule)).rejects.toBeInstanceOf(ThrottledError);
    expect(await storedHits(key)).toBe(8);
  });

  it('let exactly the limit through under 30 concurrent requests from two processes', async () => {
    const key = uniqueKey('burst');
    const rule: ThrottleRule = { limit: 10, windowSeconds: 600 };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => consume(i % 2 === 0 ? processA : processB, key, rule)),
    );
    const allowed = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(allowed).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(ThrottledError);
      expect((r.reason as ThrottledError).retryAfterSeconds).toBeGreaterThan(0);
      expect((r.reason as ThrottledError).retryAfterSeconds).toBeLessThanOrEqual(rule.windowSeconds);
    }
    expect(await storedHits(key)).toBe(30);
  });

  it('start over once the window has passed', async () => {
    const key = uniqueKey('reset');
    const rule: ThrottleRule = { limit: 3, windowSeconds: 60 };
    for (let i = 0; i < 3; i += 1) await consume(processA, key, rule);
    await expect(consume(processB, key, rule)).rejects.toBeInstanceOf(ThrottledError);
    await expect(ensureNotThrottled(processA, key, rule)).rejects.toBeInstanceOf(ThrottledError);

    // Just inside the window: still counted.
    await processA
      .updateTable('throttles')
      .set({ window_started_at: sql<Date>`now() - interval '50 seconds'` })
      .where('key', '=', key)
      .execute();
    await expect(consume(processB, key, rule)).rejects.toBeInstanceOf(ThrottledError);
    expect(await storedHits(key)).toBe(5);

    // Past the window: the next hit opens a new one.
    await processA
      .updateTable('throttles')
      .set({ window_started_at: sql<Date>`now() - interval '61 seconds'` })
      .where('key', '=', key)
      .execute();
    expect(await peekThrottle(processB, key, rule.windowSeconds)).toBeUndefined();
    await expect(ensureNotThrottled(processB, key, rule)).resolves.toBeUndefined();
    await expect(consume(processB, key, rule)).resolves.toBeUndefined();
    const row = await processA.selectFrom('throttles').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    expect(row.hits).toBe(1);
    expect(Date.now() - row.window_started_at.getTime()).toBeLessThan(10_000);
    await consume(processA, key, rule);
    await consume(processB, key, rule);
    await expect(consume(processA, key, rule)).rejects.toBeInstanceOf(ThrottledError);
  });

  it('count each key on its own', async () => {
    const rule: ThrottleRule = { limit: 1, windowSeconds: 60 };
    const first = uniqueKey('own');
    const other = uniqueKey('own');
    await consume(processA, first, rule);
    await expect(consume(processB, first, rule)).rejects.toBeInstanceOf(ThrottledError);
    await expect(consume(processB, other, rule)).resolves.toBeUndefined();
  });
});
