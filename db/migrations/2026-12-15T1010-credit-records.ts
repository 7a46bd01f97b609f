import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// What a learner shows to earn continuing-education credit (issue 21): post-test attempts
// (each kept), the evaluation (answers apart from any identity; a receipt says who
// completed one), the attestation (the claim), and on the certificate the credit as issued.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('credit_post_test_attempts')
    // From the form: a double submit or a retry records the attempt once.
    .addColumn('attempt_id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('course_version', 'text', (c) => c.notNull())
    .addColumn('answers', 'jsonb', (c) => c.notNull())
    .addColumn('correct', 'integer', (c) => c.notNull())
    .addColumn('questions', 'integer', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('passed', 'boolean', (c) => c.notNull())
    .addColumn('attempted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('credit_post_test_attempts_by_learner')
    .on('credit_post_test_attempts')
    .columns(['user_id', 'course_slug', 'attempted_at'])
    .execute();

  // No user, no time finer than the month: the answers cannot be joined back to a receipt.
  await db.schema
    .createTable('credit_evaluations')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('activity_id', 'text', (c) => c.notNull())
    .addColumn('form_version', 'integer', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('answers', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('credit_evaluation_receipts')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('form_version', 'integer', (c) => c.notNull())
    .addColumn('completed_on', 'date', (c) => c.notNull())
    .addPrimaryKeyConstraint('credit_evaluation_receipts_pkey', ['user_id', 'course_slug'])
    .execute();

  await db.schema
    .createTable('credit_claims')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('activity_id', 'text', (c) => c.notNull())
    .addColumn('credit_type', 'text', (c) => c.notNull())
    .addColumn('hours_claimed', 'numeric(5, 2)', (c) => c.notNull())
    .addColumn('post_test_score', 'integer', (c) => c.notNull())
    .addColumn('attested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('credit_claims_pkey', ['user_id', 'course_slug'])
    .execute();

  await db.schema
    .alterTable('certificates')
    .addColumn('credit_type', 'text')
    .addColumn('credit_hours', 'numeric(5, 2)')
    .addColumn('credit_activity_id', 'text')
    .addColumn('accreditation_statement', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('certificates')
    .dropColumn('credit_type')
    .dropColumn('credit_hours')
    .dropColumn('credit_activity_id')
    .dropColumn('accreditation_statement')
    .execute();
  await db.schema.dropTable('credit_claims').execute();
  await db.schema.dropTable('credit_evaluation_receipts').execute();
  await db.schema.dropTable('credit_evaluations').execute();
  await db.schema.dropTable('credit_post_test_attempts').execute();
}
