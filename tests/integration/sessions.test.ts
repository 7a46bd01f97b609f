import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { createUser } from '#server/accounts/users-repo.ts';
import { deleteUserSessions } from '#server/accounts/sessions-repo.ts';
import {
  ABSOLUTE_LIFETIME,
  INACTIVITY_TIMEOUT,
  createSession,
  validateSessionToken,
} from '#server/accounts/sessions.ts';
import { hashSecret } from '#server/kernel/tokens.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
// Timestamps travel through timestamptz (microseconds) and JS Dates (milliseconds).
const SLACK = 5_000;

let database: RoundsDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

async function newUserId(): Promise<string> {
  const user = await createUser(database.db, {
    email: uniqueEmail('session'),
    name: 'Session Tester',
    passwordHash: 'x',
  });
  return user!.id;
}

function sessionRow(id: string) {
  return database.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Moves a session's clock: every argument is "this long ago" (negative = in the future). */
async function age(id: string, ago: { created?: number; lastSeen?: number; expires?: number }): Promise<void> {
  const at = (ms: number) => new Date(Date.now() - ms).toISOString();
  if (ago.created !== undefined)
    await sql`update sessions set created_at = ${at(ago.created)}::timestamptz where id = ${id}`.execute(database.db);
  if (ago.lastSeen !== undefined)
    await sql`update sessions set last_seen_at = ${at(ago.lastSeen)}::timestamptz where id = ${id}`.execute(
      database.db,
    );
  if (ago.expires !== undefined)
    await sql`update sessions set expires_at = ${at(ago.expires)}::timestamptz where id = ${id}`.execute(database.db);
}

describe('session tokens', () => {
  it('are "<id>.<secret>" and validate to their user', async () => {
    const userId = await newUserId();
    const { token, session } = await createSession(database.db, userId, 'Mozilla/5.0 Firefox/140.0');
    const parts = token.split('.');
    expect(parts).toHaveLength(2);
    const [id, secret] = parts as [string, string];
    expect(id).toBe(session.id);
    expect(id).toMatch(/^[a-z2-7]{24}$/); // 120 bits, base32
    expect(secret).toMatch(/^[a-z2-7]{32}$/); // 160 bits, base32
    const validated = await validateSessionToken(database.db, token);
    expect(validated?.user.id).toBe(userId);
    expect(validated?.session.id).toBe(id);
  });

  it('are stored only as a SHA-256 hash of the secret', async () => {
    const userId = await newUserId();
    const { token } = await createSession(database.db, userId, 'Mozilla/5.0 Firefox/140.0');
    const [id, secret] = token.split('.') as [string, string];
    const row = (await sessionRow(id))!;
    expect(row).toBeDefined();

    const hash = new Uint8Array(row.secret_hash);
    expect(hash.byteLength).toBe(32);
    expect(Array.from(hash)).toEqual(Array.from(hashSecret(secret)));

    // The secret in no column, in no spelling.
    for (const [column, value] of Object.entries(row)) {
      const spellings =
        value instanceof Uint8Array
          ? [
              Buffer.from(value).toString('utf8'),
              Buffer.from(value).toString('hex'),
              Buffer.from(value).toString('base64'),
              Buffer.from(value).toString('latin1'),
            ]
          : [value instanceof Date ? value.toISOString() : String(value)];
      for (const spelling of spellings) expect(spelling, `column ${column}`).not.toContain(secret);
    }
    expect(new TextDecoder().decode(hash)).not.toContain(secret);
  });

  it('reject a tampered or malformed token', async () => {
    const userId = await newUserId();
    const { token } = await createSession(database.db, userId, '');
    const [id, secret] = token.split('.') as [string, string];
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
    expect(await validateSessionToken(database.db, `${id}.${flipped}`)).toBeNull();
    expect(await validateSessionToken(database.db, `${id}.${secret}x`)).toBeNull();
    expect(await validateSessionToken(database.db, `${id}.`)).toBeNull();
    expect(await validateSessionToken(database.db, id)).toBeNull();
    expect(await validateSessionToken(database.db, `${token}.extra`)).toBeNull();
    expect(await validateSessionToken(database.db, `${id}x.${secret}`)).toBeNull();
    // The real one still works: rejection did not touch it.
    expect((await validateSessionToken(database.db, token))?.user.id).toBe(userId);
  });

  it('reject and delete an expired session', async () => {
    const userId = await newUserId();
    const { token, session } = await createSession(database.db, userId, '');
    await age(session.id, { expires: 1_000 });
    expect(await validateSessionToken(database.db, token)).toBeNull();
    expect(await sessionRow(session.id)).toBeUndefined();
  });
});

describe('session expiry', () => {
  it('is set to the inactivity timeout at creation', async () => {
    const userId = await newUserId();
    const before = Date.now();
    const { session } = await createSession(database.db, userId, '');
    expect(session.expires_at.getTime()).toBeGreaterThanOrEqual(before + INACTIVITY_TIMEOUT - SLACK);
    expect(session.expires_at.getTime()).toBeLessThanOrEqual(Date.now() + INACTIVITY_TIMEOUT + SLACK);
  });

  it('slides forward when the session was last seen more than an hour ago', async () => {
    const userId = await newUserId();
    const { token, session } = await createSession(database.db, userId, '');
    await age(session.id, { created: 3 * DAY, lastSeen: 2 * HOUR, expires: -2 * DAY });
    const stale = (await sessionRow(session.id))!;

    const validated = await validateSessionToken(database.db, token);
    expect(validated).not.toBeNull();
    const row = (await sessionRow(session.id))!;
    const expected = Date.now() + INACTIVITY_TIMEOUT;
    expect(row.expires_at.getTime()).toBeGreaterThan(stale.expires_at.getTime() + 7 * DAY);
    expect(Math.abs(row.expires_at.getTime() - expected)).toBeLessThan(SLACK);
    expect(Math.abs(validated!.session.expires_at.getTime() - row.expires_at.getTime())).toBeLessThan(SLACK);
    expect(Math.abs(row.last_seen_at.getTime() - Date.now())).toBeLessThan(SLACK);
  });

  it('does not write when the session was seen within the hour', async () => {
    const userId = await newUserId();
    const { token, session } = await createSession(database.db, userId, '');
    await age(session.id, { lastSeen: 10 * 60 * 1000, expires: -2 * DAY });
    const before = (await sessionRow(session.id))!;
    expect(await validateSessionToken(database.db, token)).not.toBeNull();
    const after = (await sessionRow(session.id))!;
    expect(after.expires_at.getTime()).toBe(before.expires_at.getTime());
    expect(after.last_seen_at.getTime()).toBe(before.last_seen_at.getTime());
  });

  it('never slides past created_at + 30 days', async () => {
    const userId = await newUserId();
    const { token, session } = await createSession(database.db, userId, '');
    await age(session.id, { created: 25 * DAY, lastSeen: 2 * HOUR, expires: -1 * DAY });
    const { created_at: createdAt } = (await sessionRow(session.id))!;

    expect(await validateSessionToken(database.db, token)).not.toBeNull();
    const row = (await sessionRow(session.id))!;
    expect(row.expires_at.getTime()).toBeLessThanOrEqual(createdAt.getTime() + ABSOLUTE_LIFETIME);
    expect(Math.abs(row.expires_at.getTime() - (createdAt.getTime() + ABSOLUTE_LIFETIME))).toBeLessThan(SLACK);
    // Still well short of a full inactivity window from now.
    expect(row.expires_at.getTime()).toBeLessThan(Date.now() + INACTIVITY_TIMEOUT - 4 * DAY);
  });
});

describe('deleteUserSessions', () => {
  it('signs a user out everywhere except the kept session, and leaves other users alone', async () => {
    const userId = await newUserId();
    const otherId = await newUserId();
    const mine = await Promise.all([1, 2, 3, 4].map(() => createSession(database.db, userId, '')));
    const theirs = await createSession(database.db, otherId, '');
    const keep = mine[1]!;

    const deleted = await deleteUserSessions(database.db, userId, keep.session.id);
    expect(deleted).toBe(3);
    const left = await database.db.selectFrom('sessions').select('id').where('user_id', '=', userId).execute();
    expect(left.map((s) => s.id)).toEqual([keep.session.id]);
    expect(await validateSessionToken(database.db, keep.token)).not.toBeNull();
    for (const gone of [mine[0]!, mine[2]!, mine[3]!])
      expect(await validateSessionToken(database.db, gone.token)).toBeNull();
    expect((await validateSessionToken(database.db, theirs.token))?.user.id).toBe(otherId);

    expect(await deleteUserSessions(database.db, userId)).toBe(1);
    expect(await validateSessionToken(database.db, keep.token)).toBeNull();
    expect((await validateSessionToken(database.db, theirs.token))?.user.id).toBe(otherId);
  });
});
