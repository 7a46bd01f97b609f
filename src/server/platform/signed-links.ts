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

/** Signs many links with one read of the secret (a pass that mails thousands of people). */
export async function linkSigner(db: Executor): Promise<(purpose: string, id: string) => string> {
  const key = await signingSecret(db, randomToken(32));
  return (purpose, id) => `${id}.${signature(key, purpose, id)}`;
}

/** The id a link's token names, or undefined when it was not made by us for this purpose. */
export async function verifyLink(db: Executor, purpose: string, token: string): Promise<string | undefined> {
  const [id, given] = token.split('.');
  if (!id || !given || !ID.test(id)) return undefined;
  const expected = Buffer.from(signature(await signingSecret(db, randomToken(32)), purpose, id));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? id : undefined;
}

// Links that carry a few fields and expire (a review question by email, decision 0029):
// `<payload>.<signature>`, the payload being the fields and the expiry as base64url JSON.

export type ExpiringLink = { fields: Record<string, string> } | { expired: true } | undefined;

/** The token for a link carrying `fields` for `purpose`, good until `expiresAt`. */
export async function signExpiringLink(
  db: Executor,
  purpose: string,
  fields: Record<string, string>,
  expiresAt: Date,
): Promise<string> {
  const payload = Buffer.from(JSON.stringify({ ...fields, exp: Math.floor(expiresAt.getTime() / 1000) })).toString(
    'base64url',
  );
  return `${payload}.${signature(await signingSecret(db, randomToken(32)), purpose, payload)}`;
}

/** The fields of a link we made for `purpose`; `{ expired: true }` once past its time; undefined when not ours. */
export async function verifyExpiringLink(
  db: Executor,
  purpose: string,
  token: string,
  now: Date,
): Promise<ExpiringLink> {
  const [payload, given, extra] = token.split('.');
  if (!payload || !given || extra !== undefined) return undefined;
  const expected = Buffer.from(signature(await signingSecret(db, randomToken(32)), purpose, payload));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const { exp, ...fields } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (typeof exp !== 'number' || Object.values(fields).some((v) => typeof v !== 'string')) return undefined;
  if (now.getTime() >= exp * 1000) return { expired: true };
  return { fields: fields as Record<string, string> };
}
