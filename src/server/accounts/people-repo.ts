import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';

// The administrators' view of accounts: the people list, admin roles, deactivation.
// Deleted accounts are never listed: they name nobody.

export interface PersonRow {
  id: string;
  name: string;
  email: string;
  is_admin: boolean;
  created_at: Date;
  deactivated_at: Date | null;
  last_signed_in_at: Date | null;
}

const PERSON_COLUMNS = [
  'id',
  'name',
  'email',
  'is_admin',
  'created_at',
  'deactivated_at',
  'last_signed_in_at',
] as const;

/** `search` matches part of the name or the address, case-insensitively; its % and _ are plain characters. */
function matching(db: Executor, search: string) {
  let query = db.selectFrom('users').where('deleted_at', 'is', null);
  if (search) {
    const pattern = `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('email', 'ilike', pattern)]));
  }
  return query;
}

/** A page of people by name, and how many match in all. */
export async function listPeople(
  db: Executor,
  options: { search: string; limit: number; offset: number },
): Promise<{ people: PersonRow[]; total: number }> {
  const [people, count] = await Promise.all([
    matching(db, options.search)
      .select(PERSON_COLUMNS)
      .orderBy(sql`lower(name)`)
      .orderBy('id')
      .limit(options.limit)
      .offset(options.offset)
      .execute(),
    matching(db, options.search)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { people, total: Number(count.n) };
}

export function findPerson(db: Executor, id: string): Promise<PersonRow | undefined> {
  return db
    .selectFrom('users')
    .select(PERSON_COLUMNS)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Locks the rows of every active administrator (call it in a transaction) and returns their
 * ids. A second transaction changing administrators waits here, then sees the first one's
 * outcome: two administrators removing each other at once cannot leave none.
 */
export async function lockActiveAdmins(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('is_admin', '=', true)
    .where('deleted_at', 'is', null)
    .where('deactivated_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map((row) => row.id);
}

/** Locks one account's row and returns it (undefined when it does not exist or was deleted). */
export function lockPerson(db: Executor, id: string): Promise<PersonRow | undefined> {
  return db
    .selectFrom('users')
    .select(PERSON_COLUMNS)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export async function setAdminRole(db: Executor, id: string, isAdmin: boolean): Promise<void> {
  await db.updateTable('users').set({ is_admin: isAdmin }).where('id', '=', id).execute();
}

export async function setDeactivated(db: Executor, id: string, deactivated: boolean): Promise<void> {
  await db
    .updateTable('users')
    .set({ deactivated_at: deactivated ? sql`now()` : null })
    .where('id', '=', id)
    .execute();
}

export async function recordSignIn(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ last_signed_in_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function isDeactivated(db: Executor, id: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('deactivated_at').where('id', '=', id).executeTakeFirst();
  return Boolean(row?.deactivated_at);
}

/** A live account by its address, for an administrator naming someone by email. */
export function findPersonByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .select([...PERSON_COLUMNS, 'email_verified_at'])
    .where('email', '=', email)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** People whose confirmed address is at one of these domains (an organisation's members), by name. */
export async function listConfirmedPeopleAtDomains(
  db: Executor,
  domains: string[],
  limit: number,
): Promise<{ people: PersonRow[]; total: number }> {
  if (domains.length === 0) return { people: [], total: 0 };
  const base = db
    .selectFrom('users')
    .where('deleted_at', 'is', null)
    .where('email_verified_at', 'is not', null)
    .where(sql<string>`split_part(email, '@', 2)`, 'in', domains);
  const [people, count] = await Promise.all([
    base
      .select(PERSON_COLUMNS)
      .orderBy(sql`lower(name)`)
      .orderBy('id')
      .limit(limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { people, total: Number(count.n) };
}

/** Live accounts by id, by name. */
export function peopleByIds(db: Executor, ids: string[]): Promise<PersonRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(PERSON_COLUMNS)
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .orderBy(sql`lower(name)`)
    .execute();
}
