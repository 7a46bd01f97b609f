import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Certificates (the record behind the PDF, the verification page and the signed
// credential) and the Ed25519 keys that sign the credentials.
export async function up(db: Kysely<any>): Promise<void> {
  // Every key ever used stays, so credentials signed before a rotation keep verifying;
  // retired_at marks a key that no longer signs.
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('private_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('certificates')
    // The public id in /certificates/<id>: 128 random bits, base64url.
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Printed and read aloud: RND-XXXX-XXXX.
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // As issued: a later change of name or course title does not rewrite a certificate.
    .addColumn('holder_name', 'text', (c) => c.notNull())
    .addColumn('holder_email_salt', 'text', (c) => c.notNull())
    .addColumn('course_slug', 'text', (c) => c.notNull())
    .addColumn('course_title', 'text', (c) => c.notNull())
    .addColumn('course_version', 'text', (c) => c.notNull())
    .addColumn('completed_on', 'date', (c) => c.notNull())
    .addColumn('contact_hours', 'numeric(5, 2)', (c) => c.notNull().check(sql`contact_hours >= 0`))
    .addColumn('issuer_name', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    // The Open Badges credential as signed at issuance (VC-JWT).
    .addColumn('credential_jwt', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoke_reason', 'text')
    .addColumn('replaced_by', 'text')
    .addCheckConstraint('certificates_revocation_has_reason', sql`(revoked_at is null) = (revoke_reason is null)`)
    // Deferred: a reissue points the old row at the new one before inserting it, so the
    // one-current rule below never sees two current rows.
    .addForeignKeyConstraint('certificates_replaced_by_fk', ['replaced_by'], 'certificates', ['id'], (fk) =>
      fk.onDelete('set null').deferrable().initiallyDeferred(),
    )
    .execute();

  // One current certificate per learner and course. A revoked certificate stays current
  // (so completing the course again cannot bring it back); only a reissue replaces one.
  await db.schema
    .createIndex('certificates_one_current')
    .on('certificates')
    .columns(['user_id', 'course_slug'])
    .unique()
    .where(sql.ref('replaced_by'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('certificates').execute();
  await db.schema.dropTable('signing_keys').execute();
}
