import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Symposium events: their courses and drip schedule, the attendees enrolled by join
// code (with pauses and a per-event unsubscribe), and one row per nudge sent.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('event_date', 'date', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('welcome_message', 'text', (c) => c.notNull().defaultTo(''))
    // The drip: lesson n unlocks on event_date + day offset, at unlock_minute local time.
    .addColumn('unlock_minute', 'integer', (c) => c.notNull().check(sql`unlock_minute between 0 and 1439`))
    .addColumn('first_unlock_days', 'integer', (c) => c.notNull().check(sql`first_unlock_days between 0 and 365`))
    .addColumn('interval_days', 'integer', (c) => c.notNull().check(sql`interval_days between 1 and 90`))
    .addColumn('day_offsets', 'jsonb')
    // Short code on the slide; people type it, so it is matched upper-case.
    .addColumn('join_code', 'text', (c) => c.notNull().unique())
    .addColumn('join_closed_at', 'timestamptz')
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('event_courses')
    .addColumn('event_id', 'uuid', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_courses_pk', ['event_id', 'course_slug'])
    .execute();

  await db.schema
    .createTable('event_enrollments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('event_id', 'uuid', (c) => c.notNull().references('events.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('enrolled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A pause shifts every later unlock by its length; paused_total_ms sums the finished ones.
    .addColumn('paused_at', 'timestamptz')
    .addColumn('paused_total_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('nudges_off_at', 'timestamptz')
    .addUniqueConstraint('event_enrollments_once', ['event_id', 'user_id'])
    .execute();
  await db.schema.createIndex('event_enrollments_user_id_idx').on('event_enrollments').column('user_id').execute();

  // One row per nudge: the key makes each lesson's nudge happen once per learner.
  // A row is claimed (lease_until) before the mail goes out and marked sent after.
  await db.schema
    .createTable('event_nudges')
    .addColumn('enrollment_id', 'uuid', (c) => c.notNull().references('event_enrollments.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('lesson_slug', 'text', (c) => c.notNull())
    .addColumn('unlocked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('skipped_reason', 'text')
    .addPrimaryKeyConstraint('event_nudges_pk', ['enrollment_id', 'course_slug', 'lesson_slug'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['event_nudges', 'event_enrollments', 'event_courses', 'events']) {
    await db.schema.dropTable(table).execute();
  }
}
