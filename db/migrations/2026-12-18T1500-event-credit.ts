import type { Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Credit per event (issue 21, decision 0045): the organiser's statement of the event's own
// activity — activity id, kinds and hours, disclosures, learning outcomes, dates, pass
// mark — as one JSON value; null when the event offers no credit. Learners' records of an
// event activity use the credit tables' course_slug column with the key `event:<slug>`.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('credit', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').dropColumn('credit').execute();
}
