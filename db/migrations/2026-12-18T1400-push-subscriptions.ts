import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Web Push (issue 20 §4, decision 0044): the server's VAPID key pair, made once on first use
// like the link-signing secret, and one subscription per device that asked for reminders.
export async function up(db: Kysely<any>): Promise<void> {
  // One row (id 1): every app process signs with the same key, and browsers keep it for good.
  await db.schema
    .createTable('push_keys')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A device (browser profile) is one endpoint; it belongs to the last person who turned
  // reminders on there. The session that did it is kept so that signing out there ends it.
  await db.schema
    .createTable('push_subscriptions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('session_id', 'text', (c) => c.references('sessions.id').onDelete('set null'))
    .addColumn('endpoint', 'text', (c) => c.notNull().unique())
    .addColumn('p256dh', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_pushed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('push_subscriptions_user_id_idx').on('push_subscriptions').column('user_id').execute();
  await db.schema
    .createIndex('push_subscriptions_session_id_idx')
    .on('push_subscriptions')
    .column('session_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('push_subscriptions').execute();
  await db.schema.dropTable('push_keys').execute();
}
