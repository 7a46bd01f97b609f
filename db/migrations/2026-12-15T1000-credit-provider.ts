import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// The continuing-education provider's identity and statements, set by an administrator
// (decision 0035). One row at most (id = 1); until it exists the settings' first-run
// defaults apply and no kind of credit is enabled.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('credit_provider')
    .addColumn('id', 'smallint', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('accreditation_statement', 'text', (c) => c.notNull())
    .addColumn('approver_statement', 'text', (c) => c.notNull())
    .addColumn('enabled_types', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('credit_provider').execute();
}
