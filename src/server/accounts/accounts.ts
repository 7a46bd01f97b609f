import { FieldError, ForbiddenError, NotFoundError, ThrottledError } from '#server/kernel/errors.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import { settings } from '#server/platform/settings.ts';
import { decoyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';
import { knownDeviceId, newKnownDeviceToken } from './known-devices.ts';
import { queueResetRequest, takeResetRequests } from './reset-requests-repo.ts';
import { hashToHex, randomToken } from '#server/kernel/tokens.ts';
import * as users from './users-repo.ts';
import { isDeactivated } from './people-repo.ts';
import { deleteSession, deleteUserSessions, listSessions } from './sessions-repo.ts';
import {
  consumeEmailToken,
  deleteEmailToken,
  hasLiveVerificationLink,
  insertEmailToken,
  voidEmailTokens,
} from './email-tokens-repo.ts';
import { composeMail, sendMail } from '#server/platform/mail.ts';
import {
  allowed,
  clearThrottle,
  consume,
  refundThrottle,
  RULES,
  type ThrottleRule,
} from '#server/platform/throttle.ts';
import { recordAudit } from '#server/audit/index.ts';
import { forgetOtherDevices, forgetSessionDevices } from '#server/notifications/index.ts';

export interface RequestInfo {
  ip: string;
  userAgent: string;
  /** The known-device cookie, when the browser sent one (known-devices.ts). */
  deviceToken?: string;
}

/** The right password, at a domain whose organisation requires single sign-on: sign in there instead. */
export class UseSingleSignOn extends Error {}

export const DEACTIVATED =
  'This account is deactivated, so it cannot sign in. Contact your Rounds administrator if you need it again.';
const VERIFY_LIFETIME = 48 * 60 * 60 * 1000;
const RESET_LIFETIME = 30 * 60 * 1000;
const UNDO_EMAIL_CHANGE_LIFETIME = 7 * 24 * 60 * 60 * 1000;

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
  input: { name: string; email: string; password: string; timeZone?: string },
  request: RequestInfo,
) {
  await checkNewPassword(input.password, [input.email, input.name]);
  await consume(db, `sign-up:ip:${request.ip}`, RULES.signUpPerIp);
  const passwordHash = await hashPassword(input.password);
  const { user, token, session } = await db.transaction().execute(async (tx) => {
    const created = await users.createUser(tx, {
      email: input.email,
      name: input.name,
      passwordHash,
      timeZone: input.timeZone,
    });
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
  return { user, token, session, verificationMail, deviceToken: await newKnownDeviceToken(db, user.id) };
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
    // No name: whoever asks chooses it, and the first line must be Rounds speaking.
    greeting: 'Hello,',
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

/**
 * Signs in with a password. `ssoRequired`: the address's organisation requires single sign-on
 * (decision 0042): after the right password a site administrator still gets in (the break-glass
 * path, audit-logged) and anyone else gets UseSingleSignOn (no session): the caller sends them there.
 */
export async function signIn(
  db: Kysely<Database>,
  input: { email: string; password: string },
  request: RequestInfo,
  options: { ssoRequired?: { organisationId: string } } = {},
) {
  const user = await users.findUserByEmail(db, input.email);
  const deviceId = user && request.deviceToken ? await knownDeviceId(db, user.id, request.deviceToken) : undefined;
  // A device this account signed in on before counts alone, so guessers elsewhere never lock
  // the owner out; anyone else counts per account and address, per account, and per address.
  const counted: [key: string, rule: ThrottleRule][] = deviceId
    ? [[`sign-in:device:${deviceId}`, RULES.failedSignInPerKnownDevice]]
    : [
        [`sign-in:account-ip:${input.email}:${request.ip}`, RULES.failedSignInPerAccountAndIp],
        [`sign-in:account:${input.email}`, RULES.failedSignInPerAccount],
        [`sign-in:ip:${request.ip}`, RULES.failedSignInPerIp],
      ];
  // Count the attempt before checking the password, so a parallel burst cannot outrun the limit.
  for (const [key, rule] of counted) await consume(db, key, rule);
  // Verify against a decoy when the account is unknown: same work, same answer.
  const valid = await verifyPassword(user?.password_hash ?? (await decoyPasswordHash()), input.password);
  if (!user || !valid)
    throw new FieldError('password', 'That email and password do not match. Check both and try again.');
  // Said only after the right password, so it tells a guesser nothing about which accounts exist.
  if (user.deactivated_at) throw new ForbiddenError(DEACTIVATED);
  if (options.ssoRequired) {
    if (!user.is_admin) throw new UseSingleSignOn();
    await recordAudit(db, {
      actorId: user.id,
      action: 'account.sso-break-glass',
      target: `user:${user.id}`,
      details: { organisationId: options.ssoRequired.organisationId },
    });
  }
  // A successful sign-in is not a failed attempt.
  await clearThrottle(db, counted[0]![0]);
  for (const [key] of counted.slice(1)) await refundThrottle(db, key);
  const deviceToken = deviceId ? request.deviceToken! : await newKnownDeviceToken(db, user.id);
  return { ...(await createSession(db, user.id, request.userAgent)), deviceToken };
}

/**
 * Queues a reset link and returns. The request does the same work whether or not the
 * address has an account (two throttle counts and at most one insert), and no mail goes
 * out on it: the job runner looks the address up and sends (sendRequestedPasswordResets).
 * Within the cool-down after one, more requests for the address send nothing: the link
 * already mailed still works, so an owner is never refused because someone else asked.
 */
export async function requestPasswordReset(db: Kysely<Database>, email: string, request: RequestInfo): Promise<void> {
  await consume(db, `mail:ip:${request.ip}`, RULES.mailPerIp);
  if (!(await allowed(db, `reset:address:${email}`, RULES.resetMailPerAddress))) return;
  await queueResetRequest(db, email);
}

/** The job: mails a link for every queued reset whose address has an account. Returns how many went out. */
export async function sendRequestedPasswordResets(db: Kysely<Database>, now = new Date()): Promise<number> {
  let sent = 0;
  for (;;) {
    const batch = await takeResetRequests(db, 50);
    if (!batch.length) return sent;
    for (const { email, created_at } of batch) {
      // A link that would arrive after it expired is not worth sending.
      if (now.getTime() - created_at.getTime() > RESET_LIFETIME) continue;
      try {
        if (await mailResetLink(db, email)) sent += 1;
      } catch (error) {
        // Dropped, not retried: the person sees no mail and asks again.
        console.error('[mail] a password reset link could not be sent:', error);
      }
    }
  }
}

async function mailResetLink(db: Kysely<Database>, email: string): Promise<boolean> {
  const user = await users.findUserByEmail(db, email);
  // A deactivated account gets no mail; a reset would not let it in anyway.
  if (!user || user.deactivated_at) return false;
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
      greeting: 'Hello,',
      paragraphs: [
        'Someone asked to reset the password of your Rounds account. If it was you, choose a new password with the link below. It works once, for 30 minutes.',
        'Resetting signs you out on every other device.',
      ],
      action: { label: 'Choose a new password', url: `${settings().PUBLIC_URL}/reset-password?token=${token}` },
      footer: 'If you did not ask for this, ignore this message: your password stays as it is.',
    }),
  );
  return true;
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
    // A new password does not reactivate an account: only an administrator does.
    if (await isDeactivated(tx, user.id)) throw new ForbiddenError(DEACTIVATED);
    await checkNewPassword(input.password, [user.email, user.name]);
    await users.updateUserPassword(tx, user.id, passwordHash);
    await voidEmailTokens(tx, user.id, 'reset-password');
    await deleteUserSessions(tx, user.id);
    await clearThrottle(tx, `sign-in:account:${user.email}`);
    return {
      ...(await createSession(tx, user.id, request.userAgent)),
      deviceToken: await newKnownDeviceToken(tx, user.id),
    };
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

/**
 * Changes the address. Every link mailed to the old address dies (a reset link above all),
 * every other session ends, and the old address is told, with a link that puts it back
 * (undoEmailChange). Then the new address gets its confirmation link.
 */
export async function changeEmail(
  { db, user, clientIp }: RequestContext & { clientIp: string },
  input: { email: string; currentPassword: string; keepSessionId: string },
): Promise<VerificationMailOutcome> {
  if (input.email === user.email) return { sent: true };
  await requireCurrentPassword(db, user.id, input.currentPassword);
  // Each change mails two addresses: held per account and per network address before anything changes.
  await consume(db, `mail:account:${user.id}`, RULES.mailPerAccount);
  await consume(db, `mail:ip:${clientIp}`, RULES.mailPerIp);
  const undoToken = randomToken(20);
  await db.transaction().execute(async (tx) => {
    const changed = await users.updateUserEmail(tx, user.id, input.email);
    if (!changed) throw new FieldError('email', 'This email cannot be used for your account. Try another address.');
    await voidEmailTokens(tx, user.id, 'verify-email');
    await voidEmailTokens(tx, user.id, 'reset-password');
    await insertEmailToken(tx, {
      tokenHash: hashToHex(undoToken),
      userId: user.id,
      purpose: 'undo-email-change',
      email: user.email,
      expiresAt: new Date(Date.now() + UNDO_EMAIL_CHANGE_LIFETIME),
    });
    await deleteUserSessions(tx, user.id, input.keepSessionId);
  });
  await mailEmailChangeNotice(db, { oldEmail: user.email, newEmail: input.email, undoToken });
  return sendVerificationMailAfterSaving(db, { ...user, email: input.email });
}

async function mailEmailChangeNotice(
  db: Kysely<Database>,
  change: { oldEmail: string; newEmail: string; undoToken: string },
): Promise<void> {
  try {
    await sendMail(
      db,
      composeMail({
        to: change.oldEmail,
        subject: 'The email address of your Rounds account was changed',
        greeting: 'Hello,',
        paragraphs: [
          `The email address of your Rounds account was just changed from this address to ${change.newEmail}. Every other device was signed out.`,
          'If you made this change, there is nothing to do. If you did not, put this address back with the link below. It works once, for 7 days; it signs out every device and then asks you for a new password.',
        ],
        action: {
          label: 'Put my old address back',
          url: `${settings().PUBLIC_URL}/undo-email-change?token=${change.undoToken}`,
        },
        footer: 'Rounds sends nothing more to this address unless you put it back.',
      }),
    );
  } catch (error) {
    // The change is saved either way; the new address gets its link.
    console.error('[mail] the notice of an email change could not be sent:', error);
  }
}

/**
 * The undo link mailed to an old address: puts it back (confirmed), voids every link and
 * every later undo link, ends every session, and returns a fresh reset link's token so the
 * person chooses a new password at once (whoever changed the address may know the old one).
 * An earlier undo link beats a later one: the original owner's always wins.
 */
export async function undoEmailChange(db: Kysely<Database>, token: string): Promise<{ resetToken: string }> {
  return db.transaction().execute(async (tx) => {
    const used = await consumeEmailToken(tx, hashToHex(token), 'undo-email-change');
    if (!used)
      throw new FieldError('token', 'This link has expired or was already used. Sign in, or reset your password.');
    if (!(await users.restoreUserEmail(tx, used.user_id, used.email)))
      throw new FieldError(
        'token',
        'We cannot put this address back: another account uses it now. Write to your Rounds administrator.',
      );
    await voidEmailTokens(tx, used.user_id, 'verify-email');
    await voidEmailTokens(tx, used.user_id, 'reset-password');
    await voidEmailTokens(tx, used.user_id, 'undo-email-change', used.created_at);
    await deleteUserSessions(tx, used.user_id);
    const resetToken = randomToken(20);
    await insertEmailToken(tx, {
      tokenHash: hashToHex(resetToken),
      userId: used.user_id,
      purpose: 'reset-password',
      email: used.email,
      expiresAt: new Date(Date.now() + RESET_LIFETIME),
    });
    return { resetToken };
  });
}

export async function changeName({ db, user }: RequestContext, name: string): Promise<void> {
  await users.updateUserName(db, user.id, name);
}

/** The zone every time is shown in for this person (already checked against the list by the Action). */
export async function changeTimeZone({ db, user }: RequestContext, timeZone: string): Promise<void> {
  await users.updateUserTimeZone(db, user.id, timeZone);
}

/** Sends the confirmation link again; false when the address is already confirmed. */
export async function resendVerificationMail({ db, user }: RequestContext): Promise<boolean> {
  if (user.email_verified_at) return false;
  await consume(db, `mail:account:${user.id}`, RULES.mailPerAccount);
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
  await forgetSessionDevices(db, sessionId, user.id);
  if (!(await deleteSession(db, sessionId, user.id))) throw new NotFoundError('That session has already ended.');
}

/** Signs out every device but this one; returns how many. */
export async function endMyOtherSessions({ db, user }: RequestContext, keepSessionId: string): Promise<number> {
  await forgetOtherDevices(db, user.id, keepSessionId);
  return deleteUserSessions(db, user.id, keepSessionId);
}

/** Ends a session by its id: sign-out, and the old session at a new sign-in. */
export async function signOut(db: Kysely<Database>, sessionId: string): Promise<void> {
  // Reminders by push stop on this device too (decision 0044).
  await forgetSessionDevices(db, sessionId);
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
