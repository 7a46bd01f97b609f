// Pure rules for events: join codes and slugs. No I/O.
//
// Event codes are six symbols (ABC-DEF); team invite codes are eight (ABCD-EFGH).
// The length alone tells which table a code belongs to, so one form at /join finds
// either and the two can never collide.
import { randomSymbols, typedSymbols, type RandomBytes } from './readable-codes.ts';

export const EVENT_CODE_LENGTH = 6;

export function newEventCode(random?: RandomBytes): string {
  return randomSymbols(EVENT_CODE_LENGTH, random);
}

/** What people type ("abc-def", " abc def ") to the stored form, or undefined when it cannot be an event code. */
export function normalizeEventCode(input: string): string | undefined {
  return typedSymbols(input, EVENT_CODE_LENGTH);
}

/** ABC-DEF: easier to read aloud. */
export function formatEventCode(code: string): string {
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}

/** Which kind of code a typed text is, judged by its length once spaces and dashes are gone. */
export function codeKind(input: string): 'event' | 'team' | undefined {
  const length = input.replace(/[\s-]/g, '').length;
  return length === EVENT_CODE_LENGTH ? 'event' : length === 8 ? 'team' : undefined;
}

export const EVENT_CODE_MESSAGES = {
  unknown:
    'We could not find an event with this code. Check it on the slide or with the organiser; event codes look like ABC-DEF.',
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
