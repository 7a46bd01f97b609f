import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Automatic follow-up (decision 0040): each team's reminder schedule, the ledger of
// automatic reminders sent (one row per member, assignment and stage), the per-person
// daily mail ledger that keeps automatic email to one a day, per-team opt-outs, and the
// leaders' weekly digest (its ledger and its opt-out).
export async function up(db: Kysely<any>): Promise<void> {
  // Absent row = the default: on, 3 days before the due date.
  await db.schema
    .createTable('team_reminder_schedules')
    .addColumn('team_id', 'uuid', (c) => c.primaryKey().references('teams.id').onDelete('cascade'))
    .addColumn('automatic', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('days_before', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(3)
        .check(sql`days_before between 0 and 30`),
    )
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // One automatic email a day per person at most: the row for (person, their local day)
  // is claimed (leased) before anything is sent and marked sent after.
  await db.schema
    .createTable('mail_days')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addPrimaryKeyConstraint('mail_days_pk', ['user_id', 'day'])
    .execute();

  // Each stage (before, due, overdue-1 … overdue-4) is sent once per member and assignment.
  await db.schema
    .createTable('automatic_reminders')
    .addColumn('assignment_id', 'uuid', (c) => c.notNull().references('team_assignments.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('stage', 'text', (c) =>
      c.notNull().check(sql`stage in ('before', 'due', 'overdue-1', 'overdue-2', 'overdue-3', 'overdue-4')`),
    )
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('automatic_reminders_pk', ['assignment_id', 'user_id', 'stage'])
    .execute();
  await db.schema.createIndex('automatic_reminders_user_idx').on('automatic_reminders').column('user_id').execute();

  // A member who stopped one team's automatic reminders (the link in the email).
  await db.schema
    .createTable('team_reminder_opt_outs')
    .addColumn('team_id', 'uuid', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('team_reminder_opt_outs_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('team_reminder_opt_outs_user_idx')
    .on('team_reminder_opt_outs')
    .column('user_id')
    .execute();

  // The leader's weekly digest: one row per leader and week (its Monday), claimed before sending.
  await db.schema
    .createTable('leader_digests')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('week', 'date', (c) => c.notNull())
    .addColumn('lease_until', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addPrimaryKeyConstraint('leader_digests_pk', ['user_id', 'week'])
    .execute();
  await db.schema
    .createTable('leader_digest_opt_outs')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'leader_digest_opt_outs',
    'leader_digests',
    'team_reminder_opt_outs',
    'automatic_reminders',
    'mail_days',
    'team_reminder_schedules',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
