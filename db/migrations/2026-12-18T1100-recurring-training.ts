import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Issue 17 §2: recurring training (decision 0041). An assignment may repeat every N months;
// a learner's renewal is a new term of the course: the previous term's lesson rows move to
// course_terms (kept, not deleted), and a renewal certificate is a new row of the new term
// that names the certificate it renews. The previous certificate stays current for its term.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('team_assignments')
    .addColumn('repeat_months', 'integer', (c) => c.check(sql`repeat_months between 1 and 120`))
    .execute();

  await db.schema
    .createTable('course_terms')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('course_slug', 'text', (c) => c.notNull())
    // Term 1 is the first time through and has no row; a renewal opens term 2, 3, ...
    .addColumn('term', 'integer', (c) => c.notNull().check(sql`term >= 2`))
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The previous term's expiry: the renewal's due date, and the base of the next term when met.
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('previous_completed_at', 'timestamptz', (c) => c.notNull())
    // The previous term's lesson_progress rows as they were, so the history stays.
    .addColumn('previous_lessons', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('course_terms_pk', ['user_id', 'course_slug', 'term'])
    .execute();

  await db.schema
    .alterTable('certificates')
    .addColumn('term', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`term >= 1`),
    )
    .addColumn('renews', 'text', (c) => c.references('certificates.id').onDelete('set null'))
    .execute();
  // One current certificate per learner, course and term: a renewal is a new key, and a
  // double submit within a term still gives one.
  await db.schema.dropIndex('certificates_one_current').execute();
  await db.schema
    .createIndex('certificates_one_current_per_term')
    .on('certificates')
    .columns(['user_id', 'course_slug', 'term'])
    .unique()
    .where(sql.ref('replaced_by'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('certificates_one_current_per_term').execute();
  await db.deleteFrom('certificates').where('term', '>', 1).execute();
  await db.schema
    .createIndex('certificates_one_current')
    .on('certificates')
    .columns(['user_id', 'course_slug'])
    .unique()
    .where(sql.ref('replaced_by'), 'is', null)
    .execute();
  await db.schema.alterTable('certificates').dropColumn('renews').dropColumn('term').execute();
  await db.schema.dropTable('course_terms').execute();
  await db.schema.alterTable('team_assignments').dropColumn('repeat_months').execute();
}
