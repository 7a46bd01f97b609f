import { z } from 'astro/zod';

// What a browser's PushSubscription sends (decision 0044): checked at the edge for shape;
// the service checks the endpoint against the push services Rounds sends to, and the keys.

const NOT_A_SUBSCRIPTION = 'This browser did not give a push address Rounds can use.';
const base64url = /^[A-Za-z0-9_-]+={0,2}$/;

export const pushEndpointField = z
  .string({ error: NOT_A_SUBSCRIPTION })
  .trim()
  .max(1000, NOT_A_SUBSCRIPTION)
  .pipe(z.url({ protocol: /^https?$/, error: NOT_A_SUBSCRIPTION }));

/** The browser's P-256 public key: 65 bytes, 87 characters of base64url. */
export const pushKeyField = z
  .string({ error: NOT_A_SUBSCRIPTION })
  .trim()
  .min(80, NOT_A_SUBSCRIPTION)
  .max(100, NOT_A_SUBSCRIPTION)
  .regex(base64url, NOT_A_SUBSCRIPTION);

/** The browser's 16-byte auth secret, 22 characters of base64url. */
export const pushAuthField = z
  .string({ error: NOT_A_SUBSCRIPTION })
  .trim()
  .min(20, NOT_A_SUBSCRIPTION)
  .max(30, NOT_A_SUBSCRIPTION)
  .regex(base64url, NOT_A_SUBSCRIPTION);
