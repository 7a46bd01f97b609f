import type { Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// An administrator can deactivate an account (it cannot sign in, gets no mail, keeps its
// records) and reactivate it; the people list shows when each account last signed in.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('last_signed_in_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('deactivated_at').dropColumn('last_signed_in_at').execute();
}
