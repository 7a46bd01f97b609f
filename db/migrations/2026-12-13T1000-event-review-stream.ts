import type { Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// An event's review stream (decision 0029): how many weeks of review questions by email
// follow the drip (0: none). The weekly sends are rows of the nudge ledger, event_nudges.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('review_weeks', 'smallint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('review_weeks').execute();
}
