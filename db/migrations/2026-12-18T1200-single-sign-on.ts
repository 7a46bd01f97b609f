import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// OpenID Connect single sign-on per organisation (decision 0042): its provider's settings
// (the client secret encrypted with SECRETS_KEY), the sign-ins on their way to the provider
// (state, nonce and PKCE verifier, each used once), the provider accounts linked to Rounds
// accounts, and which Rounds sessions began at a provider (for its sign-out).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sso_providers')
    .addColumn('organisation_id', 'uuid', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    // AES-256-GCM: base64url(iv).base64url(ciphertext).base64url(tag); never leaves the server.
    .addColumn('client_secret_encrypted', 'text', (c) => c.notNull())
    .addColumn('require_sso', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A sign-in sent to the provider and not back yet; the state's hash is the key, and the
  // row is deleted when the browser comes back, so a replayed answer finds nothing.
  await db.schema
    .createTable('sso_pending_sign_ins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('next_path', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sso_pending_sign_ins_expires_at_idx')
    .on('sso_pending_sign_ins')
    .column('expires_at')
    .execute();

  // One provider account (its `sub`) is one Rounds account, per organisation.
  await db.schema
    .createTable('sso_identities')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sso_identities_pk', ['organisation_id', 'subject'])
    .execute();
  await db.schema.createIndex('sso_identities_user_id_idx').on('sso_identities').column('user_id').execute();

  // A Rounds session that began at a provider: signing out also offers the provider's sign-out.
  await db.schema
    .createTable('sso_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey().references('sessions.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('id_token', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sso_sessions').execute();
  await db.schema.dropTable('sso_identities').execute();
  await db.schema.dropTable('sso_pending_sign_ins').execute();
  await db.schema.dropTable('sso_providers').execute();
}
