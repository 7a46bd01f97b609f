import type { Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// A deleted account keeps an anonymous row (no name, an address that cannot be
// mailed, no password), so teams' and events' completion counts stay.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('deleted_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('deleted_at').execute();
}
