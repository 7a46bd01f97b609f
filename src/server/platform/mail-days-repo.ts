import { sql } from 'kysely';
import type { Executor } from './db.ts';

// The per-person daily mail ledger (decision 0040): one row per person and local day.

/**
 * Claims the person's day until `leaseUntil`. Only one caller wins: the first insert,
 * or a retake of a row whose lease ran out unsent (a runner that crashed or failed).
 * A day whose email went out is never claimed again.
 */
export async function claimDay(
  db: Executor,
  key: { userId: string; day: string },
  source: string,
  now: Date,
  leaseUntil: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('mail_days')
    .values({ user_id: key.userId, day: key.day, source, lease_until: leaseUntil })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'day'])
        .doUpdateSet({ source, lease_until: leaseUntil, attempts: sql<number>`mail_days.attempts + 1` })
        .where('mail_days.sent_at', 'is', null)
        .where((eb) => eb.or([eb('mail_days.lease_until', 'is', null), eb('mail_days.lease_until', '<=', now)])),
    )
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Claims many people's days in one statement; the user ids it got. */
export async function claimDays(
  db: Executor,
  keys: { userId: string; day: string }[],
  source: string,
  now: Date,
  leaseUntil: Date,
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .insertInto('mail_days')
    .values(keys.map((k) => ({ user_id: k.userId, day: k.day, source, lease_until: leaseUntil })))
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'day'])
        .doUpdateSet({ source, lease_until: leaseUntil, attempts: sql<number>`mail_days.attempts + 1` })
        .where('mail_days.sent_at', 'is', null)
        .where((eb) => eb.or([eb('mail_days.lease_until', 'is', null), eb('mail_days.lease_until', '<=', now)])),
    )
    .returning('user_id')
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

export async function markDaySent(db: Executor, key: { userId: string; day: string }, at: Date): Promise<void> {
  await db
    .updateTable('mail_days')
    .set({ sent_at: at, lease_until: null, last_error: null })
    .where('user_id', '=', key.userId)
    .where('day', '=', key.day)
    .execute();
}

/** A failed send: the day is free again after `retryAt`. */
export async function releaseDay(
  db: Executor,
  key: { userId: string; day: string },
  retryAt: Date,
  error: string | null,
): Promise<void> {
  await db
    .updateTable('mail_days')
    .set({ lease_until: retryAt, last_error: error })
    .where('user_id', '=', key.userId)
    .where('day', '=', key.day)
    .where('sent_at', 'is', null)
    .execute();
}

/** The day rows of these people on or after `since` (each person's "today" falls in that range). */
export function daysOf(db: Executor, userIds: string[], since: string) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('mail_days')
    .select(['user_id', 'day', 'sent_at', 'lease_until'])
    .where('user_id', 'in', userIds)
    .where('day', '>=', since)
    .execute();
}
