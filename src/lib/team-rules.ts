// Pure rules for teams: invite codes, dates, states, quiet hours. No I/O.
import { randomSymbols, typedSymbols, type RandomBytes } from './readable-codes.ts';
import { escapeHtml } from './escape-html.ts';

/** 'renewal-due' and 'expired' are a recurring course's (decision 0041): its term ends soon, or has ended. */
export type AssignmentState = 'not-started' | 'in-progress' | 'completed' | 'overdue' | 'renewal-due' | 'expired';

export const STATE_LABELS: Record<AssignmentState, string> = {
  'not-started': 'Not started',
  'in-progress': 'In progress',
  completed: 'Completed',
  overdue: 'Overdue',
  'renewal-due': 'Due for renewal',
  expired: 'Expired',
};

export const STATE_ORDER: AssignmentState[] = [
  'overdue',
  'expired',
  'renewal-due',
  'not-started',
  'in-progress',
  'completed',
];

const STATE_SYMBOLS: Record<AssignmentState, string> = {
  completed: '✓',
  'in-progress': '◐',
  'not-started': '○',
  overdue: '!',
  'renewal-due': '↻',
  expired: '!',
};

/**
 * A member's state as HTML: words and a symbol, never colour alone (styles in global.css).
 * A string, not a component: the dashboard of 500 members × 10 assignments renders
 * 5,000 of them, and a component each cost more than the rest of the page.
 */
export function stateBadgeHtml(state: AssignmentState, detail?: string): string {
  const extra = detail ? `<span class="detail"> ${escapeHtml(detail)}</span>` : '';
  return `<span class="team-state ${state}"><span aria-hidden="true" class="symbol">${STATE_SYMBOLS[state]}</span> ${STATE_LABELS[state]}${extra}</span>`;
}

// 12 symbols of 31 (~59 bits): a code that exists is never refused, however many wrong
// ones came from the same network, so the length alone must keep guessing hopeless.
// Invites made before (8 symbols) keep working; they are checked against the per-address
// throttle first, as they always were (docs/decisions/0025-throttles-spare-the-owner.md).
export const INVITE_CODE_LENGTH = 12;
export const LEGACY_INVITE_CODE_LENGTH = 8;

export function newInviteCode(random?: RandomBytes): string {
  return randomSymbols(INVITE_CODE_LENGTH, random);
}

/** What people type or paste ("abcd-efgh-jkmn", " ABCD EFGH ") to the stored form, or undefined when it cannot be a code. */
export function normalizeInviteCode(input: string): string | undefined {
  return typedSymbols(input, INVITE_CODE_LENGTH) ?? typedSymbols(input, LEGACY_INVITE_CODE_LENGTH);
}

/** Whether a code is of the short kind made before codes grew (guarded by the address throttle first). */
export function isLegacyInviteCode(code: string): boolean {
  return code.length === LEGACY_INVITE_CODE_LENGTH;
}

/** ABCD-EFGH-JKMN (or ABCD-EFGH): easier to read aloud. */
export function formatInviteCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

export type InviteProblem = 'revoked' | 'expired' | 'used-up';

export function inviteProblem(
  invite: { revoked_at: Date | null; expires_at: Date; max_uses: number | null; uses: number },
  now: Date,
): InviteProblem | undefined {
  if (invite.revoked_at) return 'revoked';
  if (invite.expires_at.getTime() <= now.getTime()) return 'expired';
  if (invite.max_uses !== null && invite.uses >= invite.max_uses) return 'used-up';
  return undefined;
}

export const INVITE_PROBLEM_MESSAGES: Record<InviteProblem | 'unknown', string> = {
  unknown:
    'We could not find an invite with this code. Check it with the person who shared it; codes look like ABCD-EFGH-JKMN.',
  revoked: 'This invite was withdrawn by the team’s leader. Ask them for a new one.',
  expired: 'This invite has expired. Ask the team’s leader for a new one.',
  'used-up': 'This invite has been used as many times as the leader allowed. Ask them for a new one.',
};

// Building an Intl.DateTimeFormat costs far more than using one: keep one per zone.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's calendar date (YYYY-MM-DD) in a time zone. */
export function dateIn(timeZone: string, now: Date = new Date()): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The time zone this server runs in: the default for people who have not chosen one. */
const SERVER_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
export function serverTimeZone(): string {
  return SERVER_TIME_ZONE;
}

/** Minutes since local midnight in `timeZone`. */
export function minuteOfDay(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')!.value);
  const minute = Number(parts.find((p) => p.type === 'minute')!.value);
  return hour * 60 + minute;
}

export interface QuietHours {
  timeZone: string;
  /** Minutes after local midnight; start > end means the quiet time spans midnight. Equal = no quiet hours. */
  startMinute: number;
  endMinute: number;
}

export const DEFAULT_QUIET_START = 21 * 60;
export const DEFAULT_QUIET_END = 7 * 60;

export function inQuietHours(quiet: QuietHours, at: Date): boolean {
  const { startMinute: start, endMinute: end } = quiet;
  if (start === end) return false;
  const minute = minuteOfDay(quiet.timeZone, at);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The first moment at or after `at` outside the person's quiet hours. */
export function nextSendTime(quiet: QuietHours, at: Date): Date {
  if (!inQuietHours(quiet, at)) return at;
  const minute = minuteOfDay(quiet.timeZone, at);
  const wait = (quiet.endMinute - minute + 1440) % 1440;
  const candidate = new Date(at.getTime() + wait * 60_000 - at.getUTCSeconds() * 1000 - at.getUTCMilliseconds());
  // Daylight-saving shifts can land an hour early: step until outside.
  let result = candidate;
  for (let i = 0; i < 4 && inQuietHours(quiet, result); i++) result = new Date(result.getTime() + 30 * 60_000);
  return result;
}

export function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export function parseMinute(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

export interface StateCounts {
  completed: number;
  'in-progress': number;
  'not-started': number;
  overdue: number;
  'renewal-due': number;
  expired: number;
  total: number;
}

export function countStates(states: AssignmentState[]): StateCounts {
  const counts: StateCounts = {
    completed: 0,
    'in-progress': 0,
    'not-started': 0,
    overdue: 0,
    'renewal-due': 0,
    expired: 0,
    total: states.length,
  };
  for (const state of states) counts[state] += 1;
  return counts;
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
