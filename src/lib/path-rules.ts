// Pure rules for learning paths. No I/O.

/** How many courses one path holds (the form's rows). */
export const PATH_MAX_STEPS = 6;
/** A course is due at most this many days after a member's start. */
export const PATH_MAX_OFFSET_DAYS = 365;

/** "Day 7" as a leader wrote it: day 0 is the member's first day. */
export function offsetInWords(days: number): string {
  return days === 0 ? 'on their first day' : `${days} ${days === 1 ? 'day' : 'days'} after they start`;
}
