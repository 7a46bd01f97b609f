import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomToken } from '#server/kernel/tokens.ts';
import type { Executor } from './db.ts';
import { signingSecret } from './signing-secret-repo.ts';

// Links that act without a sign-in (one-click unsubscribe) carry `<id>.<signature>`:
// an HMAC of the purpose and the id under one secret kept in the database, so a
// link made by one app process is good in every other and after restarts.

const ID = /^[0-9a-f-]{36}$/;

function signature(key: string, purpose: string, id: string): string {
  return createHmac('sha256', key).update(`${purpose}:${id}`).digest('base64url');
}

/** The token for a link that names `id` (a uuid) for `purpose`. */
export async function signLink(db: Executor, purpose: string, id: string): Promise<string> {
  return `${id}.${signature(await signingSecret(db, randomToken(32)), purpose, id)}`;
}

/** The id a link's token names, or undefined when it was not made by us for this purpose. */
export async function verifyLink(db: Executor, purpose: string, token: string): Promise<string | undefined> {
  const [id, given] = token.split('.');
  if (!id || !given || !ID.test(id)) return undefined;
  const expected = Buffer.from(signature(await signingSecret(db, randomToken(32)), purpose, id));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? id : undefined;
}
