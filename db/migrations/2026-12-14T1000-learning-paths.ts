import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Issue 17: learning paths. A path is a named, ordered set of a team's assignments whose
// due dates are offsets in days from each member's own start (decision 0033); removing
// the path removes its assignments, never anyone's progress.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('team_paths')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('team_id', 'uuid', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // Nobody's path starts before this date; a later joiner's starts on the day they joined.
    .addColumn('starts_on', 'date', (c) => c.notNull())
    // Each course opens only when the one before it is finished.
    .addColumn('in_order', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('team_paths_one_name_per_team', ['team_id', 'name'])
    .execute();

  await db.schema
    .alterTable('team_assignments')
    .addColumn('path_id', 'uuid', (c) => c.references('team_paths.id').onDelete('cascade'))
    .addColumn('path_position', 'integer')
    .addColumn('due_offset_days', 'integer')
    .execute();
  // A path's course has a place and an offset; a course assigned alone has neither.
  await sql`alter table team_assignments add constraint team_assignments_path_fields check (
    (path_id is null and path_position is null and due_offset_days is null)
    or (path_id is not null and path_position >= 1 and due_offset_days between 0 and 365))`.execute(db);
  await db.schema
    .createIndex('team_assignments_path_position')
    .on('team_assignments')
    .columns(['path_id', 'path_position'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('team_assignments_path_position').execute();
  await sql`alter table team_assignments drop constraint team_assignments_path_fields`.execute(db);
  await db.schema
    .alterTable('team_assignments')
    .dropColumn('due_offset_days')
    .dropColumn('path_position')
    .dropColumn('path_id')
    .execute();
  await db.schema.dropTable('team_paths').execute();
}
