import { FieldError, NotFoundError, ThrottledError } from '#server/kernel/errors.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import { settings } from '#server/platform/settings.ts';
import { decoyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';
import { hashToHex, randomToken } from '#server/kernel/tokens.ts';
import * as users from './users-repo.ts';
import { deleteSession, deleteUserSessions, listSessions } from './sessions-repo.ts';
import {
  consumeEmailToken,
  deleteEmailToken,
  hasLiveVerificationLink,
  insertEmailToken,
  voidEmailTokens,
} from './email-tokens-repo.ts';
import { composeMail, sendMail } from '#server/platform/mail.ts';
import { clearThrottle, consume, refundThrottle, RULES } from '#server/platform/throttle.ts';
import { recordAudit } from '#server/audit/index.ts';

export interface RequestInfo {
  ip: string;
  userAgent: string;
}

const VERIFY_LIFETIME = 48 * 60 * 60 * 1000;
const RESET_LIFETIME = 30 * 60 * 1000;

export async function checkNewPassword(password: string, userInputs: string[]): Promise<void> {
  const problem = await passwordProblem(password, userInputs);
  if (problem) throw new FieldError('password', problem);
}

/** Whether the confirmation link went out; when it did not, what to tell the person. */
export type VerificationMailOutcome = { sent: true } | { sent: false; message: string };

/**
 * Sends the confirmation link for an account or address change that is already saved.
 * Its throttle (shared with password resets) or a failing mail server never undoes
 * that change: the person is told, and sends the link again from their account page.
 */
async function sendVerificationMailAfterSaving(
  db: Kysely<Database>,
  user: { id: string; email: string; name: string },
): Promise<VerificationMailOutcome> {
  try {
    await sendVerificationMail(db, user);
    return { sent: true };
  } catch (error) {
    if (error instanceof ThrottledError) {
      const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60));
      return {
        sent: false,
        message: `We could not send the confirmation link yet: too many emails went to ${user.email} in the last hour. Try again in ${minutes} minute${minutes === 1 ? '' : 's'} from your account page.`,
      };
    }
    console.error('[mail] the confirmation link could not be sent:', error);
    return {
      sent: false,
      message: `We could not send the confirmation link to ${user.email} just now. Try again in a few minutes from your account page.`,
    };
  }
}

/** Creates the account and its first session together (both or neither), then mails the confirmation link. */
export async function signUp(
  db: Kysely<Database>,
  input: { name: string; email: string; password: string },
  request: RequestInfo,
) {
  await checkNewPassword(input.password, [input.email, input.name]);
  await consume(db, `sign-up:ip:${request.ip}`, RULES.signUpPerIp);
  const passwordHash = await hashPassword(input.password);
  const { user, token, session } = await db.transaction().execute(async (tx) => {
    const created = await users.createUser(tx, { email: input.email, name: input.name, passwordHash });
    if (!created) {
      throw new FieldError(
        'email',
        'We could not create an account with this email. If you already have one, sign in or reset your password.',
      );
    }
    // The first account of an install is made an administrator: that grant is in the audit log too.
    if (created.is_admin)
      await recordAudit(tx, { actorId: created.id, action: 'admin.first-account', target: `user:${created.id}` });
    return { user: created, ...(await createSession(tx, created.id, request.userAgent)) };
  });
  const verificationMail = await sendVerificationMailAfterSaving(db, user);
  return { user, token, session, verificationMail };
}

export async function sendVerificationMail(
  db: Kysely<Database>,
  user: { id: string; email: string; name: string },
): Promise<void> {
  await consume(db, `mail:address:${user.email}`, RULES.mailPerAddress);
  const token = randomToken(20);
  await insertEmailToken(db, {
    tokenHash: hashToHex(token),
    userId: user.id,
    purpose: 'verify-email',
    email: user.email,
    expiresAt: new Date(Date.now() + VERIFY_LIFETIME),
  });
  const url = `${settings().PUBLIC_URL}/verify-email?token=${token}`;
  const mail = composeMail({
    to: user.email,
    subject: 'Confirm your email for Rounds',
    greeting: `Hello ${user.name},`,
    paragraphs: [
      'Please confirm this is your email address. You can keep learning meanwhile; we need a confirmed address before we put your name on a certificate or add you to a team.',
      'The link works for 48 hours.',
    ],
    action: { label: 'Confirm my email', url },
    footer: 'If you did not create a Rounds account, you can ignore this message.',
  });
  try {
    await sendMail(db, mail);
  } catch (error) {
    // A link that never went out must not count as one on its way (the banner says which).
    await deleteEmailToken(db, hashToHex(token));
    throw error;
  }
}

export async function verifyEmail(db: Kysely<Database>, token: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const used = await consumeEmailToken(tx, hashToHex(token), 'verify-email');
    if (!used) return false;
    return users.markEmailVerified(tx, used.user_id, used.email);
  });
}

export async function signIn(db: Kysely<Database>, input: { email: string; password: string }, request: RequestInfo) {
  const accountKey = `sign-in:account:${input.email}`;
  const ipKey = `sign-in:ip:${request.ip}`;
  // Count the attempt before checking the password, so a parallel burst cannot outrun the limit.
  await consume(db, accountKey, RULES.failedSignInPerAccount);
  await consume(db, ipKey, RULES.failedSignInPerIp);
  const user = await users.findUserByEmail(db, input.email);
  // Verify against a decoy when the account is unknown: same work, same answer.
  const valid = await verifyPassword(user?.password_hash ?? (await decoyPasswordHash()), input.password);
  if (!user || !valid)
    throw new FieldError('password', 'That email and password do not match. Check both and try again.');
  // A successful sign-in is not a failed attempt.
  await clearThrottle(db, accountKey);
  await refundThrottle(db, ipKey);
  return createSession(db, user.id, request.userAgent);
}

export async function requestPasswordReset(db: Kysely<Database>, email: string, request: RequestInfo): Promise<void> {
  await consume(db, `mail:ip:${request.ip}`, RULES.mailPerIp);
  // Counted for unknown addresses too, so the answers never tell which addresses have accounts.
  await consume(db, `mail:address:${email}`, RULES.mailPerAddress);
  const user = await users.findUserByEmail(db, email);
  if (!user) return;
  const token = randomToken(20);
  await insertEmailToken(db, {
    tokenHash: hashToHex(token),
    userId: user.id,
    purpose: 'reset-password',
    email: user.email,
    expiresAt: new Date(Date.now() + RESET_LIFETIME),
  });
  await sendMail(
    db,
    composeMail({
      to: user.email,
      subject: 'Reset your Rounds password',
      greeting: `Hello ${user.name},`,
      paragraphs: [
        'Someone asked to reset the password of your Rounds account. If it was you, choose a new password with the link below. It works once, for 30 minutes.',
        'Resetting signs you out on every other device.',
      ],
      action: { label: 'Choose a new password', url: `${settings().PUBLIC_URL}/reset-password?token=${token}` },
      footer: 'If you did not ask for this, ignore this message: your password stays as it is.',
    }),
  );
}

export async function resetPassword(
  db: Kysely<Database>,
  input: { token: string; password: string },
  request: RequestInfo,
) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (tx) => {
    const used = await consumeEmailToken(tx, hashToHex(input.token), 'reset-password');
    if (!used) throw new FieldError('password', 'This reset link has expired or was already used. Ask for a new one.');
    const user = await users.findUserById(tx, used.user_id);
    if (!user) throw new FieldError('password', 'This reset link has expired or was already used. Ask for a new one.');
    await checkNewPassword(input.password, [user.email, user.name]);
    await users.updateUserPassword(tx, user.id, passwordHash);
    await voidEmailTokens(tx, user.id, 'reset-password');
    await deleteUserSessions(tx, user.id);
    await clearThrottle(tx, `sign-in:account:${user.email}`);
    return createSession(tx, user.id, request.userAgent);
  });
}

async function requireCurrentPassword(
  db: Kysely<Database>,
  userId: string,
  password: string,
  field = 'currentPassword',
): Promise<void> {
  const stored = await users.passwordHashOf(db, userId);
  if (!stored || !(await verifyPassword(stored, password)))
    throw new FieldError(field, 'Your current password is not right.');
}

/** For a sensitive change made in another domain (deleting the account): the password, retyped. */
export function confirmCurrentPassword({ db, user }: RequestContext, password: string): Promise<void> {
  return requireCurrentPassword(db, user.id, password);
}

/** Sets a new password; every other session of the account ends (this one, `keepSessionId`, stays). */
export async function changePassword(
  { db, user }: RequestContext,
  input: { currentPassword: string; password: string; keepSessionId: string },
) {
  await requireCurrentPassword(db, user.id, input.currentPassword);
  await checkNewPassword(input.password, [user.email, user.name]);
  await users.updateUserPassword(db, user.id, await hashPassword(input.password));
  await deleteUserSessions(db, user.id, input.keepSessionId);
}

/** Changes the address (and voids links to the old one) first; the new address's link follows. */
export async function changeEmail(
  { db, user }: RequestContext,
  input: { email: string; currentPassword: string },
): Promise<VerificationMailOutcome> {
  if (input.email === user.email) return { sent: true };
  await requireCurrentPassword(db, user.id, input.currentPassword);
  await db.transaction().execute(async (tx) => {
    const changed = await users.updateUserEmail(tx, user.id, input.email);
    if (!changed) throw new FieldError('email', 'This email cannot be used for your account. Try another address.');
    await voidEmailTokens(tx, user.id, 'verify-email');
  });
  return sendVerificationMailAfterSaving(db, { ...user, email: input.email });
}

export async function changeName({ db, user }: RequestContext, name: string): Promise<void> {
  await users.updateUserName(db, user.id, name);
}

/** Sends the confirmation link again; false when the address is already confirmed. */
export async function resendVerificationMail({ db, user }: RequestContext): Promise<boolean> {
  if (user.email_verified_at) return false;
  await sendVerificationMail(db, user);
  return true;
}

/** Whether an unconfirmed address has a link out that still works (else the banner offers a new one). */
export function verificationLinkIsOut({ db, user }: RequestContext): Promise<boolean> {
  return hasLiveVerificationLink(db, user.id, user.email);
}

/** The account's signed-in devices, for the account page. */
export function mySessions({ db, user }: RequestContext) {
  return listSessions(db, user.id);
}

/** Signs out one of the account's own devices. */
export async function endMySession({ db, user }: RequestContext, sessionId: string): Promise<void> {
  if (!(await deleteSession(db, sessionId, user.id))) throw new NotFoundError('That session has already ended.');
}

/** Signs out every device but this one; returns how many. */
export function endMyOtherSessions({ db, user }: RequestContext, keepSessionId: string): Promise<number> {
  return deleteUserSessions(db, user.id, keepSessionId);
}

/** Ends a session by its id: sign-out, and the old session at a new sign-in. */
export async function signOut(db: Kysely<Database>, sessionId: string): Promise<void> {
  await deleteSession(db, sessionId);
}

/** A fresh install: the first account to sign up becomes the administrator. */
export async function isFreshInstall(db: Kysely<Database>): Promise<boolean> {
  return !(await users.hasAnyUser(db));
}

/** Makes an existing account an administrator (`grant-admin`; actorId null for the command line). False when no account uses the email. */
export async function grantAdmin(db: Kysely<Database>, email: string, actorId: string | null): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await users.setAdmin(tx, email))) return false;
    await recordAudit(tx, { actorId, action: 'grant-admin', target: email, details: actorId ? {} : { via: 'cli' } });
    return true;
  });
}
