import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';
import type { EmailTokenPurpose } from '#db/schema.ts';

export async function insertEmailToken(
  db: Executor,
  values: { tokenHash: string; userId: string; purpose: EmailTokenPurpose; email: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('email_tokens')
    .values({
      token_hash: values.tokenHash,
      user_id: values.userId,
      purpose: values.purpose,
      email: values.email,
      expires_at: values.expiresAt,
    })
    .execute();
}

export async function deleteEmailToken(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('email_tokens').where('token_hash', '=', tokenHash).execute();
}

/** Marks a live token used and returns it, exactly once; undefined when unknown, used or expired. */
export function consumeEmailToken(db: Executor, tokenHash: string, purpose: EmailTokenPurpose) {
  return db
    .updateTable('email_tokens')
    .set({ used_at: sql`now()` })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['user_id', 'email', 'created_at'])
    .executeTakeFirst();
}

export function findLiveEmailToken(db: Executor, tokenHash: string, purpose: EmailTokenPurpose) {
  return db
    .selectFrom('email_tokens')
    .select(['user_id', 'email'])
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/**
 * Voids a user's unused tokens of one purpose (e.g. older reset links after a reset); with
 * `madeAfter`, only those made after it (undo links to later addresses).
 */
export async function voidEmailTokens(
  db: Executor,
  userId: string,
  purpose: EmailTokenPurpose,
  madeAfter?: Date,
): Promise<void> {
  let query = db
    .updateTable('email_tokens')
    .set({ used_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null);
  if (madeAfter) query = query.where('created_at', '>', madeAfter);
  await query.execute();
}

/** Whether an unused, unexpired confirmation link for this address is out (it may have been throttled or failed to send). */
export async function hasLiveVerificationLink(db: Executor, userId: string, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('email_tokens')
    .select('token_hash')
    .where('user_id', '=', userId)
    .where('purpose', '=', 'verify-email')
    .where('email', '=', email)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
