import { sql } from 'kysely';
import type { Executor } from '../db.ts';
import type { User } from '../../../db/schema.ts';

export type PublicUser = Pick<User, 'id' | 'email' | 'name' | 'email_verified_at' | 'is_admin' | 'created_at'>;
const PUBLIC_COLUMNS = ['id', 'email', 'name', 'email_verified_at', 'is_admin', 'created_at'] as const;

export function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
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
 * Creates a user; the very first account of an install becomes admin. Returns
 * undefined when the email is taken. The advisory lock makes "first" exact even
 * when two sign-ups race on a fresh install.
 */
export async function createUser(
  db: Executor,
  values: { email: string; name: string; passwordHash: string },
): Promise<PublicUser | undefined> {
  await sql`select pg_advisory_xact_lock(hashtext('rounds.create-user'))`.execute(db);
  return db
    .insertInto('users')
    .values({
      email: values.email,
      name: values.name,
      password_hash: values.passwordHash,
      is_admin: sql<boolean>`not exists (select 1 from users)`,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
}

export async function hasAnyUser(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function updateUserName(db: Executor, id: string, name: string): Promise<void> {
  await db.updateTable('users').set({ name }).where('id', '=', id).execute();
}

/** Changes the address and marks it unverified; false when another account has it. */
export async function updateUserEmail(db: Executor, id: string, email: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ email, email_verified_at: null })
    .where('id', '=', id)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('users as other').select('other.id').where('other.email', '=', email).where('other.id', '!=', id))),
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
  const result = await db.updateTable('users').set({ is_admin: true }).where('email', '=', email).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteUser(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}
