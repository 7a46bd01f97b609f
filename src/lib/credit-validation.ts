import { z } from 'astro/zod';
import { CREDIT_TYPES, OPTIONAL_REQUIREMENTS } from './credit-rules.ts';
import { cleanText, HIDDEN_CHARACTERS } from './validation.ts';

// Field rules for the continuing-education provider form; the messages are shown next to the field.

const statement = (what: string, max: number) =>
  z
    .string()
    .max(max, `Keep the ${what} to ${max.toLocaleString('en')} characters.`)
    .nullish()
    .transform((value) => cleanText(value ?? ''))
    .refine(
      (value) => !HIDDEN_CHARACTERS.test(value),
      `The ${what} contains invisible control characters; please retype it.`,
    );

export const providerNameField = z
  .string({ error: 'Give the provider’s name as the accreditor knows it.' })
  .transform((value) => cleanText(value).replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'Give the provider’s name as the accreditor knows it.')
      .max(200, 'Use at most 200 characters for the name.')
      .refine(
        (value) => !HIDDEN_CHARACTERS.test(value),
        'The name contains invisible control characters; please retype it.',
      ),
  );

export const accreditationStatementField = statement('accreditation statement', 1000);
export const approverStatementField = statement('approver statement', 1000);

/** A plain array, so Astro reads every ticked box (formData.getAll); none ticked is []. */
export const creditTypesField = z
  .array(z.enum(CREDIT_TYPES, 'Choose kinds of credit from the list.'))
  .max(CREDIT_TYPES.length, 'Choose kinds of credit from the list.');

// ---- earning credit: the post-test, the evaluation and the attestation

/**
 * The most post-test questions: a course has at most 21 check questions (7 lessons of 3);
 * an event's activity asks those of all its courses (decision 0045). The form's fields are q0…q99.
 */
export const POST_TEST_MAX = 100;
/** A course has at most 5 objectives: the evaluation's outcome0…outcome4. */
export const OUTCOMES_MAX = 5;

/** A question left unanswered arrives as null: the service names it beside the question. */
const optionalChoice = z
  .string()
  .regex(/^\d$/, 'Choose an answer.')
  .transform((value) => Number(value))
  .nullish();

export const postTestAnswerFields = Object.fromEntries(
  Array.from({ length: POST_TEST_MAX }, (_, index) => [`q${index}`, optionalChoice]),
) as Record<`q${number}`, typeof optionalChoice>;

const likert = z
  .string()
  .regex(/^[1-5]$/, 'Choose how far the activity met this outcome.')
  .transform((value) => Number(value))
  .nullish();

export const outcomeFields = Object.fromEntries(
  Array.from({ length: OUTCOMES_MAX }, (_, index) => [`outcome${index}`, likert]),
) as Record<`outcome${number}`, typeof likert>;

const yesNo = (message: string) => z.enum(['yes', 'no'], message);
export const changePracticeField = yesNo('Say whether you will change your practice.');
export const biasFreeField = yesNo('Say whether the activity was free of commercial bias.');
export const changeHowField = statement('answer', 1000);
export const biasCommentField = statement('comment', 1000);
export const commentsField = statement('comments', 2000);

export const creditTypeField = z.enum(CREDIT_TYPES, 'Choose a kind of credit this activity offers.');
export const hoursField = z.coerce
  .number({ error: 'Enter the hours you claim, e.g. 0.25.' })
  .positive('Claim a number of hours above zero.')
  .max(40, 'Claim at most the hours the activity allows.');
export const attestField = z
  .string()
  .nullish()
  .transform((value) => value === 'yes');

// ---- an event's own credit activity (decision 0045), on the event's edit page

/** Empty: the event offers no credit of its own. */
export const eventActivityIdField = z
  .string()
  .max(60, 'Use at most 60 characters for the activity id.')
  .nullish()
  .transform((value) => cleanText(value ?? '').replace(/\s+/g, ' '))
  .refine((value) => !HIDDEN_CHARACTERS.test(value), 'The activity id contains invisible control characters.');
export const eventCreditHoursField = z
  .string()
  .nullish()
  .transform((value) => (value ?? '').trim())
  .refine((value) => value === '' || /^\d{1,2}(\.\d{1,2})?$/.test(value), 'Enter the hours as a number, e.g. 0.5.')
  .transform((value) => (value === '' ? null : Number(value)));
export const disclosuresField = statement('disclosures', 2000);
export const eventOutcomesField = statement('learning outcomes', 2000);
/** A date, or empty (needed only when the event offers credit; the service says so beside the field). */
export const optionalDateField = z
  .string()
  .nullish()
  .transform((value) => (value ?? '').trim())
  .refine(
    (value) =>
      value === '' ||
      (/^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(new Date(`${value}T00:00:00Z`).getTime()) &&
        new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value),
    'Enter the date as YYYY-MM-DD, e.g. 2027-12-31.',
  );
/** The optional requirements an event's credit asks for: the ticked boxes (none ticked: only lessons and attestation). */
export const creditRequiresField = z
  .array(z.enum(OPTIONAL_REQUIREMENTS, 'Choose requirements from the list.'))
  .max(OPTIONAL_REQUIREMENTS.length, 'Choose requirements from the list.');

export const passMarkField = z.coerce
  .number({ error: 'Enter the pass mark in per cent, e.g. 80.' })
  .int('Enter the pass mark as a whole number, e.g. 80.')
  .min(50, 'Set a pass mark of at least 50%.')
  .max(100, 'The pass mark cannot be above 100%.');
