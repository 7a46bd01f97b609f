import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// The time zone belongs to the account (every page, email, reminder and unlock date
// reads it), no longer to the reminder settings. Existing accounts keep the zone they
// chose there; everyone else starts on UTC and can change it under Account.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .execute();
  await sql`
    update users u set time_zone = p.time_zone
    from reminder_preferences p
    where p.user_id = u.id and p.time_zone <> ''
  `.execute(db);
  await db.schema.alterTable('reminder_preferences').dropColumn('time_zone').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('reminder_preferences')
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .execute();
  await sql`
    update reminder_preferences p set time_zone = u.time_zone
    from users u
    where u.id = p.user_id
  `.execute(db);
  await db.schema.alterTable('users').dropColumn('time_zone').execute();
}
