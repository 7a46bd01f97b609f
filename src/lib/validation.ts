import { z } from 'astro/zod';
import { isKnownTimeZone } from './time-format.ts';

// Field rules shared by every form, so a name or an email means the same thing everywhere.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/;

/** Invisible characters refused in what a person typed into a text box (tabs and line breaks are fine). */
export const HIDDEN_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/;

/** A text box's value as stored: browsers send its line breaks as CR LF, kept here as LF. */
export const cleanText = (value: string) => value.replace(/\r\n?/g, '\n').normalize('NFC').trim();

export const nameField = z
  .string({ error: 'Enter your name.' })
  .transform((value) => value.normalize('NFC').trim().replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'Enter your name.')
      .max(100, 'Use at most 100 characters for your name.')
      .refine(
        (value) => !CONTROL_CHARACTERS.test(value),
        'Your name contains invisible control characters; please retype it.',
      )
      // Names print on certificates; angle brackets are markup, never part of a name.
      .refine(
        (value) => !/[<>]/.test(value),
        "Use letters, spaces and punctuation such as - and ' in your name, without < or >.",
      ),
  );

export const emailField = z
  .string({ error: 'Enter your email address.' })
  .transform((value) => value.trim().toLowerCase())
  .pipe(
    z
      .string()
      .min(1, 'Enter your email address.')
      .max(254, 'That email address is too long.')
      .pipe(z.email('Enter an email address like name@example.org.')),
  );

export const passwordField = z
  .string({ error: 'Enter a password.' })
  .min(1, 'Enter a password.')
  .min(12, 'Use at least 12 characters.')
  .max(256, 'Use at most 256 characters.');

/** Any password as typed at sign-in (rules may have changed since it was set). */
export const currentPasswordField = z
  .string({ error: 'Enter your password.' })
  .min(1, 'Enter your password.')
  .max(256, 'That password is too long.');

/** The shape of a token we mail (lowercase base32); a page echoes nothing else back. */
export function mailedToken(value: string | null | undefined): string {
  return value && /^[a-z0-9]{10,200}$/.test(value) ? value : '';
}

export const tokenField = z
  .string({ error: 'This link is not complete. Open it again from your email.' })
  .min(10, 'This link is not complete. Open it again from your email.')
  .max(200, 'This link is not valid. Ask for a new one.')
  .regex(/^[a-z0-9]+$/, 'This link is not valid. Ask for a new one.');

/** An IANA zone from the list we offer (or 'UTC'), exactly as the list writes it. */
export const timeZoneField = z
  .string({ error: 'Choose a time zone.' })
  .trim()
  .min(1, 'Choose a time zone.')
  .refine(isKnownTimeZone, 'We do not know that time zone. Choose one from the list, e.g. America/Chicago.');

/**
 * The index of a chosen option or question (0–9). Read as a string first: Astro turns a
 * number field missing from a form into null, which a number coercion would make 0.
 */
export const choiceIndexField = (message: string) =>
  z
    .string({ error: message })
    .regex(/^\d$/, message)
    .transform((value) => Number(value));
