import { z } from 'astro/zod';

// Fields of the organisation forms, and the pure rules behind them.

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/;

/** Addresses anyone can get: verifying one would let any stranger join the organisation. */
export const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'mail.com',
]);

/** The domain part of an address, lower-case ('' when there is none). */
export function domainOf(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).toLowerCase();
}

export const organisationNameField = z
  .string({ error: 'Enter the organisation’s name.' })
  .transform((value) => value.normalize('NFC').trim().replace(/\s+/g, ' '))
  .pipe(
    z
      .string()
      .min(1, 'Enter the organisation’s name.')
      .max(120, 'Use at most 120 characters for the name.')
      .refine((value) => !CONTROL_CHARACTERS.test(value), 'The name contains invisible characters; please retype it.'),
  );

/** A domain as people type it ("@StMarys.org " → "stmarys.org"). */
export const domainField = z
  .string({ error: 'Enter a domain, like stmarys.org.' })
  .transform((value) => value.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .min(1, 'Enter a domain, like stmarys.org.')
      .max(253, 'That domain is too long.')
      .regex(
        /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'Enter a domain like stmarys.org: letters, digits, dots and hyphens, without the part before the @.',
      )
      .refine(
        (value) => !PUBLIC_MAIL_DOMAINS.has(value),
        'Anyone can get an address at this domain, so it cannot belong to an organisation.',
      ),
  );

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** A team named by the address of its page (…/teams/<id>) or by its id. */
export const teamReferenceField = z
  .string({ error: 'Paste the address of the team’s page.' })
  .max(2000, 'Paste the address of the team’s page.')
  .transform((value) => UUID.exec(value)?.[0]?.toLowerCase() ?? '')
  .pipe(z.string().min(1, 'Paste the address of the team’s page, like https://rounds.example/teams/…'));

/** The parent chosen in a list: an organisation id, or nothing. */
export const parentField = z
  .union([z.literal(''), z.uuid('Choose an organisation from the list.')])
  .nullish()
  .transform((value) => value || null);
