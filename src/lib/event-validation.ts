import { z } from 'astro/zod';
import { parseDayOffsets } from './release-schedule.ts';
import { SLUG_PATTERN, normalizeEventCode } from './event-rules.ts';
import { cleanText, HIDDEN_CHARACTERS } from './validation.ts';
import { MAX_REVIEW_WEEKS } from './review-rules.ts';

export { clockField, dateField, timeZoneField } from './team-validation.ts';

// Field rules for event forms; the messages are shown next to the field. Optional
// fields are nullish: Astro passes an empty form field as null.

export const eventNameField = z
  .string({ error: 'Give the event a name.' })
  .transform((value) => cleanText(value).replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'Give the event a name.')
      .max(120, 'Use at most 120 characters for the name.')
      .refine(
        (value) => !HIDDEN_CHARACTERS.test(value),
        'The name contains invisible control characters; please retype it.',
      ),
  );

/** Empty means "make one from the name". */
export const eventSlugField = z
  .string()
  .nullish()
  .transform((value) => cleanText(value ?? '').toLowerCase())
  .refine(
    (value) => value === '' || SLUG_PATTERN.test(value),
    'Use 3 to 60 lower-case letters, digits and dashes, e.g. nursing-symposium-2027.',
  );

export const locationField = z
  .string()
  .max(200, 'Use at most 200 characters for the location.')
  .nullish()
  .transform((value) => cleanText(value ?? ''))
  .refine(
    (value) => !HIDDEN_CHARACTERS.test(value),
    'The location contains invisible control characters; please retype it.',
  );

export const welcomeField = z
  .string()
  .max(1000, 'Keep the welcome message to 1,000 characters.')
  .nullish()
  .transform((value) => cleanText(value ?? ''))
  .refine(
    (value) => !HIDDEN_CHARACTERS.test(value),
    'The message contains invisible control characters; please retype it.',
  );

export const eventCoursesField = z
  .array(z.string().regex(/^[a-z0-9-]+$/, 'Choose courses from the list.'), { error: 'Choose at least one course.' })
  .min(1, 'Choose at least one course.')
  .max(10, 'Choose at most 10 courses.');

const wholeDays = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `Enter ${what} as a whole number of days.` })
    .int(`Enter ${what} as a whole number of days.`)
    .min(min, `${what[0]!.toUpperCase()}${what.slice(1)} must be at least ${min}.`)
    .max(max, `${what[0]!.toUpperCase()}${what.slice(1)} can be at most ${max}.`);

/** Weeks of review questions by email after the course; empty means 0 (off). */
export const reviewWeeksField = z
  .string()
  .nullish()
  .transform((value) => Number((value ?? '').trim() || '0'))
  .pipe(
    z
      .number({ error: `Enter the number of weeks as a whole number from 0 to ${MAX_REVIEW_WEEKS}.` })
      .int(`Enter the number of weeks as a whole number from 0 to ${MAX_REVIEW_WEEKS}.`)
      .min(0, `Enter the number of weeks as a whole number from 0 to ${MAX_REVIEW_WEEKS}.`)
      .max(MAX_REVIEW_WEEKS, `Review questions can run for at most ${MAX_REVIEW_WEEKS} weeks.`),
  );

export const firstUnlockDaysField = wholeDays(0, 365, 'the first unlock');
export const intervalDaysField = wholeDays(1, 90, 'the interval');

/** '1, 3, 7' → [1, 3, 7]; empty → null (use the interval). */
export const dayOffsetsField = z
  .string()
  .max(400, 'That list is too long.')
  .nullish()
  .transform((value, ctx) => {
    const text = (value ?? '').trim();
    if (text === '') return null;
    const offsets = parseDayOffsets(text);
    if (!offsets) {
      ctx.addIssue({
        code: 'custom',
        message: 'List whole days after the event in order, separated by commas, e.g. 1, 3, 7, 14.',
      });
      return z.NEVER;
    }
    return offsets;
  });

export const eventCodeField = z.string({ error: 'Enter the event code.' }).transform((value, ctx) => {
  const code = normalizeEventCode(value);
  if (!code) {
    ctx.addIssue({
      code: 'custom',
      message: 'Event codes have 10 letters and digits, like ABCDE-FGHJK (older ones have 6, like ABC-DEF).',
    });
    return z.NEVER;
  }
  return code;
});
