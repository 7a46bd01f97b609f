import type { Executor } from '#server/platform/db.ts';

/** Queues a reset for the job runner; the same one insert whether or not the address has an account. */
export async function queueResetRequest(db: Executor, email: string): Promise<void> {
  await db.insertInto('password_reset_requests').values({ email }).execute();
}

/** Takes up to `limit` queued requests off the queue, oldest first; two runners never take the same one. */
export function takeResetRequests(db: Executor, limit: number) {
  return db
    .deleteFrom('password_reset_requests')
    .where('id', 'in', (eb) =>
      eb.selectFrom('password_reset_requests').select('id').orderBy('id').limit(limit).forUpdate().skipLocked(),
    )
    .returning(['email', 'created_at'])
    .execute();
}
