import { z } from 'astro/zod';

// The organisation's single sign-on settings, as typed on /organisations/<id>/single-sign-on.

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** An issuer URL: https, or http only for a provider on this machine; no query or fragment; no trailing slash. */
export const issuerField = z
  .string({ error: 'Enter the issuer URL from your identity provider.' })
  .trim()
  .min(1, 'Enter the issuer URL from your identity provider.')
  .max(500, 'That URL is too long.')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) &&
        !url.search &&
        !url.hash &&
        !url.username &&
        !url.password
      );
    } catch {
      return false;
    }
  }, 'Enter an https URL like https://login.microsoftonline.com/<tenant id>/v2.0.')
  .transform((value) => value.replace(/\/+$/, ''));

export const clientIdField = z
  .string({ error: 'Enter the client (application) id.' })
  .trim()
  .min(1, 'Enter the client (application) id.')
  .max(200, 'That client id is too long.')
  .regex(/^[\x21-\x7e]+$/, 'A client id has no spaces or special characters; copy it again.');

/** Empty keeps the stored secret. */
export const clientSecretField = z
  .string()
  .max(500, 'That secret is too long.')
  .regex(/^[\x20-\x7e]*$/, 'A client secret has only plain characters; copy it again.')
  .optional()
  .transform((value) => value ?? '');
