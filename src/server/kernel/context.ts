import type { Kysely } from 'kysely';
import type { Database, User } from '#db/schema.ts';
import type { Catalog } from '#lib/catalog.ts';
import { ForbiddenError } from './errors.ts';

/** The signed-in person as pages and services see them: never the password hash. */
export type PublicUser = Pick<User, 'id' | 'email' | 'name' | 'email_verified_at' | 'is_admin' | 'created_at'> & {
  /** The account's IANA time zone (or 'UTC'): every time shown to this person is in it. */
  timeZone: string;
};

/**
 * What every service that acts for a person takes first: the database, the curriculum,
 * who is asking, and the clock (tests pass `now`; it defaults to the real time).
 */
export interface RequestContext {
  db: Kysely<Database>;
  catalog: Catalog;
  user: PublicUser;
  now?: Date;
}

/** Operator tools (events, certificates, the audit log) are for administrators only. */
export function requireAdmin(ctx: Pick<RequestContext, 'user'>, message = 'Only administrators can do that.'): void {
  if (!ctx.user.is_admin) throw new ForbiddenError(message);
}
