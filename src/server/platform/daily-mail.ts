import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import { dateIn } from '#lib/team-rules.ts';
import { maySendToday } from '#lib/reminder-schedule.ts';
import * as repo from './mail-days-repo.ts';

// One automatic email a day per person, across team reminders, event nudges and review
// questions (decision 0040). The day is the person's own calendar day. A sender claims
// the day before it sends (a lease, as the reminder and nudge ledgers do), marks it sent
// after, and releases it on a failure; two runners never both get the same day.

export interface DayKey {
  userId: string;
  day: string;
}

export function dayOf(userId: string, timeZone: string, now: Date): DayKey {
  return { userId, day: dateIn(timeZone, now) };
}

const LEASE_MS = 10 * 60_000;

export function claimMailDay(
  db: Kysely<Database>,
  key: DayKey,
  source: string,
  now: Date,
  leaseMs = LEASE_MS,
): Promise<boolean> {
  return repo.claimDay(db, key, source, now, new Date(now.getTime() + leaseMs));
}

/** Claims the days of many people at once (a pass over thousands); the user ids it got. */
export function claimMailDays(
  db: Kysely<Database>,
  keys: DayKey[],
  source: string,
  now: Date,
  leaseMs = LEASE_MS,
): Promise<Set<string>> {
  return repo.claimDays(db, keys, source, now, new Date(now.getTime() + leaseMs));
}

export function markMailDaySent(db: Kysely<Database>, key: DayKey, at = new Date()): Promise<void> {
  return repo.markDaySent(db, key, at);
}

export function releaseMailDay(db: Kysely<Database>, key: DayKey, retryAt: Date, error: string | null) {
  return repo.releaseDay(db, key, retryAt, error);
}

/**
 * The people of `keys` whose day is still free now (nothing automatic sent to them on
 * it, no runner holding it): read in one query, so a pass over many people need not
 * try a claim for each one that already had their email.
 */
export async function freeMailDays(db: Kysely<Database>, keys: DayKey[], now: Date): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const earliest = keys.reduce((min, k) => (k.day < min ? k.day : min), keys[0]!.day);
  const rows = await repo.daysOf(db, [...new Set(keys.map((k) => k.userId))], earliest);
  const byKey = new Map(rows.map((r) => [`${r.user_id}/${r.day}`, r]));
  return new Set(keys.filter((k) => maySendToday(byKey.get(`${k.userId}/${k.day}`), now)).map((k) => k.userId));
}
