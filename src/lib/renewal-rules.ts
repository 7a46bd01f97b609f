// Pure rules for recurring training (issue 17 §2, decision 0041). No I/O.
// A recurring course's term runs N months from the completion; the renewal window opens
// RENEWAL_WINDOW_DAYS before it ends. A renewal finished by the expiry extends from the
// expiry (early renewal costs nothing); one finished after it counts from its own day.

import { addDays } from './team-rules.ts';

/** The renewal opens this many days before the term ends. */
export const RENEWAL_WINDOW_DAYS = 30;
/** "Repeat every … months": 1 to 120 (ten years), as a certificate's recertifyMonths. */
export const REPEAT_MAX_MONTHS = 120;

/** The one-line rules shown where the renewal is offered. */
export const RENEWAL_WINDOW_WORDS = `Renewal opens ${RENEWAL_WINDOW_DAYS} days before expiry.`;
/** Beside "Repeat every … months" on the assign and path forms. */
export const REPEAT_HINT = `Leave empty for training done once. For yearly training write 12: the course comes due again 12 months after each member completes it. ${RENEWAL_WINDOW_WORDS}`;
export const EARLY_RENEWAL_WORDS =
  'Renewing before the expiry date costs you nothing: the new term runs from the old expiry date.';

/**
 * Adds calendar months to a YYYY-MM-DD date, keeping the day or the month's last day
 * (2027-01-31 + 1 = 2027-02-28), as PostgreSQL's `date + interval 'n months'` does.
 */
export function addMonthsToDate(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

/**
 * When a term ends. `completedOn` is the completion's date in the learner's time zone;
 * `previousExpiry` the expiry the renewal was due by (null for a first completion).
 */
export function termExpiry(completedOn: string, months: number, previousExpiry: string | null): string {
  const base = previousExpiry && completedOn <= previousExpiry ? previousExpiry : completedOn;
  return addMonthsToDate(base, months);
}

/** The first day a renewal can be started. */
export function windowOpens(expiry: string): string {
  return addDays(expiry, -RENEWAL_WINDOW_DAYS);
}

export type RenewalState = 'current' | 'renewal-due' | 'expired';

/** Where a completed recurring course stands on `today` (YYYY-MM-DD in the learner's zone). */
export function renewalState(today: string, expiry: string): RenewalState {
  if (today >= expiry) return 'expired';
  return today >= windowOpens(expiry) ? 'renewal-due' : 'current';
}

/**
 * A renewal certificate's expiry (a moment, as certificates store it): from the previous
 * certificate's expiry when the renewal came by then, else from the completion.
 */
export function renewedCertificateExpiry(completedAt: Date, months: number, previousExpiresAt: Date | null): Date {
  const base =
    previousExpiresAt && completedAt.getTime() <= previousExpiresAt.getTime() ? previousExpiresAt : completedAt;
  const day = base.toISOString().slice(0, 10);
  return new Date(`${addMonthsToDate(day, months)}${base.toISOString().slice(10)}`);
}
