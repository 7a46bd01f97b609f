import { ThrottledError } from '#server/kernel/errors.ts';
import type { Executor } from './db.ts';
import { hitThrottle, peekThrottle } from './throttle-repo.ts';

// Forgetting counted attempts (after a success) is part of the throttle's public face.
export { clearThrottle, refundThrottle } from './throttle-repo.ts';

export interface ThrottleRule {
  limit: number;
  windowSeconds: number;
}

// Limits live in the database, so they hold across restarts and app processes.
export const RULES = {
  failedSignInPerAccount: { limit: 10, windowSeconds: 15 * 60 },
  failedSignInPerIp: { limit: 50, windowSeconds: 15 * 60 },
  // A symposium's attendees sign up together from one venue network: generous per address.
  signUpPerIp: { limit: 300, windowSeconds: 60 * 60 },
  mailPerAddress: { limit: 5, windowSeconds: 60 * 60 },
  mailPerIp: { limit: 100, windowSeconds: 60 * 60 },
  // Unknown team and event codes, counted together per address: guessing codes is slow.
  failedJoinCodePerIp: { limit: 30, windowSeconds: 15 * 60 },
} satisfies Record<string, ThrottleRule>;

/** The throttle key of failed join-code lookups (team invites and event codes share it). */
export function joinCodeKey(clientIp: string): string {
  return `join:ip:${clientIp}`;
}

function secondsLeft(windowStartedAt: Date, rule: ThrottleRule): number {
  return Math.max(1, Math.ceil((windowStartedAt.getTime() + rule.windowSeconds * 1000 - Date.now()) / 1000));
}

/** Counts an event and throws ThrottledError once the limit is passed. */
export async function consume(db: Executor, key: string, rule: ThrottleRule): Promise<void> {
  const state = await hitThrottle(db, key, rule.windowSeconds);
  if (state.hits > rule.limit) throw new ThrottledError(secondsLeft(state.windowStartedAt, rule));
}

/** Throws ThrottledError when the limit is already reached, without counting. */
export async function ensureNotThrottled(db: Executor, key: string, rule: ThrottleRule): Promise<void> {
  const state = await peekThrottle(db, key, rule.windowSeconds);
  if (state && state.hits >= rule.limit) throw new ThrottledError(secondsLeft(state.windowStartedAt, rule));
}
