import type { Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// A team's leaders are not counted in its numbers unless they choose to take its courses
// with the team; members always are. Existing leaders start as not taking them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('team_members')
    .addColumn('learns_with_team', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('team_members').dropColumn('learns_with_team').execute();
}
