// Pure rules for events: join codes and slugs. No I/O.
//
// Event codes are ten symbols (ABCDE-FGHJK); team invite codes are twelve (ABCD-EFGH-JKMN).
// Codes made before they grew (events six, teams eight) keep working. The length alone
// tells which table a code belongs to, so one form at /join finds either and the two can
// never collide. Why this long: docs/decisions/0025-throttles-spare-the-owner.md.
import { randomSymbols, typedSymbols, type RandomBytes } from './readable-codes.ts';

export const EVENT_CODE_LENGTH = 10;
export const LEGACY_EVENT_CODE_LENGTH = 6;

export function newEventCode(random?: RandomBytes): string {
  return randomSymbols(EVENT_CODE_LENGTH, random);
}

/** What people type ("abc-def", " abc def ") to the stored form, or undefined when it cannot be an event code. */
export function normalizeEventCode(input: string): string | undefined {
  return typedSymbols(input, EVENT_CODE_LENGTH) ?? typedSymbols(input, LEGACY_EVENT_CODE_LENGTH);
}

/** Whether a code is of the short kind made before codes grew (guarded by the address throttle first). */
export function isLegacyEventCode(code: string): boolean {
  return code.length === LEGACY_EVENT_CODE_LENGTH;
}

/** ABCDE-FGHJK (or ABC-DEF): easier to read aloud. */
export function formatEventCode(code: string): string {
  const half = code.length / 2;
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/** Which kind of code a typed text is, judged by its length once spaces and dashes are gone. */
export function codeKind(input: string): 'event' | 'team' | undefined {
  const length = input.replace(/[\s-]/g, '').length;
  if (length === EVENT_CODE_LENGTH || length === LEGACY_EVENT_CODE_LENGTH) return 'event';
  return length === 12 || length === 8 ? 'team' : undefined;
}

export const EVENT_CODE_MESSAGES = {
  unknown:
    'We could not find an event with this code. Check it on the slide or with the organiser; event codes look like ABCDE-FGHJK.',
  closed: 'Joining this event has closed. Ask the organiser if you still want to take part.',
} as const;

/** A URL slug from a name: 'Nursing Symposium 2027' → 'nursing-symposium-2027'. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$/;

/** Whether a path segment can be an event's slug (checked before it reaches the database). */
export function isEventSlug(value: string): boolean {
  return SLUG_PATTERN.test(value);
}
