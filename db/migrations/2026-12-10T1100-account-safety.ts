import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// - email_tokens may hold 'undo-email-change': the link mailed to the old address when
//   an account's address changes, which puts the old address back.
// - password_reset_requests: a reset request only queues the address it names; the job
//   runner looks it up and mails the link, so the request itself does the same work
//   whether or not the address has an account.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table email_tokens drop constraint email_tokens_purpose_check`.execute(db);
  await sql`alter table email_tokens add constraint email_tokens_purpose_check
    check (purpose in ('verify-email', 'reset-password', 'undo-email-change'))`.execute(db);
  await db.schema
    .createTable('password_reset_requests')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('password_reset_requests').execute();
  await db.deleteFrom('email_tokens').where('purpose', '=', 'undo-email-change').execute();
  await sql`alter table email_tokens drop constraint email_tokens_purpose_check`.execute(db);
  await sql`alter table email_tokens add constraint email_tokens_purpose_check
    check (purpose in ('verify-email', 'reset-password'))`.execute(db);
}
