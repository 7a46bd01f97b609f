// Issue 15: throttles slow an attacker without locking the owner out; mail that one account
// can trigger is limited and does not let its user-chosen text speak for Rounds; a change
// of address voids links to the old one and tells it, with a way back; a reset request
// does the same work whether or not the address has an account.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { caught } from '../support/caught.ts';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { FieldError, ThrottledError } from '#server/kernel/errors.ts';
import * as accounts from '#server/accounts/accounts.ts';
import { validateSessionToken } from '#server/accounts/sessions.ts';
import { createUser } from '#server/accounts/users-repo.ts';
import { RULES } from '#server/platform/throttle.ts';
import { testCatalog } from '../support/catalog.ts';

const catalog = testCatalog();
const PASSWORD = 'violet harbour tractor quilt 92';
const NEW_PASSWORD = 'marble otter lantern cinnamon 47';
const WRONG = 'copper meadow fiddle glacier 15';

let database: RoundsDatabase;
let ipCounter = 0;
function request(deviceToken?: string) {
  ipCounter += 1;
  return { ip: `203.0.113.${ipCounter % 250}.${Math.floor(ipCounter / 250)}`, userAgent: 'Firefox', deviceToken };
}

async function signUpNew(label: string, name = 'Ada Nurse') {
  const email = uniqueEmail(label);
  const result = await accounts.signUp(database.db, { name, email, password: PASSWORD }, request());
  return { ...result, email };
}

async function mailsTo(email: string) {
  return database.db.selectFrom('outbox').selectAll().where('to_address', '=', email).orderBy('id').execute();
}

async function linkIn(email: string, path: string): Promise<string> {
  const mails = await mailsTo(email);
  for (const mail of mails.reverse()) {
    const match = new RegExp(`${path}\\?token=([a-z0-9]+)`).exec(mail.text_body);
    if (match) return match[1]!;
  }
  throw new Error(`no ${path} link mailed to ${email}`);
}

beforeAll(async () => {
  database = await freshDatabase();
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await database?.close();
});

describe('sign-in throttles do not lock the owner out', () => {
  it('11 wrong passwords from a guesser leave the owner, elsewhere, free to sign in', async () => {
    const { user, email } = await signUpNew('guessed');
    const guesser = request();
    for (let i = 0; i < 11; i += 1) await caught(accounts.signIn(database.db, { email, password: WRONG }, guesser));
    const owner = await accounts.signIn(database.db, { email, password: PASSWORD }, request());
    expect((await validateSessionToken(database.db, owner.token))?.user.id).toBe(user.id);
  });

  it(`past the ceiling of ${RULES.failedSignInPerAccount.limit} failures from many addresses, a known device with the right password still gets in`, async () => {
    const { user, email, deviceToken } = await signUpNew('besieged');
    for (let i = 0; i < RULES.failedSignInPerAccount.limit; i += 1)
      await caught(accounts.signIn(database.db, { email, password: WRONG }, request()));
    // A device that never signed in to this account is held, even with the right password…
    expect(await caught(accounts.signIn(database.db, { email, password: PASSWORD }, request()))).toBeInstanceOf(
      ThrottledError,
    );
    // …and so is a device token made for another account.
    const other = await signUpNew('other-device');
    expect(
      await caught(accounts.signIn(database.db, { email, password: PASSWORD }, request(other.deviceToken))),
    ).toBeInstanceOf(ThrottledError);
    // The owner's own device is let through.
    const owner = await accounts.signIn(database.db, { email, password: PASSWORD }, request(deviceToken));
    expect((await validateSessionToken(database.db, owner.token))?.user.id).toBe(user.id);
    expect(owner.deviceToken).toBe(deviceToken);
    // A known device still counts its own failures.
    for (let i = 0; i < RULES.failedSignInPerKnownDevice.limit; i += 1)
      expect(
        await caught(accounts.signIn(database.db, { email, password: WRONG }, request(deviceToken))),
      ).toBeInstanceOf(FieldError);
    expect(
      await caught(accounts.signIn(database.db, { email, password: PASSWORD }, request(deviceToken))),
    ).toBeInstanceOf(ThrottledError);
  });
});

describe('reset requests do not starve the owner', () => {
  it("someone else's 6 requests neither refuse the owner's nor hold back a confirmation link", async () => {
    const { user, email, session } = await signUpNew('reset-flooded');
    for (let i = 0; i < 6; i += 1) await accounts.requestPasswordReset(database.db, email, request());
    await accounts.requestPasswordReset(database.db, email, request()); // the owner: answered as always
    await accounts.sendRequestedPasswordResets(database.db);
    // The link already in the owner's inbox works.
    const resetToken = await linkIn(email, '/reset-password');
    await accounts.resetPassword(database.db, { token: resetToken, password: NEW_PASSWORD }, request());
    // Reset requests do not use up the address's confirmation mail.
    const moved = uniqueEmail('reset-flooded-moved');
    const outcome = await accounts.changeEmail(
      { db: database.db, catalog, user, clientIp: request().ip },
      { email: moved, currentPassword: NEW_PASSWORD, keepSessionId: session.id },
    );
    expect(outcome).toEqual({ sent: true });
  });

  it(`after the ${RULES.resetMailPerAddress.windowSeconds / 60}-minute cool-down another link goes out`, async () => {
    const { email } = await signUpNew('reset-again');
    await accounts.requestPasswordReset(database.db, email, request());
    await accounts.requestPasswordReset(database.db, email, request());
    await accounts.sendRequestedPasswordResets(database.db);
    expect(await mailsTo(email).then((m) => m.filter((x) => /reset/i.test(x.subject)).length)).toBe(1);
    await database.db
      .updateTable('throttles')
      .set({ window_started_at: new Date(Date.now() - (RULES.resetMailPerAddress.windowSeconds + 1) * 1000) })
      .where('key', '=', `reset:address:${email}`)
      .execute();
    await accounts.requestPasswordReset(database.db, email, request());
    await accounts.sendRequestedPasswordResets(database.db);
    expect(await mailsTo(email).then((m) => m.filter((x) => /reset/i.test(x.subject)).length)).toBe(2);
  });
});

describe('mail one account can trigger', () => {
  it(`address changes are held after ${RULES.mailPerAccount.limit} an hour per account, before anything changes or is sent`, async () => {
    const { user, session } = await signUpNew('sprayer');
    const victims = Array.from({ length: 30 }, (_, i) => uniqueEmail(`victim-${i}`));
    const outcomes: string[] = [];
    let current = user;
    for (const victim of victims) {
      const result = await accounts
        .changeEmail(
          { db: database.db, catalog, user: current, clientIp: request().ip },
          { email: victim, currentPassword: PASSWORD, keepSessionId: session.id },
        )
        .then(
          () => 'changed',
          (error: unknown) => (error instanceof ThrottledError ? 'throttled' : String(error)),
        );
      outcomes.push(result);
      if (result === 'changed') current = { ...current, email: victim };
    }
    expect(outcomes.filter((o) => o === 'changed')).toHaveLength(RULES.mailPerAccount.limit);
    expect(outcomes.slice(RULES.mailPerAccount.limit).every((o) => o === 'throttled')).toBe(true);
    const mailed = await database.db
      .selectFrom('outbox')
      .select('to_address')
      .where('to_address', 'in', victims)
      .where('subject', 'like', 'Confirm%')
      .execute();
    expect(mailed).toHaveLength(RULES.mailPerAccount.limit);
    // Resending the link is held too.
    expect(await caught(accounts.resendVerificationMail({ db: database.db, catalog, user: current }))).toBeInstanceOf(
      ThrottledError,
    );
  });

  it('a confirmation mail does not carry the name its account chose', async () => {
    const { email } = await signUpNew('prize', 'Claim your prize at http://evil.example/win now');
    const [mail] = await mailsTo(email);
    expect(mail!.text_body.split('\n')[0]).toBe('Hello,');
    expect(mail!.text_body).not.toContain('evil.example');
    expect(mail!.html_body).not.toContain('evil.example');
  });
});

describe('changing the address', () => {
  it('voids a reset link mailed to the old address, ends other sessions, and tells the old address with a way back', async () => {
    const { user, email: oldEmail, session, token: thisSession } = await signUpNew('renamed');
    const { token: otherSession } = await accounts.signIn(
      database.db,
      { email: oldEmail, password: PASSWORD },
      request(),
    );
    await accounts.requestPasswordReset(database.db, oldEmail, request());
    await accounts.sendRequestedPasswordResets(database.db);
    const oldResetLink = await linkIn(oldEmail, '/reset-password');

    const newEmail = uniqueEmail('renamed-new');
    await accounts.changeEmail(
      { db: database.db, catalog, user, clientIp: request().ip },
      { email: newEmail, currentPassword: PASSWORD, keepSessionId: session.id },
    );
    expect(
      await caught(accounts.resetPassword(database.db, { token: oldResetLink, password: NEW_PASSWORD }, request())),
    ).toBeInstanceOf(FieldError);
    expect(await validateSessionToken(database.db, thisSession)).not.toBeNull();
    expect(await validateSessionToken(database.db, otherSession)).toBeNull();

    const notice = (await mailsTo(oldEmail)).at(-1)!;
    expect(notice.subject).toMatch(/email address .* was changed/i);
    expect(notice.text_body).toContain(newEmail);
    const undo = await linkIn(oldEmail, '/undo-email-change');

    // Whoever changed it moves on to a third address; its undo link is newer than the owner's.
    const thirdEmail = uniqueEmail('renamed-third');
    await accounts.changeEmail(
      { db: database.db, catalog, user: { ...user, email: newEmail }, clientIp: request().ip },
      { email: thirdEmail, currentPassword: PASSWORD, keepSessionId: session.id },
    );
    const laterUndo = await linkIn(newEmail, '/undo-email-change');

    // The owner's link puts the old address back (confirmed), ends every session, and leads to a new password.
    const { resetToken } = await accounts.undoEmailChange(database.db, undo);
    const restored = await database.db
      .selectFrom('users')
      .select(['email', 'email_verified_at'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(restored.email).toBe(oldEmail);
    expect(restored.email_verified_at).not.toBeNull();
    expect(await validateSessionToken(database.db, thisSession)).toBeNull();
    // The later address's undo link is dead: the original owner's wins.
    expect(await caught(accounts.undoEmailChange(database.db, laterUndo))).toBeInstanceOf(FieldError);
    expect(await caught(accounts.undoEmailChange(database.db, undo))).toBeInstanceOf(FieldError);
    const reset = await accounts.resetPassword(database.db, { token: resetToken, password: NEW_PASSWORD }, request());
    expect((await validateSessionToken(database.db, reset.token))?.user.email).toBe(oldEmail);
  });
});

describe('a reset request', () => {
  /** The SQL a call runs, in order, without its values. */
  async function statementsOf(call: (db: RoundsDatabase['db']) => Promise<unknown>): Promise<string[]> {
    const statements: string[] = [];
    const recorder: KyselyPlugin = {
      transformQuery(args) {
        statements.push(database.db.getExecutor().compileQuery(args.node as RootOperationNode, args.queryId).sql);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    await call(database.db.withPlugin(recorder));
    return statements;
  }

  it('does the same database work for a known and an unknown address, and sends no mail itself', async () => {
    const known = uniqueEmail('known');
    await createUser(database.db, { email: known, name: 'Kim Known', passwordHash: 'x' });
    const unknown = uniqueEmail('unknown');
    const outboxBefore = await database.db.selectFrom('outbox').select('id').execute();
    const tokensBefore = await database.db.selectFrom('email_tokens').select('token_hash').execute();

    const forKnown = await statementsOf((db) => accounts.requestPasswordReset(db, known, request()));
    const forUnknown = await statementsOf((db) => accounts.requestPasswordReset(db, unknown, request()));
    expect(forKnown.length).toBeGreaterThan(0);
    expect(forKnown).toEqual(forUnknown);
    expect(forKnown.join('\n')).not.toMatch(/"users"|"email_tokens"|"outbox"/);
    expect(await database.db.selectFrom('outbox').select('id').execute()).toEqual(outboxBefore);
    expect(await database.db.selectFrom('email_tokens').select('token_hash').execute()).toEqual(tokensBefore);

    // The job runner sends the one real link.
    expect(await accounts.sendRequestedPasswordResets(database.db)).toBe(1);
    expect(await mailsTo(known)).toHaveLength(1);
    expect(await mailsTo(unknown)).toHaveLength(0);
  });
});
