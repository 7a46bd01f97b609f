import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { settings } from '#server/platform/settings.ts';
import { ConflictError } from '#server/kernel/errors.ts';

// Client secrets at rest: AES-256-GCM under SECRETS_KEY (decision 0042). A stored value is
// "v1.<iv>.<ciphertext>.<tag>" (base64url); the organisation id is the additional data, so a
// secret copied to another organisation's row does not decrypt.

export const NO_SECRETS_KEY =
  'Single sign-on needs the SECRETS_KEY setting on the server (docs/single-sign-on.md). Ask whoever runs Rounds.';

function key(): Buffer {
  const value = settings().SECRETS_KEY;
  if (!value) throw new ConflictError(NO_SECRETS_KEY);
  return Buffer.from(value, 'base64');
}

export function secretsKeyIsSet(): boolean {
  return settings().SECRETS_KEY !== undefined;
}

export function encryptSecret(plaintext: string, organisationId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(), iv);
  cipher.setAAD(Buffer.from(organisationId));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Throws when the value was not made with this key for this organisation. */
export function decryptSecret(stored: string, organisationId: string): string {
  const [version, iv, body, tag] = stored.split('.');
  if (version !== 'v1' || !iv || body === undefined || !tag) throw new Error('unreadable stored secret');
  const decipher = createDecipheriv('aes-256-gcm', key(), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(organisationId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
