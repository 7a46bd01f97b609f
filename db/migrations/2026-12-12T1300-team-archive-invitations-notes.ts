import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Issue 16: a leader archives a team (it leaves Today and the team lists, its reminders
// stop, members keep what they did); invitations sent by email, one row per team and
// address so the same list sent twice mails nobody twice; a leader's note on a reminder.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('teams').addColumn('archived_at', 'timestamptz').execute();

  await db.schema
    .createTable('team_email_invitations')
    .addColumn('team_id', 'uuid', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    // Null while no mail went out (the send failed): the next attempt may send at once.
    .addColumn('last_sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('team_email_invitations_pkey', ['team_id', 'email'])
    .execute();

  await db.schema
    .alterTable('team_reminders')
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('team_reminders').dropColumn('note').execute();
  await db.schema.dropTable('team_email_invitations').execute();
  await db.schema.alterTable('teams').dropColumn('archived_at').execute();
}
