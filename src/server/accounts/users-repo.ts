import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';
import type { User } from '#db/schema.ts';
import type { PublicUser } from '#server/kernel/context.ts';

const PUBLIC_COLUMNS = [
  'id',
  'email',
  'name',
  'email_verified_at',
  'is_admin',
  'created_at',
  'time_zone as timeZone',
] as const;

/** A live account by its address (a deleted account has none, so nobody signs in to it or resets its password). */
export function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export function findUserById(db: Executor, id: string): Promise<PublicUser | undefined> {
  return db.selectFrom('users').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function passwordHashOf(db: Executor, id: string): Promise<string | undefined> {
  return db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', id)
    .executeTakeFirst()
    .then((row) => row?.password_hash);
}

/**
 * Creates a user; the first account of an install becomes admin (deleted accounts do
 * not count, so an install whose only account was deleted starts afresh). Returns
 * undefined when the email is taken. The advisory lock makes "first" exact even
 * when two sign-ups race on a fresh install. No time zone given: UTC.
 */
export async function createUser(
  db: Executor,
  values: { email: string; name: string; passwordHash: string; timeZone?: string },
): Promise<PublicUser | undefined> {
  await sql`select pg_advisory_xact_lock(hashtext('rounds.create-user'))`.execute(db);
  return db
    .insertInto('users')
    .values({
      email: values.email,
      name: values.name,
      password_hash: values.passwordHash,
      time_zone: values.timeZone,
      is_admin: sql<boolean>`not exists (select 1 from users where deleted_at is null)`,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
}

export async function hasAnyUser(db: Executor, except?: string): Promise<boolean> {
  let query = db.selectFrom('users').select('id').where('deleted_at', 'is', null);
  if (except) query = query.where('id', '<>', except);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

export async function updateUserName(db: Executor, id: string, name: string): Promise<void> {
  await db.updateTable('users').set({ name }).where('id', '=', id).execute();
}

export async function updateUserTimeZone(db: Executor, id: string, timeZone: string): Promise<void> {
  await db.updateTable('users').set({ time_zone: timeZone }).where('id', '=', id).execute();
}

/** Changes the address and marks it unverified; false when another account has it. */
export async function updateUserEmail(db: Executor, id: string, email: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ email, email_verified_at: null })
    .where('id', '=', id)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('users as other').select('other.id').where('other.email', '=', email).where('other.id', '!=', id),
        ),
      ),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Puts back an address the account had (the undo link mailed to it), as confirmed: the
 * link proved the person reads it. False when another account took it meanwhile or the
 * account was deleted.
 */
export async function restoreUserEmail(db: Executor, id: string, email: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ email, email_verified_at: sql`now()` })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('users as other').select('other.id').where('other.email', '=', email).where('other.id', '!=', id),
        ),
      ),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function updateUserPassword(db: Executor, id: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

export async function markEmailVerified(db: Executor, id: string, email: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ email_verified_at: sql`coalesce(email_verified_at, now())` })
    .where('id', '=', id)
    .where('email', '=', email)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setAdmin(db: Executor, email: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ is_admin: true })
    .where('email', '=', email)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export const DELETED_ACCOUNT_NAME = 'Deleted account';

/**
 * Deletes an account (call it in a transaction): everything personal goes — reflections,
 * sessions, check and review answers, mail tokens, mail waiting in the outbox, reminders and nudges,
 * reminder settings, certificates' names and credentials, post-test answers — and audit entries it made lose
 * their actor. What others count stays, and the continuing-education claim, scores and evaluation receipt the
 * provider must keep (decision 0036): lesson progress, team membership (as a member, no longer a
 * leader) and event enrolments (nudges off), under a row that names nobody: "Deleted
 * account", an `.invalid` address (never mailed, never signed in with), no password.
 */
export async function eraseAccount(db: Executor, id: string): Promise<void> {
  const user = await db
    .selectFrom('users')
    .select('email')
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!user) return;
  await db.deleteFrom('reflections').where('user_id', '=', id).execute();
  await db.deleteFrom('sessions').where('user_id', '=', id).execute();
  await db.deleteFrom('check_attempts').where('user_id', '=', id).execute();
  await db.deleteFrom('review_log').where('user_id', '=', id).execute();
  await db.deleteFrom('review_cards').where('user_id', '=', id).execute();
  await db.deleteFrom('email_tokens').where('user_id', '=', id).execute();
  await db.deleteFrom('outbox').where('to_address', '=', user.email).execute();
  await db.deleteFrom('team_reminders').where('user_id', '=', id).execute();
  await db.deleteFrom('team_email_invitations').where('email', '=', user.email).execute();
  await db
    .deleteFrom('event_nudges')
    .where('enrollment_id', 'in', (eb) => eb.selectFrom('event_enrollments').select('id').where('user_id', '=', id))
    .execute();
  await db.deleteFrom('reminder_preferences').where('user_id', '=', id).execute();
  // An erased account administers no organisation (organisations domain, decision 0039).
  await db.deleteFrom('organisation_admins').where('user_id', '=', id).execute();
  // Nor is it linked to a single sign-on provider (sso domain, decision 0042).
  await db.deleteFrom('sso_identities').where('user_id', '=', id).execute();
  // Certificates stay as tombstones (decision 0023): status public, name and signed credential
  // gone; the email hash stays only on a revoked one, so the address cannot earn it afresh.
  await db
    .updateTable('certificates')
    .set({
      holder_name: null,
      credential_jwt: null,
      holder_erased_at: sql`now()`,
      holder_email_hash: sql`case when revoked_at is not null then holder_email_hash end`,
    })
    .where('user_id', '=', id)
    .execute();
  // Continuing-education records stay for the provider's retention period, de-identified
  // (decision 0036): the claim, each attempt's score and the evaluation receipt remain under
  // this anonymous row; the answers chosen in each post-test attempt go, like check answers.
  await db
    .updateTable('credit_post_test_attempts')
    .set({ answers: JSON.stringify([]) })
    .where('user_id', '=', id)
    .execute();
  await db.updateTable('audit_log').set({ actor_id: null }).where('actor_id', '=', id).execute();
  // Entries about the account (e.g. grant-admin, which names the address) keep its id, not its address.
  await db
    .updateTable('audit_log')
    .set({ target: `user:${id}` })
    .where('target', '=', user.email)
    .execute();
  // A deleted account cannot lead. A leader who took the courses with the team stays in its
  // numbers, as a member; one who only led leaves it (she was never counted).
  await db
    .deleteFrom('team_members')
    .where('user_id', '=', id)
    .where('role', '=', 'leader')
    .where('learns_with_team', '=', false)
    .execute();
  await db.updateTable('team_members').set({ role: 'member' }).where('user_id', '=', id).execute();
  await db
    .updateTable('event_enrollments')
    .set({ nudges_off_at: sql`coalesce(nudges_off_at, now())` })
    .where('user_id', '=', id)
    .execute();
  await db
    .updateTable('users')
    .set({
      name: DELETED_ACCOUNT_NAME,
      email: `deleted-${id}@deleted.invalid`,
      // Not an argon2 hash: no password verifies against it.
      password_hash: '!deleted',
      email_verified_at: null,
      is_admin: false,
      deleted_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}
