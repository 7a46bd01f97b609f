import { ThrottledError } from '#server/kernel/errors.ts';
import type { Executor } from './db.ts';
import { hitThrottle, peekThrottle } from './throttle-repo.ts';

// Forgetting counted attempts (after a success) is part of the throttle's public face.
export { clearThrottle, refundThrottle } from './throttle-repo.ts';

export interface ThrottleRule {
  limit: number;
  windowSeconds: number;
}

// Limits live in the database, so they hold across restarts and app processes. Why these
// keys and numbers: docs/decisions/0025-throttles-spare-the-owner.md.
export const RULES = {
  // Failed sign-ins count per account *and* address (where a guesser sits), with a looser
  // ceiling per account (guessers on many addresses) and one per address (spraying many
  // accounts). A device the account signed in on before skips all three and counts alone,
  // so a guesser cannot lock the owner out.
  failedSignInPerAccountAndIp: { limit: 10, windowSeconds: 15 * 60 },
  failedSignInPerAccount: { limit: 100, windowSeconds: 15 * 60 },
  failedSignInPerIp: { limit: 50, windowSeconds: 15 * 60 },
  failedSignInPerKnownDevice: { limit: 10, windowSeconds: 15 * 60 },
  // A symposium's attendees sign up together from one venue network: generous per address.
  signUpPerIp: { limit: 300, windowSeconds: 60 * 60 },
  // Confirmation links: per recipient, per account that asks, per address that asks.
  mailPerAddress: { limit: 5, windowSeconds: 60 * 60 },
  mailPerAccount: { limit: 5, windowSeconds: 60 * 60 },
  mailPerIp: { limit: 100, windowSeconds: 60 * 60 },
  // At most one reset mail per address in 5 minutes; more requests in that time send nothing
  // but are never refused: the link already in the inbox works for 30 minutes.
  resetMailPerAddress: { limit: 1, windowSeconds: 5 * 60 },
  // Unknown team and event codes, counted together per address and per account. A code that
  // exists is never refused (they are long enough for that), except the short codes made
  // before codes grew, which wait while their address is over the limit.
  failedJoinCodePerIp: { limit: 30, windowSeconds: 15 * 60 },
  failedJoinCodePerAccount: { limit: 10, windowSeconds: 15 * 60 },
  // Team invitations by email: per leader an hour (a ward of 50, twice over), and per
  // recipient a day across every team, so no one can be made to flood a stranger's inbox.
  inviteMailPerAccount: { limit: 100, windowSeconds: 60 * 60 },
  inviteMailPerAddress: { limit: 3, windowSeconds: 24 * 60 * 60 },
} satisfies Record<string, ThrottleRule>;

/** The throttle key of failed join-code lookups per address (team invites and event codes share it). */
export function joinCodeKey(clientIp: string): string {
  return `join:ip:${clientIp}`;
}

/** The throttle key of failed join-code lookups per signed-in account. */
export function joinCodeAccountKey(userId: string): string {
  return `join:account:${userId}`;
}

/** Several keys counted together, each with its rule. */
export type Counters = [key: string, rule: ThrottleRule][];

/** What a failed join code counts against: its address, and its account when someone is signed in. */
export function joinCodeCounters(clientIp: string, userId?: string): Counters {
  const counters: Counters = [[joinCodeKey(clientIp), RULES.failedJoinCodePerIp]];
  if (userId) counters.push([joinCodeAccountKey(userId), RULES.failedJoinCodePerAccount]);
  return counters;
}

/** consume() for each key in turn (the first over its limit throws). */
export async function consumeAll(db: Executor, counters: Counters): Promise<void> {
  for (const [key, rule] of counters) await consume(db, key, rule);
}

/** ensureNotThrottled() for each key. */
export async function ensureNoneThrottled(db: Executor, counters: Counters): Promise<void> {
  for (const [key, rule] of counters) await ensureNotThrottled(db, key, rule);
}

function secondsLeft(windowStartedAt: Date, rule: ThrottleRule): number {
  return Math.max(1, Math.ceil((windowStartedAt.getTime() + rule.windowSeconds * 1000 - Date.now()) / 1000));
}

/** Counts an event and throws ThrottledError once the limit is passed. */
export async function consume(db: Executor, key: string, rule: ThrottleRule): Promise<void> {
  const state = await hitThrottle(db, key, rule.windowSeconds);
  if (state.hits > rule.limit) throw new ThrottledError(secondsLeft(state.windowStartedAt, rule));
}

/** Counts an event; false once the limit is passed (for work that is skipped, not refused). */
export async function allowed(db: Executor, key: string, rule: ThrottleRule): Promise<boolean> {
  const state = await hitThrottle(db, key, rule.windowSeconds);
  return state.hits <= rule.limit;
}

/** Throws ThrottledError when the limit is already reached, without counting. */
export async function ensureNotThrottled(db: Executor, key: string, rule: ThrottleRule): Promise<void> {
  const state = await peekThrottle(db, key, rule.windowSeconds);
  if (state && state.hits >= rule.limit) throw new ThrottledError(secondsLeft(state.windowStartedAt, rule));
}
