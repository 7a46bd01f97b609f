import { z } from 'astro/zod';
import { normalizeInviteCode, parseMinute } from './team-rules.ts';
import { cleanText, HIDDEN_CHARACTERS } from './validation.ts';
import { PATH_MAX_OFFSET_DAYS } from './path-rules.ts';
import { REPEAT_MAX_MONTHS } from './renewal-rules.ts';
import { MAX_DAYS_BEFORE } from './reminder-schedule.ts';

// Field rules for team forms; the messages are shown next to the field.

export const teamNameField = z
  .string({ error: 'Give the team a name.' })
  .transform((value) => cleanText(value).replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'Give the team a name.')
      .max(80, 'Use at most 80 characters for the team name.')
      .refine(
        (value) => !HIDDEN_CHARACTERS.test(value),
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
    (value) => !HIDDEN_CHARACTERS.test(value),
    'The description contains invisible control characters; please retype it.',
  );

export const noteField = z
  .string()
  .max(400, 'Keep the note to 400 characters.')
  .nullish()
  .transform((value) => cleanText(value ?? ''))
  .refine(
    (value) => !HIDDEN_CHARACTERS.test(value),
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

/** How many addresses one "Invite by email" submission may hold. */
export const MAX_INVITES_PER_SUBMISSION = 50;

const anEmail = z.email().max(254);

/**
 * A pasted list of addresses, as people copy them from a mail app or a spreadsheet:
 * separated by commas, semicolons, spaces or new lines, "Name <address>" or a bare address.
 * Addresses are lowercased (as accounts store them) and each kept once.
 */
export function parseEmailList(text: string): { addresses: string[]; invalid: string[]; repeated: number } {
  const addresses: string[] = [];
  const invalid: string[] = [];
  let repeated = 0;
  const keep = (candidate: string) => {
    const address = candidate
      .replace(/^mailto:/i, '')
      .replace(/^["'(]+|["'),.]+$/g, '')
      .toLowerCase();
    if (!anEmail.safeParse(address).success) invalid.push(candidate);
    else if (addresses.includes(address)) repeated += 1;
    else addresses.push(address);
  };
  for (const piece of text.split(/[,;\n\r]+/)) {
    const entry = piece.trim();
    if (!entry) continue;
    const bracketed = /<([^<>]*)>/.exec(entry);
    if (bracketed) {
      keep(bracketed[1]!.trim());
      continue;
    }
    // Words without an @ beside an address are its owner's name ("Ana Lopez ana@example.org").
    const words = entry.split(/\s+/);
    const withAt = words.filter((word) => word.includes('@'));
    if (withAt.length === 0) invalid.push(entry);
    else withAt.forEach(keep);
  }
  return { addresses, invalid, repeated };
}

export const emailListField = z
  .string({ error: 'Paste at least one email address.' })
  .max(20_000, 'That list is too long. Send at most 50 addresses at a time.')
  .transform((value, ctx) => {
    const list = parseEmailList(value);
    const problem =
      list.invalid.length > 0
        ? `${list.invalid.length === 1 ? 'This is not an email address' : 'These are not email addresses'}: ${list.invalid.slice(0, 10).join(', ')}${list.invalid.length > 10 ? ` and ${list.invalid.length - 10} more` : ''}. Correct or remove ${list.invalid.length === 1 ? 'it' : 'them'}; nothing was sent.`
        : list.addresses.length === 0
          ? 'Paste at least one email address.'
          : list.addresses.length > MAX_INVITES_PER_SUBMISSION
            ? `Send at most ${MAX_INVITES_PER_SUBMISSION} invitations at a time; this list has ${list.addresses.length}. Send the rest next.`
            : undefined;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return { addresses: list.addresses, repeated: list.repeated };
  });

/** How long a reminder's personal note may be. */
export const REMINDER_NOTE_MAX = 300;

export const reminderNoteField = z
  .string()
  .nullish()
  .transform((value, ctx) => {
    // Browsers send a textarea's line breaks as CRLF: one character each, as the counter shows.
    const note = cleanText(value ?? '');
    if (note.length > REMINDER_NOTE_MAX) {
      ctx.addIssue({
        code: 'custom',
        message: `Keep the note to ${REMINDER_NOTE_MAX} characters; it has ${note.length}.`,
      });
      return z.NEVER;
    }
    if (HIDDEN_CHARACTERS.test(note)) {
      ctx.addIssue({ code: 'custom', message: 'The note contains invisible control characters; please retype it.' });
      return z.NEVER;
    }
    return note;
  });

export const pathNameField = z
  .string({ error: 'Give the path a name.' })
  .transform((value) => cleanText(value).replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'Give the path a name.')
      .max(80, 'Use at most 80 characters for the path name.')
      .refine(
        (value) => !HIDDEN_CHARACTERS.test(value),
        'The name contains invisible control characters; please retype it.',
      ),
  );

/** A path's row left empty (no course chosen) is skipped: the form has room for more courses than most paths need. */
export const optionalCourseField = z
  .string()
  .nullish()
  .transform((value) => value?.trim() || null)
  .pipe(courseField.nullable());

/** Days from a member's start to a course's due date; empty is day 0. */
export const pathDaysField = z
  .string()
  .nullish()
  .transform((value) => value?.trim() || '0')
  .pipe(
    z.coerce
      .number<string>({ error: 'Enter a number of days, like 7.' })
      .int('Enter a whole number of days, like 7.')
      .min(0, 'Use 0 (their first day) or more days.')
      .max(PATH_MAX_OFFSET_DAYS, `Use at most ${PATH_MAX_OFFSET_DAYS} days (a year) after they start.`),
  );

/** "Repeat every … months": empty is never; 0 and absurd terms are refused beside the field. */
export const repeatMonthsField = z
  .string()
  .max(20, 'Enter a number of months, like 12, or leave it empty.')
  .nullish()
  .transform((value, ctx): number | null => {
    const text = value?.trim();
    if (!text) return null;
    const months = Number(text);
    const message = !/^-?\d+$/.test(text)
      ? 'Enter a whole number of months, like 12, or leave it empty.'
      : months < 1
        ? 'Use 1 month or more, or leave it empty if the course does not repeat.'
        : months > REPEAT_MAX_MONTHS
          ? `Use at most ${REPEAT_MAX_MONTHS} months (ten years).`
          : undefined;
    if (message) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return months;
  });

/** Days before the due date for the first automatic reminder (0 = none before). */
export const reminderDaysBeforeField = z
  .string({ error: 'Enter a number of days, like 3.' })
  .trim()
  .min(1, 'Enter a number of days, like 3 (0 for none before the day).')
  .max(12, 'Enter a number of days, like 3.')
  .pipe(
    z.coerce
      .number<string>({ error: 'Enter a number of days, like 3.' })
      .int('Enter a whole number of days, like 3.')
      .min(0, 'Use 0 (no reminder before the day) or more days.')
      .max(MAX_DAYS_BEFORE, `Use at most ${MAX_DAYS_BEFORE} days before the due date.`),
  );
