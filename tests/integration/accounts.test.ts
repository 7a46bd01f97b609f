import { FieldError, ThrottledError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { caught } from '../support/caught.ts';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import * as accounts from '#server/accounts/accounts.ts';

import { consume, RULES } from '#server/platform/throttle.ts';
import { createUser } from '#server/accounts/users-repo.ts';
import { validateSessionToken } from '#server/accounts/sessions.ts';
import { hashPassword, verifyPassword } from '#server/accounts/passwords.ts';
import { hashToHex } from '#server/kernel/tokens.ts';
import { hasLiveVerificationLink } from '#server/accounts/email-tokens-repo.ts';
import { settings } from '#server/platform/settings.ts';
import { testCatalog } from '../support/catalog.ts';

// Without SMTP_URL every mail lands in the outbox table; these tests read links from it.
// Argon2 is slow on purpose, so real sign-ups are used only where a password matters.

const catalog = testCatalog();
const STRONG_PASSWORD = 'violet harbour tractor quilt 92';
const OTHER_STRONG_PASSWORD = 'marble otter lantern cinnamon 47';
const THIRD_STRONG_PASSWORD = 'copper meadow fiddle glacier 15';

let database: RoundsDatabase;
let ipCounter = 0;

/** A request from its own address, so per-IP limits of one test never touch another. */
function request(userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0') {
  ipCounter += 1;
  return { ip: `198.51.100.${ipCounter}`, userAgent };
}

async function signUpNew(label = 'learner') {
  const email = uniqueEmail(label);
  const result = await accounts.signUp(database.db, { name: 'Ada Nurse', email, password: STRONG_PASSWORD }, request());
  return { ...result, email };
}

async function outboxFor(email: string) {
  return database.db.selectFrom('outbox').selectAll().where('to_address', '=', email).orderBy('id').execute();
}

/** The token in the last mail to `email` that links to `path`. */
async function mailedToken(email: string, path: '/verify-email' | '/reset-password'): Promise<string> {
  const mails = await outboxFor(email);
  const pattern = new RegExp(`${path}\\?token=([a-z0-9]+)`);
  for (const mail of mails.reverse()) {
    const match = pattern.exec(mail.text_body);
    if (match) return match[1]!;
  }
  throw new Error(`no mail with a ${path} link to ${email}`);
}

async function countRows(table: 'users' | 'sessions' | 'outbox' | 'email_tokens'): Promise<number> {
  const row = await database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  database = await freshDatabase();
  // Without SMTP_URL, mail is printed as well as stored; keep the test output readable.
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await database?.close();
});

describe('sign-up', () => {
  it('creates the user and a session, and mails a verification link whose token is stored only as a hash', async () => {
    const { user, token, session, email } = await signUpNew();
    expect(user.email).toBe(email);
    expect(user.email_verified_at).toBeNull();

    const stored = await database.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(stored.id).toBe(user.id);
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored.password_hash, STRONG_PASSWORD)).toBe(true);

    const sessions = await database.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    expect(sessions.map((s) => s.id)).toEqual([session.id]);
    const validated = await validateSessionToken(database.db, token);
    expect(validated?.user.id).toBe(user.id);

    const mails = await outboxFor(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/confirm/i);
    expect(mails[0]!.text_body).toContain(`${settings().PUBLIC_URL}/verify-email?token=`);
    const mailToken = await mailedToken(email, '/verify-email');
    expect(mails[0]!.html_body).toContain(mailToken);

    const tokens = await database.db.selectFrom('email_tokens').selectAll().where('user_id', '=', user.id).execute();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.purpose).toBe('verify-email');
    expect(tokens[0]!.token_hash).toBe(hashToHex(mailToken));
    expect(JSON.stringify(tokens)).not.toContain(mailToken);
  });

  it('makes the first account of a fresh install admin, and the second not', async () => {
    const install = await freshDatabase();
    try {
      const first = await accounts.signUp(
        install.db,
        { name: 'First', email: uniqueEmail('first'), password: STRONG_PASSWORD },
        request(),
      );
      const second = await accounts.signUp(
        install.db,
        { name: 'Second', email: uniqueEmail('second'), password: STRONG_PASSWORD },
        request(),
      );
      expect(first.user.is_admin).toBe(true);
      expect(second.user.is_admin).toBe(false);
      const admins = await install.db.selectFrom('users').select('email').where('is_admin', '=', true).execute();
      expect(admins.map((a) => a.email)).toEqual([first.user.email]);
    } finally {
      await install.close();
    }
  });

  it('makes exactly one admin when many sign-ups race on a fresh install', async () => {
    const install = await freshDatabase();
    try {
      // The same transaction signUp uses, without the argon2 cost.
      const created = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          install.db
            .transaction()
            .execute((tx) => createUser(tx, { email: uniqueEmail(`race${i}`), name: `Racer ${i}`, passwordHash: 'x' })),
        ),
      );
      expect(created.every((u) => u !== undefined)).toBe(true);
      expect(created.filter((u) => u!.is_admin)).toHaveLength(1);
      const admins = await install.db.selectFrom('users').select('id').where('is_admin', '=', true).execute();
      expect(admins).toHaveLength(1);
    } finally {
      await install.close();
    }
  });

  it('refuses a taken email with a FieldError on email and creates nothing', async () => {
    const email = uniqueEmail('taken');
    const existing = await createUser(database.db, { email, name: 'Existing', passwordHash: 'x' });
    const before = {
      users: await countRows('users'),
      sessions: await countRows('sessions'),
      outbox: await countRows('outbox'),
      tokens: await countRows('email_tokens'),
    };

    const error = await caught(
      accounts.signUp(database.db, { name: 'Intruder', email, password: STRONG_PASSWORD }, request()),
    );
    expect(error).toBeInstanceOf(FieldError);
    expect((error as FieldError).field).toBe('email');

    expect({
      users: await countRows('users'),
      sessions: await countRows('sessions'),
      outbox: await countRows('outbox'),
      tokens: await countRows('email_tokens'),
    }).toEqual(before);
    const row = await database.db
      .selectFrom('users')
      .select(['id', 'name', 'password_hash'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ id: existing!.id, name: 'Existing', password_hash: 'x' });
  });

  it('refuses a weak password with a FieldError on password and creates nothing', async () => {
    const email = uniqueEmail('weak');
    const before = { users: await countRows('users'), outbox: await countRows('outbox') };
    const error = await caught(
      accounts.signUp(database.db, { name: 'Weak', email, password: 'password1234' }, request()),
    );
    expect(error).toBeInstanceOf(FieldError);
    expect((error as FieldError).field).toBe('password');
    expect(
      await database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(),
    ).toBeUndefined();
    expect({ users: await countRows('users'), outbox: await countRows('outbox') }).toEqual(before);
  });
});

describe('a throttled confirmation mail never half-saves an account', () => {
  /** Fills an address's allowance of confirmation mail for the hour. */
  async function exhaustMailAllowance(email: string) {
    for (let i = 0; i < RULES.mailPerAddress.limit; i += 1)
      await consume(database.db, `mail:address:${email}`, RULES.mailPerAddress);
  }

  /** As if the hour had passed. */
  async function endMailWindow(email: string) {
    await database.db
      .updateTable('throttles')
      .set({ window_started_at: new Date(Date.now() - (RULES.mailPerAddress.windowSeconds + 60) * 1000) })
      .where('key', '=', `mail:address:${email}`)
      .execute();
  }

  it('signs up and in at once, says the link is delayed, and sends it from the account page once the hour is over', async () => {
    const email = uniqueEmail('reset-first');
    await exhaustMailAllowance(email);
    expect(await outboxFor(email)).toHaveLength(0);

    const { user, token, verificationMail } = await accounts.signUp(
      database.db,
      { name: 'Ada Nurse', email, password: STRONG_PASSWORD },
      request(),
    );
    expect(verificationMail.sent).toBe(false);
    expect(!verificationMail.sent && verificationMail.message).toMatch(
      /could not send the confirmation link yet.*try again in \d+ minutes? from your account page/i,
    );
    expect((await validateSessionToken(database.db, token))?.user.id).toBe(user.id);
    expect(await database.db.selectFrom('users').select('id').where('email', '=', email).execute()).toEqual([
      { id: user.id },
    ]);
    expect(await outboxFor(email)).toHaveLength(0);
    expect(await hasLiveVerificationLink(database.db, user.id, email)).toBe(false);

    // Signing up again is refused as a taken address — rightly, since the first attempt made the account.
    const again = await caught(
      accounts.signUp(database.db, { name: 'Ada Nurse', email, password: STRONG_PASSWORD }, request()),
    );
    expect(again).toBeInstanceOf(FieldError);

    // Within the hour, "Send the confirmation link again" says when; after it, the link goes out and works.
    expect(await caught(accounts.sendVerificationMail(database.db, user))).toBeInstanceOf(ThrottledError);
    await endMailWindow(email);
    await accounts.sendVerificationMail(database.db, user);
    expect(await hasLiveVerificationLink(database.db, user.id, email)).toBe(true);
    expect(await accounts.verifyEmail(database.db, await mailedToken(email, '/verify-email'))).toBe(true);
  });

  it('signs up with a sent link when the allowance is not used up', async () => {
    const { user, email, verificationMail } = await signUpNew('unthrottled');
    expect(verificationMail).toEqual({ sent: true });
    expect(await hasLiveVerificationLink(database.db, user.id, email)).toBe(true);
  });

  it('changes the email even when the new address cannot be mailed this hour, and says so', async () => {
    const { user, email: oldEmail, session } = await signUpNew('mover');
    const newEmail = uniqueEmail('moved');
    await exhaustMailAllowance(newEmail);

    const outcome = await accounts.changeEmail(
      { db: database.db, catalog, user: user, clientIp: request().ip },
      {
        email: newEmail,
        currentPassword: STRONG_PASSWORD,
        keepSessionId: session.id,
      },
    );
    expect(outcome.sent).toBe(false);
    const stored = await database.db
      .selectFrom('users')
      .select(['email', 'email_verified_at'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ email: newEmail, email_verified_at: null });
    // The old address's link no longer confirms anything; the new one has none yet.
    expect(await accounts.verifyEmail(database.db, await mailedToken(oldEmail, '/verify-email'))).toBe(false);
    expect(await hasLiveVerificationLink(database.db, user.id, newEmail)).toBe(false);
    expect(await outboxFor(newEmail)).toHaveLength(0);

    await endMailWindow(newEmail);
    await accounts.sendVerificationMail(database.db, { ...user, email: newEmail });
    expect(await accounts.verifyEmail(database.db, await mailedToken(newEmail, '/verify-email'))).toBe(true);
  });
});

describe('email verification', () => {
  it('marks the address verified once; the same link fails the second time', async () => {
    const { user, email } = await signUpNew('verify');
    const token = await mailedToken(email, '/verify-email');

    expect(await accounts.verifyEmail(database.db, 'not-a-real-token-at-all')).toBe(false);
    expect(
      (
        await database.db
          .selectFrom('users')
          .select('email_verified_at')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).email_verified_at,
    ).toBeNull();

    expect(await accounts.verifyEmail(database.db, token)).toBe(true);
    const verified = await database.db
      .selectFrom('users')
      .select('email_verified_at')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(verified.email_verified_at).toBeInstanceOf(Date);

    expect(await accounts.verifyEmail(database.db, token)).toBe(false);
    const used = await database.db
      .selectFrom('email_tokens')
      .select('used_at')
      .where('token_hash', '=', hashToHex(token))
      .executeTakeFirstOrThrow();
    expect(used.used_at).toBeInstanceOf(Date);
  });
});

describe('sign-in', () => {
  it('returns a session token that validates to the user', async () => {
    const { user, email } = await signUpNew('signin');
    const { token, session } = await accounts.signIn(database.db, { email, password: STRONG_PASSWORD }, request());
    expect(session.user_id).toBe(user.id);
    const validated = await validateSessionToken(database.db, token);
    expect(validated?.user.id).toBe(user.id);
    expect(validated?.session.id).toBe(session.id);
  });

  it('gives the same answer for a wrong password and for an unknown email', async () => {
    const { email } = await signUpNew('enum');
    const sessionsBefore = await countRows('sessions');
    const known = await caught(accounts.signIn(database.db, { email, password: OTHER_STRONG_PASSWORD }, request()));
    const unknown = await caught(
      accounts.signIn(database.db, { email: uniqueEmail('nobody'), password: OTHER_STRONG_PASSWORD }, request()),
    );
    expect(known).toBeInstanceOf(FieldError);
    expect(unknown).toBeInstanceOf(FieldError);
    expect((known as FieldError).field).toBe((unknown as FieldError).field);
    expect((known as FieldError).message).toBe((unknown as FieldError).message);
    expect((known as FieldError).message.length).toBeGreaterThan(0);
    expect(await countRows('sessions')).toBe(sessionsBefore);
  });

  it('holds an account back from one address after 10 failed attempts there, even against the right password', async () => {
    const { user, email } = await signUpNew('locked');
    expect(RULES.failedSignInPerAccountAndIp.limit).toBe(10);
    const guesser = request();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const error = await caught(
        accounts.signIn(database.db, { email, password: `${OTHER_STRONG_PASSWORD} ${attempt}` }, guesser),
      );
      expect(error).toBeInstanceOf(FieldError);
    }
    const sessionsBefore = await database.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();

    const error = await caught(accounts.signIn(database.db, { email, password: STRONG_PASSWORD }, guesser));
    expect(error).toBeInstanceOf(ThrottledError);
    const retryAfter = (error as ThrottledError).retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(RULES.failedSignInPerAccountAndIp.windowSeconds);

    const sessionsAfter = await database.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(sessionsAfter).toEqual(sessionsBefore);
  });

  it('does not let a burst of parallel guesses from one address past the 10-attempt limit', async () => {
    // Each attempt is counted before its password is checked, so of a burst of 30 wrong
    // guesses at most 10 reach the check. (A right password in the burst would clear the
    // count, as any successful sign-in does, so the burst holds wrong ones only.)
    const { user, email } = await signUpNew('burst');
    const guesser = request();
    const guesses = Array.from({ length: 30 }, (_, i) => `${OTHER_STRONG_PASSWORD} guess ${i}`);
    const outcomes = await Promise.allSettled(
      guesses.map((password) => accounts.signIn(database.db, { email, password }, guesser)),
    );

    const refused = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof ThrottledError).length;
    const checked = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof FieldError).length;
    expect(refused + checked).toBe(guesses.length);
    expect(checked).toBeLessThanOrEqual(RULES.failedSignInPerAccountAndIp.limit);
    // The account is now held back from that address, even against the right password.
    await expect(accounts.signIn(database.db, { email, password: STRONG_PASSWORD }, guesser)).rejects.toBeInstanceOf(
      ThrottledError,
    );
    const sessions = await database.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    expect(sessions.length).toBe(1); // the sign-up session only
  });
});

describe('password reset', () => {
  it('sends nothing for an unknown email, and says nothing about it', async () => {
    const before = { outbox: await countRows('outbox'), tokens: await countRows('email_tokens') };
    const email = uniqueEmail('ghost');
    await expect(accounts.requestPasswordReset(database.db, email, request())).resolves.toBeUndefined();
    await accounts.sendRequestedPasswordResets(database.db);
    expect({ outbox: await countRows('outbox'), tokens: await countRows('email_tokens') }).toEqual(before);
    expect(await outboxFor(email)).toEqual([]);
  });

  it('gives the same answers for a known and an unknown address, however often it is asked', async () => {
    const known = uniqueEmail('asked-often');
    await createUser(database.db, { email: known, name: 'Often Asked', passwordHash: 'x' });
    const unknown = uniqueEmail('never-registered');
    const outcome = (email: string) =>
      accounts.requestPasswordReset(database.db, email, request()).then(
        () => 'sent',
        (error: unknown) => (error instanceof ThrottledError ? 'throttled' : `failed: ${String(error)}`),
      );
    const answersForKnown: string[] = [];
    const answersForUnknown: string[] = [];
    for (let i = 0; i < RULES.mailPerAddress.limit + 2; i += 1) {
      answersForKnown.push(await outcome(known));
      answersForUnknown.push(await outcome(unknown));
    }
    expect(answersForKnown).toEqual(answersForUnknown);
    expect(answersForKnown.every((answer) => answer === 'sent')).toBe(true);
    await accounts.sendRequestedPasswordResets(database.db);
    // One mail per address per cool-down: the repeats sent nothing, and were not refused either.
    expect((await outboxFor(known)).length).toBe(RULES.resetMailPerAddress.limit);
    expect(await outboxFor(unknown)).toEqual([]);
  });

  it('changes the password with the mailed link, signs out every other session, and works once', async () => {
    const { user, email, token: signUpToken } = await signUpNew('reset');
    const { token: otherDeviceToken } = await accounts.signIn(
      database.db,
      { email, password: STRONG_PASSWORD },
      request(),
    );

    await accounts.requestPasswordReset(database.db, email, request());
    await accounts.sendRequestedPasswordResets(database.db);
    const mails = await outboxFor(email);
    expect(mails.at(-1)!.subject).toMatch(/reset/i);
    expect(mails.at(-1)!.text_body).toContain(`${settings().PUBLIC_URL}/reset-password?token=`);
    const resetToken = await mailedToken(email, '/reset-password');

    // A weak new password is refused and does not use up the link.
    const weak = await caught(
      accounts.resetPassword(database.db, { token: resetToken, password: 'password1234' }, request()),
    );
    expect(weak).toBeInstanceOf(FieldError);
    expect(await validateSessionToken(database.db, signUpToken)).not.toBeNull();

    const { token: newToken } = await accounts.resetPassword(
      database.db,
      { token: resetToken, password: OTHER_STRONG_PASSWORD },
      request(),
    );
    expect((await validateSessionToken(database.db, newToken))?.user.id).toBe(user.id);
    expect(await validateSessionToken(database.db, signUpToken)).toBeNull();
    expect(await validateSessionToken(database.db, otherDeviceToken)).toBeNull();
    const remaining = await database.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    expect(remaining).toHaveLength(1);

    const hash = (
      await database.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    ).password_hash;
    expect(await verifyPassword(hash, OTHER_STRONG_PASSWORD)).toBe(true);
    expect(await verifyPassword(hash, STRONG_PASSWORD)).toBe(false);

    const again = await caught(
      accounts.resetPassword(database.db, { token: resetToken, password: THIRD_STRONG_PASSWORD }, request()),
    );
    expect(again).toBeInstanceOf(FieldError);
    const unchanged = (
      await database.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    ).password_hash;
    expect(unchanged).toBe(hash);
    expect(await database.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual(
      remaining,
    );
  });

  it('refuses an expired reset link and leaves the password as it was', async () => {
    const { user, email, token: sessionToken } = await signUpNew('expired');
    await accounts.requestPasswordReset(database.db, email, request());
    await accounts.sendRequestedPasswordResets(database.db);
    const resetToken = await mailedToken(email, '/reset-password');
    const expired = await database.db
      .updateTable('email_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
      .where('token_hash', '=', hashToHex(resetToken))
      .where('purpose', '=', 'reset-password')
      .executeTakeFirst();
    expect(Number(expired.numUpdatedRows)).toBe(1);
    const hashBefore = (
      await database.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    ).password_hash;

    const error = await caught(
      accounts.resetPassword(database.db, { token: resetToken, password: OTHER_STRONG_PASSWORD }, request()),
    );
    expect(error).toBeInstanceOf(FieldError);

    const hashAfter = (
      await database.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    ).password_hash;
    expect(hashAfter).toBe(hashBefore);
    expect(await validateSessionToken(database.db, sessionToken)).not.toBeNull();
  });
});

describe('changing password and email', () => {
  it('needs the current password, then signs out other sessions but keeps this one', async () => {
    const { user, email, token: currentToken, session: current } = await signUpNew('change');
    const { token: otherToken } = await accounts.signIn(database.db, { email, password: STRONG_PASSWORD }, request());
    const hashBefore = (
      await database.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    ).password_hash;

    const wrong = await caught(
      accounts.changePassword(
        { db: database.db, catalog, user },
        {
          keepSessionId: current.id,
          currentPassword: THIRD_STRONG_PASSWORD,
          password: OTHER_STRONG_PASSWORD,
        },
      ),
    );
    expect(wrong).toBeInstanceOf(FieldError);
    expect((wrong as FieldError).field).toBe('currentPassword');
    expect(
      (
        await database.db
          .selectFrom('users')
          .select('password_hash')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow()
      ).password_hash,
    ).toBe(hashBefore);
    expect(await validateSessionToken(database.db, otherToken)).not.toBeNull();

    await accounts.changePassword(
      { db: database.db, catalog, user },
      {
        keepSessionId: current.id,
        currentPassword: STRONG_PASSWORD,
        password: OTHER_STRONG_PASSWORD,
      },
    );
    expect((await validateSessionToken(database.db, currentToken))?.user.id).toBe(user.id);
    expect(await validateSessionToken(database.db, otherToken)).toBeNull();
    const hashAfter = (
      await database.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    ).password_hash;
    expect(await verifyPassword(hashAfter, OTHER_STRONG_PASSWORD)).toBe(true);
    expect(await verifyPassword(hashAfter, STRONG_PASSWORD)).toBe(false);
  });

  it("refuses another account's address and leaves both accounts unchanged", async () => {
    const passwordHash = await hashPassword(STRONG_PASSWORD);
    const a = (await createUser(database.db, { email: uniqueEmail('a'), name: 'A', passwordHash }))!;
    const b = (await createUser(database.db, { email: uniqueEmail('b'), name: 'B', passwordHash: 'x' }))!;
    await database.db
      .updateTable('users')
      .set({ email_verified_at: new Date() })
      .where('id', 'in', [a.id, b.id])
      .execute();
    const read = () =>
      database.db
        .selectFrom('users')
        .select(['id', 'email', 'email_verified_at'])
        .where('id', 'in', [a.id, b.id])
        .orderBy('email')
        .execute();
    const before = await read();
    const outboxBefore = await countRows('outbox');

    const error = await caught(
      accounts.changeEmail(
        { db: database.db, catalog, user: a, clientIp: request().ip },
        { email: b.email, currentPassword: STRONG_PASSWORD, keepSessionId: 'none' },
      ),
    );
    expect(error).toBeInstanceOf(FieldError);
    expect((error as FieldError).field).toBe('email');

    expect(await read()).toEqual(before);
    expect(await countRows('outbox')).toBe(outboxBefore);
  });
});
