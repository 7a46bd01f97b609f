import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Spaced review (decision 0028): one row per learner and card with its FSRS state, and a
// log of every review. `review_id` comes from the form that showed the question, so a
// retried or double-tapped answer is applied once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('review_cards')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('lesson_slug', 'text', (c) => c.notNull())
    .addColumn('card', 'text', (c) => c.notNull())
    .addColumn('due', 'timestamptz', (c) => c.notNull())
    .addColumn('stability', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('difficulty', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('scheduled_days', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('learning_steps', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reps', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lapses', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'smallint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_review', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('review_cards_pk', ['user_id', 'course_slug', 'lesson_slug', 'card'])
    .execute();
  await db.schema.createIndex('review_cards_due_idx').on('review_cards').columns(['user_id', 'due']).execute();

  await db.schema
    .createTable('review_log')
    .addColumn('review_id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('lesson_slug', 'text', (c) => c.notNull())
    .addColumn('card', 'text', (c) => c.notNull())
    .addColumn('chosen_option', 'integer', (c) => c.notNull())
    .addColumn('correct', 'boolean', (c) => c.notNull())
    .addColumn('rating', 'smallint', (c) => c.notNull())
    .addColumn('state_before', 'smallint', (c) => c.notNull())
    .addColumn('due_before', 'timestamptz', (c) => c.notNull())
    .addColumn('due_after', 'timestamptz', (c) => c.notNull())
    .addColumn('reviewed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('review_log_card_idx')
    .on('review_log')
    .columns(['user_id', 'course_slug', 'lesson_slug', 'card', 'reviewed_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('review_log').execute();
  await db.schema.dropTable('review_cards').execute();
}
