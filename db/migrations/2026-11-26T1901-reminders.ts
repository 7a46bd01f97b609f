import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Assignment reminders: each member's quiet hours, and the durable reminder queue.
export async function up(db: Kysely<any>): Promise<void> {
  // Absent row = defaults (server time zone, quiet 21:00-07:00, reminders on).
  await db.schema
    .createTable('reminder_preferences')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('quiet_start_minute', 'integer', (c) => c.notNull().check(sql`quiet_start_minute between 0 and 1439`))
    .addColumn('quiet_end_minute', 'integer', (c) => c.notNull().check(sql`quiet_end_minute between 0 and 1439`))
    .addColumn('unsubscribed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // One row per reminder a leader asked for: the 24-hour limit reads it, and it is
  // the job itself (deliver_after = first moment outside the member's quiet hours).
  await db.schema
    .createTable('team_reminders')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('assignment_id', 'uuid', (c) => c.notNull().references('team_assignments.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('requested_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deliver_after', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('skipped_reason', 'text')
    .execute();
  await db.schema
    .createIndex('team_reminders_recent_idx')
    .on('team_reminders')
    .columns(['assignment_id', 'user_id', 'requested_at'])
    .execute();
  await db.schema
    .createIndex('team_reminders_pending_idx')
    .on('team_reminders')
    .column('deliver_after')
    .where(sql.ref('delivered_at'), 'is', null)
    .where(sql.ref('skipped_reason'), 'is', null)
    .execute();

  // The key that signs one-click unsubscribe links (one row, made on first use).
  await db.schema
    .createTable('reminder_signing_key')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('secret', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['reminder_signing_key', 'team_reminders', 'reminder_preferences']) {
    await db.schema.dropTable(table).execute();
  }
}
