import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// The time a learner spent in each lesson, by the server's clock, recorded when they
// complete it (decision 0024). Lessons completed before this change get the time between
// their first opening and their completion.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('lesson_progress')
    .addColumn('seconds_spent', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`seconds_spent >= 0`),
    )
    .execute();
  await sql`
    update lesson_progress
    set seconds_spent = least(greatest(0, floor(extract(epoch from completed_at - started_at))), 2147483647)::integer
    where completed_at is not null
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('lesson_progress').dropColumn('seconds_spent').execute();
}
