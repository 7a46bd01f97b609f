import type { Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Events can be archived (hidden from the active list, no joining, no emails), and their
// schedule edited: the lessons already released when it changed stay open for everyone
// (lessons_kept_open, counted from the start of the sequence, since schedule_changed_at).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('archived_at', 'timestamptz')
    .addColumn('lessons_kept_open', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('schedule_changed_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .dropColumn('archived_at')
    .dropColumn('lessons_kept_open')
    .dropColumn('schedule_changed_at')
    .execute();
}
