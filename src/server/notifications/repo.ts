import type { Executor } from '#server/platform/db.ts';

// All of the notifications domain's SQL: the VAPID key pair and the devices' push subscriptions.

export interface PushKeys {
  publicKey: string;
  privateKey: string;
}

/** The VAPID key pair, made once on first use (the first of racing processes wins). */
export async function pushKeys(db: Executor, fresh: () => PushKeys): Promise<PushKeys> {
  const stored = await db
    .selectFrom('push_keys')
    .select(['public_key', 'private_key'])
    .where('id', '=', 1)
    .executeTakeFirst();
  if (stored) return { publicKey: stored.public_key, privateKey: stored.private_key };
  const made = fresh();
  await db
    .insertInto('push_keys')
    .values({ id: 1, public_key: made.publicKey, private_key: made.privateKey })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db
    .selectFrom('push_keys')
    .select(['public_key', 'private_key'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return { publicKey: row.public_key, privateKey: row.private_key };
}

export interface PushSubscriptionRow {
  id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Stores a device's subscription for this person; a device someone else had turned on moves to them. */
export async function saveSubscription(
  db: Executor,
  row: { userId: string; sessionId: string | null; endpoint: string; p256dh: string; auth: string },
): Promise<void> {
  await db
    .insertInto('push_subscriptions')
    .values({
      user_id: row.userId,
      session_id: row.sessionId,
      endpoint: row.endpoint,
      p256dh: row.p256dh,
      auth: row.auth,
    })
    .onConflict((oc) =>
      oc.column('endpoint').doUpdateSet({
        user_id: row.userId,
        session_id: row.sessionId,
        p256dh: row.p256dh,
        auth: row.auth,
        last_pushed_at: null,
      }),
    )
    .execute();
}

/** Removes this person's subscription at `endpoint`; whether there was one. */
export async function deleteSubscription(db: Executor, userId: string, endpoint: string): Promise<boolean> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('user_id', '=', userId)
    .where('endpoint', '=', endpoint)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Removes a subscription the push service said is gone (404 or 410). */
export async function deleteSubscriptionById(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('push_subscriptions').where('id', '=', id).execute();
}

/** Removes the subscriptions turned on in this session (it is being signed out); of this person only, when given. */
export async function deleteSubscriptionsOfSession(db: Executor, sessionId: string, userId?: string): Promise<number> {
  let query = db.deleteFrom('push_subscriptions').where('session_id', '=', sessionId);
  if (userId) query = query.where('user_id', '=', userId);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/** Removes the person's subscriptions on every device but the one signed in with `keepSessionId`. */
export async function deleteOtherSubscriptions(db: Executor, userId: string, keepSessionId: string): Promise<number> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('session_id', 'is', null), eb('session_id', '!=', keepSessionId)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function subscriptionsOf(db: Executor, userId: string): Promise<PushSubscriptionRow[]> {
  return db
    .selectFrom('push_subscriptions')
    .select(['id', 'user_id', 'endpoint', 'p256dh', 'auth'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export async function hasSubscription(db: Executor, userId: string, endpoint: string): Promise<boolean> {
  const row = await db
    .selectFrom('push_subscriptions')
    .select('id')
    .where('user_id', '=', userId)
    .where('endpoint', '=', endpoint)
    .executeTakeFirst();
  return row !== undefined;
}

export async function markPushed(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('push_subscriptions').set({ last_pushed_at: at }).where('id', '=', id).execute();
}
