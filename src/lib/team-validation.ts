import { z } from 'astro/zod';
import { normalizeInviteCode, parseMinute } from './team-rules.ts';

// Field rules for team forms; the messages are shown next to the field.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/;

const cleanText = (value: string) => value.normalize('NFC').trim();

export const teamNameField = z
  .string({ error: 'Give the team a name.' })
  .transform((value) => cleanText(value).replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'Give the team a name.')
      .max(80, 'Use at most 80 characters for the team name.')
      .refine(
        (value) => !CONTROL_CHARACTERS.test(value),
        'The name contains invisible control characters; please retype it.',
      ),
  );

// Astro sends an empty form field as null.
export const teamDescriptionField = z
  .string()
  .max(600, 'Use at most 600 characters for the description.')
  .nullish()
  .transform((value) => cleanText(value ?? ''))
  .refine(
    (value) => !CONTROL_CHARACTERS.test(value),
    'The description contains invisible control characters; please retype it.',
  );

export const noteField = z
  .string()
  .max(400, 'Keep the note to 400 characters.')
  .nullish()
  .transform((value) => cleanText(value ?? ''))
  .refine(
    (value) => !CONTROL_CHARACTERS.test(value),
    'The note contains invisible control characters; please retype it.',
  );

export const idField = (what: string) => z.uuid(`Unknown ${what}.`);

export const courseField = z
  .string({ error: 'Choose a course.' })
  .min(1, 'Choose a course.')
  .max(100)
  .regex(/^[a-z0-9-]+$/, 'Choose a course from the list.');

/** A real calendar date as YYYY-MM-DD (what <input type="date"> sends). */
export const dateField = z
  .string({ error: 'Choose a date.' })
  .trim()
  .min(1, 'Choose a date.')
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD, e.g. 2026-12-31.')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'That date does not exist. Check the day and month.');

export const inviteCodeField = z.string({ error: 'Enter the invite code.' }).transform((value, ctx) => {
  const code = normalizeInviteCode(value);
  if (!code) {
    ctx.addIssue({
      code: 'custom',
      message: 'Invite codes have 12 letters and digits, like ABCD-EFGH-JKMN (older ones have 8, like ABCD-EFGH).',
    });
    return z.NEVER;
  }
  return code;
});

export const inviteDaysField = z.coerce
  .number({ error: 'Choose how long the invite works.' })
  .int('Choose a whole number of days.')
  .min(1, 'An invite works for at least 1 day.')
  .max(90, 'An invite can work for at most 90 days.');

/** Empty = no limit. */
export const maxUsesField = z
  .string()
  .nullish()
  .transform((value, ctx) => {
    const text = value?.trim() ?? '';
    if (text === '') return null;
    const uses = Number(text);
    if (!Number.isInteger(uses) || uses < 1 || uses > 5000) {
      ctx.addIssue({
        code: 'custom',
        message: 'Enter a whole number from 1 to 5,000, or leave it empty for no limit.',
      });
      return z.NEVER;
    }
    return uses;
  });

export { timeZoneField } from './validation.ts';

export const clockField = z.string({ error: 'Enter a time like 21:00.' }).transform((value, ctx) => {
  const minute = parseMinute(value);
  if (minute === undefined) {
    ctx.addIssue({ code: 'custom', message: 'Enter a time like 21:00 (24-hour clock).' });
    return z.NEVER;
  }
  return minute;
});

/** A date, or empty for "none". */
export const optionalDateField = z
  .string()
  .nullish()
  .transform((value) => value?.trim() || null)
  .pipe(dateField.nullable());
