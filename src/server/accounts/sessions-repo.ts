import type { Executor } from '#server/platform/db.ts';

export function insertSession(
  db: Executor,
  values: { id: string; secretHash: Uint8Array; userId: string; expiresAt: Date; userAgent: string },
) {
  return db
    .insertInto('sessions')
    .values({
      id: values.id,
      secret_hash: values.secretHash,
      user_id: values.userId,
      expires_at: values.expiresAt,
      user_agent: values.userAgent,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A session with the public columns of its user, in one round trip (this runs on every request). */
export function findSessionWithUser(db: Executor, id: string) {
  return (
    db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id',
        'sessions.secret_hash',
        'sessions.user_id',
        'sessions.expires_at',
        'sessions.created_at',
        'sessions.last_seen_at',
        'users.email',
        'users.name',
        'users.email_verified_at',
        'users.is_admin',
        'users.created_at as user_created_at',
        'users.time_zone',
      ])
      .where('sessions.id', '=', id)
      .where('users.deleted_at', 'is', null)
      // Deactivating deletes the sessions; this also stops one a sign-in created at that very moment.
      .where('users.deactivated_at', 'is', null)
      .executeTakeFirst()
  );
}

export async function touchSession(db: Executor, id: string, expiresAt: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ expires_at: expiresAt, last_seen_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export function listSessions(db: Executor, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', new Date())
    .orderBy('last_seen_at', 'desc')
    .execute();
}

export async function deleteSession(db: Executor, id: string, userId?: string): Promise<boolean> {
  let query = db.deleteFrom('sessions').where('id', '=', id);
  if (userId) query = query.where('user_id', '=', userId);
  const result = await query.executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Signs a user out everywhere, optionally keeping one session. */
export async function deleteUserSessions(db: Executor, userId: string, exceptId?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptId) query = query.where('id', '!=', exceptId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
