import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog } from '#lib/catalog.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { findUserById } from '#server/accounts/users-repo.ts';

/** The context a signed-in page would build for an existing account, for tests that hold only its id. */
export async function contextOf(
  db: Kysely<Database>,
  catalog: Catalog,
  userId: string,
  now?: Date,
): Promise<RequestContext> {
  const user = await findUserById(db, userId);
  if (!user) throw new Error(`No account ${userId}`);
  return { db, catalog, user, now };
}
