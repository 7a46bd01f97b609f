// Pure rules for events: join codes and slugs. No I/O.
//
// Event codes are six symbols (ABC-DEF); team invite codes are eight (ABCD-EFGH).
// The length alone tells which table a code belongs to, so one form at /join finds
// either and the two can never collide.

// No 0/O, 1/I/L: codes are read off a slide at the back of a hall and typed on phones.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const EVENT_CODE_LENGTH = 6;

export function newEventCode(random: (bytes: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  // Rejection sampling keeps every symbol equally likely.
  const limit = 256 - (256 % ALPHABET.length);
  let code = '';
  while (code.length < EVENT_CODE_LENGTH) {
    for (const byte of random(16)) {
      if (byte < limit && code.length < EVENT_CODE_LENGTH) code += ALPHABET[byte % ALPHABET.length];
    }
  }
  return code;
}

/** What people type ("abc-def", " abc def ") to the stored form, or undefined when it cannot be an event code. */
export function normalizeEventCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== EVENT_CODE_LENGTH) return undefined;
  for (const ch of code) if (!ALPHABET.includes(ch)) return undefined;
  return code;
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
  unknown: 'We could not find an event with this code. Check it on the slide or with the organiser; event codes look like ABC-DEF.',
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
