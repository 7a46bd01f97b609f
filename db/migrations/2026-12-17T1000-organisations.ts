import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Organisations (a hospital, or a health system above its hospitals): their verified email
// domains, their administrators and the teams that belong to them. Membership is not stored:
// a person belongs to the organisation whose verified domain their confirmed address is at
// (decision 0039). Nothing here touches an existing row, so an install with no organisation
// works as before.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    // One level only (system → hospital): the service refuses a parent that has a parent itself.
    .addColumn('parent_id', 'uuid', (c) => c.references('organisations.id').onDelete('restrict'))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('organisations_not_own_parent', sql`parent_id is null or parent_id <> id`)
    .execute();
  // Names are unique whatever their case: two “St Mary’s” would be one too many.
  await sql`create unique index organisations_name_idx on organisations (lower(name))`.execute(db);
  await db.schema.createIndex('organisations_parent_id_idx').on('organisations').column('parent_id').execute();

  // A domain belongs to one organisation at most; stored lower-case, without the @.
  await db.schema
    .createTable('organisation_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey().check(sql`domain = lower(domain) and domain not like '%@%'`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('verified_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('verified_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('organisation_domains_organisation_id_idx')
    .on('organisation_domains')
    .column('organisation_id')
    .execute();

  await db.schema
    .createTable('organisation_admins')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('added_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('organisation_admins_pk', ['organisation_id', 'user_id'])
    .execute();
  await db.schema.createIndex('organisation_admins_user_id_idx').on('organisation_admins').column('user_id').execute();

  // A team belongs to one organisation at most (the key is the team).
  await db.schema
    .createTable('organisation_teams')
    .addColumn('team_id', 'uuid', (c) => c.primaryKey().references('teams.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('added_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('organisation_teams_organisation_id_idx')
    .on('organisation_teams')
    .column('organisation_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('organisation_teams').execute();
  await db.schema.dropTable('organisation_admins').execute();
  await db.schema.dropTable('organisation_domains').execute();
  await db.schema.dropTable('organisations').execute();
}
