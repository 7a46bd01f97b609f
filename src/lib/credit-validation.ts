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

export const creditTypesField = z
  .array(z.enum(CREDIT_TYPES, 'Choose kinds of credit from the list.'))
  .max(CREDIT_TYPES.length, 'Choose kinds of credit from the list.')
  .nullish()
  .transform((value) => value ?? []);
