import { requireAdmin, type RequestContext } from '#server/kernel/context.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import { recordAudit } from '#server/audit/index.ts';
import type { Executor } from '#server/platform/db.ts';
import * as repo from './people-repo.ts';
import { deleteUserSessions } from './sessions-repo.ts';
import { voidEmailTokens } from './email-tokens-repo.ts';
import { createUser, hasAnyUser, markEmailVerified, updateUserEmail, updateUserName } from './users-repo.ts';

/** Not an argon2 hash: no password matches it (verifyPassword answers false). */
const NO_PASSWORD = '!';

// Administrators manage people: who is an administrator, and which accounts are
// deactivated. There is always at least one active administrator, and every change is
// in the audit log.

export const PEOPLE_PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ADMINS_ONLY = 'Only administrators can manage people.';
const NO_SUCH_PERSON = 'There is no account with this address: it may have been deleted.';
export const LAST_ADMIN = 'You cannot remove the last active administrator. Make someone else an administrator first.';

export type Person = repo.PersonRow;

/** One page of people by name (page 1 first), searched by part of the name or address. */
export async function listPeople(ctx: RequestContext, input: { search: string; page: number }) {
  requireAdmin(ctx, 'Only administrators can see the people list.');
  const page = Math.max(1, Math.floor(input.page));
  const { people, total } = await repo.listPeople(ctx.db, {
    search: input.search,
    limit: PEOPLE_PAGE_SIZE,
    offset: (page - 1) * PEOPLE_PAGE_SIZE,
  });
  return { people, total, page, pages: Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE)) };
}

export async function personForAdmin(ctx: RequestContext, id: string): Promise<Person> {
  requireAdmin(ctx, ADMINS_ONLY);
  const person = UUID.test(id) ? await repo.findPerson(ctx.db, id) : undefined;
  if (!person) throw new NotFoundError(NO_SUCH_PERSON);
  return person;
}

/**
 * Runs a change to one account with every active administrator's row locked, then the
 * account's own: the rule "at least one active administrator stays" is checked against
 * what concurrent changes committed, not against a stale read.
 */
function changePerson<T>(
  ctx: RequestContext,
  id: string,
  change: (tx: Executor, person: Person, activeAdmins: string[]) => Promise<T>,
): Promise<T> {
  if (!UUID.test(id)) throw new NotFoundError(NO_SUCH_PERSON);
  return ctx.db.transaction().execute(async (tx) => {
    const activeAdmins = await repo.lockActiveAdmins(tx);
    // Checked again under the lock: an administrator removed a moment ago may no longer act.
    if (!activeAdmins.includes(ctx.user.id)) throw new ForbiddenError(ADMINS_ONLY);
    const person = await repo.lockPerson(tx, id);
    if (!person) throw new NotFoundError(NO_SUCH_PERSON);
    return change(tx, person, activeAdmins);
  });
}

/** The only active administrator is the one whose loss would leave none. */
function isLastActiveAdmin(person: Person, activeAdmins: string[]): boolean {
  return activeAdmins.length <= 1 && activeAdmins.includes(person.id);
}

export async function grantAdminRole(ctx: RequestContext, input: { userId: string }): Promise<void> {
  requireAdmin(ctx, ADMINS_ONLY);
  return changePerson(ctx, input.userId, async (tx, person) => {
    if (person.is_admin) return; // a double submit changes nothing
    if (person.deactivated_at)
      throw new ConflictError('This account is deactivated. Reactivate it before making it an administrator.');
    await repo.setAdminRole(tx, person.id, true);
    await recordAudit(tx, { actorId: ctx.user.id, action: 'admin.grant', target: `user:${person.id}` });
  });
}

/** Removes an administrator's role, one's own included, as long as another active administrator remains. */
export async function removeAdminRole(ctx: RequestContext, input: { userId: string }): Promise<void> {
  requireAdmin(ctx, ADMINS_ONLY);
  return changePerson(ctx, input.userId, async (tx, person, activeAdmins) => {
    if (!person.is_admin) return;
    if (isLastActiveAdmin(person, activeAdmins)) throw new ConflictError(LAST_ADMIN);
    await repo.setAdminRole(tx, person.id, false);
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'admin.remove',
      target: `user:${person.id}`,
      details: person.id === ctx.user.id ? { own: true } : {},
    });
  });
}

/**
 * Deactivates an account: every session ends at once, reset links mailed to it stop
 * working, it cannot sign in and gets no mail. Its learning, reflections and certificates stay.
 */
export async function deactivateAccount(ctx: RequestContext, input: { userId: string }): Promise<void> {
  requireAdmin(ctx, ADMINS_ONLY);
  return changePerson(ctx, input.userId, async (tx, person, activeAdmins) => {
    if (person.id === ctx.user.id)
      throw new ConflictError('You cannot deactivate your own account. Another administrator can.');
    if (person.deactivated_at) return;
    if (isLastActiveAdmin(person, activeAdmins)) throw new ConflictError(LAST_ADMIN);
    await repo.setDeactivated(tx, person.id, true);
    const sessions = await deleteUserSessions(tx, person.id);
    await voidEmailTokens(tx, person.id, 'reset-password');
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'account.deactivate',
      target: `user:${person.id}`,
      details: { sessionsEnded: sessions },
    });
  });
}

/**
 * Refuses to erase the only active administrator's account while others remain (call it
 * inside the erasing transaction: the lock makes a concurrent role change wait). On an
 * install left with no account, the next sign-up becomes its administrator again.
 */
export async function refuseToEraseLastAdmin(tx: Executor, userId: string): Promise<void> {
  const activeAdmins = await repo.lockActiveAdmins(tx);
  if (activeAdmins.length === 1 && activeAdmins[0] === userId && (await hasAnyUser(tx, userId)))
    throw new ConflictError(
      'You are the only active administrator. Make someone else an administrator before deleting your account.',
    );
}

/** Lets a deactivated account sign in again (with its password as it was). */
export async function reactivateAccount(ctx: RequestContext, input: { userId: string }): Promise<void> {
  requireAdmin(ctx, ADMINS_ONLY);
  return changePerson(ctx, input.userId, async (tx, person) => {
    if (!person.deactivated_at) return;
    await repo.setDeactivated(tx, person.id, false);
    await recordAudit(tx, { actorId: ctx.user.id, action: 'account.reactivate', target: `user:${person.id}` });
  });
}

// For the organisations domain's SCIM provisioning (decision 0043). The caller has checked
// the organisation's token and that the account is one its directory provisioned; there is
// no signed-in administrator, so these take the transaction, not a RequestContext.

/** An account without a password (sign-in by single sign-on, or a reset link sets one), its address confirmed by the directory. */
export async function provisionAccount(tx: Executor, values: { email: string; name: string }) {
  const user = await createUser(tx, { email: values.email, name: values.name, passwordHash: NO_PASSWORD });
  if (user) await markEmailVerified(tx, user.id, values.email);
  return user;
}

/** Renames, or moves to a new address (confirmed by the directory); false when another account has the address. */
export async function updateProvisionedAccount(
  tx: Executor,
  userId: string,
  values: { email: string; name: string },
): Promise<boolean> {
  const person = await repo.findPerson(tx, userId);
  if (!person) throw new NotFoundError(NO_SUCH_PERSON);
  if (person.email !== values.email) {
    if (!(await updateUserEmail(tx, userId, values.email))) return false;
    await markEmailVerified(tx, userId, values.email);
  }
  if (person.name !== values.name) await updateUserName(tx, userId, values.name);
  return true;
}

/**
 * The directory deactivates (every session ends at once, reset links stop working, no
 * mail; learning and certificates stay) or reactivates an account. The last active site
 * administrator is never deactivated this way either.
 */
export async function setDeactivatedByDirectory(
  tx: Executor,
  userId: string,
  deactivated: boolean,
): Promise<{ changed: boolean; sessionsEnded: number }> {
  const activeAdmins = await repo.lockActiveAdmins(tx);
  const person = await repo.lockPerson(tx, userId);
  if (!person) throw new NotFoundError(NO_SUCH_PERSON);
  if (Boolean(person.deactivated_at) === deactivated) return { changed: false, sessionsEnded: 0 };
  if (deactivated && isLastActiveAdmin(person, activeAdmins)) throw new ConflictError(LAST_ADMIN);
  await repo.setDeactivated(tx, person.id, deactivated);
  if (!deactivated) return { changed: true, sessionsEnded: 0 };
  const sessionsEnded = await deleteUserSessions(tx, person.id);
  await voidEmailTokens(tx, person.id, 'reset-password');
  return { changed: true, sessionsEnded };
}
