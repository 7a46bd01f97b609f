import { z } from 'astro/zod';
import { CREDIT_TYPES } from './credit-rules.ts';
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

/** The most check questions a course can have (7 lessons of 3): the post-test form's fields q0…q20. */
export const POST_TEST_MAX = 21;
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
