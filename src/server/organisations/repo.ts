import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';

// Organisations, their verified domains, administrators and teams. Membership is not a
// table: a person belongs where their confirmed address's domain is verified (decision 0039).

export interface OrganisationRow {
  id: string;
  name: string;
  parent_id: string | null;
  created_at: Date;
}

const ORGANISATION_COLUMNS = ['id', 'name', 'parent_id', 'created_at'] as const;

/** Inserts an organisation; undefined when another already has this name (any case). */
export async function insertOrganisation(
  db: Executor,
  values: { name: string; parentId: string | null; createdBy: string },
): Promise<OrganisationRow | undefined> {
  return db
    .insertInto('organisations')
    .values({ name: values.name, parent_id: values.parentId, created_by: values.createdBy })
    .onConflict((oc) => oc.expression(sql`lower(name)`).doNothing())
    .returning(ORGANISATION_COLUMNS)
    .executeTakeFirst();
}

export function findOrganisation(db: Executor, id: string): Promise<OrganisationRow | undefined> {
  return db.selectFrom('organisations').select(ORGANISATION_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** Every organisation by name, with its parent's name and how many domains, teams and administrators it has. */
export function listOrganisations(db: Executor) {
  return db
    .selectFrom('organisations as o')
    .leftJoin('organisations as p', 'p.id', 'o.parent_id')
    .select((eb) => [
      'o.id',
      'o.name',
      'o.parent_id',
      'p.name as parent_name',
      eb
        .selectFrom('organisation_domains as d')
        .select(sql<string>`coalesce(string_agg(d.domain, ', ' order by d.domain), '')`.as('domains'))
        .whereRef('d.organisation_id', '=', 'o.id')
        .as('domains'),
      eb
        .selectFrom('organisation_teams as t')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('t.organisation_id', '=', 'o.id')
        .as('team_count'),
    ])
    .orderBy(sql`lower(o.name)`)
    .execute();
}

/** The organisations this person administers, and the children of those (a system's administrators manage its hospitals). */
export function organisationsAdministeredBy(db: Executor, userId: string): Promise<OrganisationRow[]> {
  const direct = db.selectFrom('organisation_admins').select('organisation_id').where('user_id', '=', userId);
  return db
    .selectFrom('organisations')
    .select(ORGANISATION_COLUMNS)
    .where((eb) => eb.or([eb('id', 'in', direct), eb('parent_id', 'in', direct)]))
    .orderBy(sql`lower(name)`)
    .execute();
}

export function childOrganisations(db: Executor, parentId: string): Promise<OrganisationRow[]> {
  return db
    .selectFrom('organisations')
    .select(ORGANISATION_COLUMNS)
    .where('parent_id', '=', parentId)
    .orderBy(sql`lower(name)`)
    .execute();
}

export async function isOrganisationAdmin(db: Executor, organisationId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('organisation_admins')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The ids of its administrators (their names come from the accounts domain). */
export async function adminIdsOf(db: Executor, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('organisation_admins')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .execute();
  return rows.map((row) => row.user_id);
}

/** Adds an administrator; false when they already were one. */
export async function insertAdmin(
  db: Executor,
  values: { organisationId: string; userId: string; addedBy: string },
): Promise<boolean> {
  const row = await db
    .insertInto('organisation_admins')
    .values({ organisation_id: values.organisationId, user_id: values.userId, added_by: values.addedBy })
    .onConflict((oc) => oc.columns(['organisation_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteAdmin(db: Executor, organisationId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('organisation_admins')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function listDomains(db: Executor, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('organisation_domains')
    .select('domain')
    .where('organisation_id', '=', organisationId)
    .orderBy('domain')
    .execute();
  return rows.map((row) => row.domain);
}

/** The organisation a domain is verified for, if any. */
export function organisationOfDomain(db: Executor, domain: string) {
  return db
    .selectFrom('organisation_domains as d')
    .innerJoin('organisations as o', 'o.id', 'd.organisation_id')
    .select(['o.id', 'o.name'])
    .where('d.domain', '=', domain)
    .executeTakeFirst();
}

/** Adds a verified domain; false when it was already there (for this organisation or another). */
export async function insertDomain(
  db: Executor,
  values: { organisationId: string; domain: string; verifiedBy: string },
): Promise<boolean> {
  const row = await db
    .insertInto('organisation_domains')
    .values({ organisation_id: values.organisationId, domain: values.domain, verified_by: values.verifiedBy })
    .onConflict((oc) => oc.column('domain').doNothing())
    .returning('domain')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteDomain(db: Executor, organisationId: string, domain: string): Promise<boolean> {
  const result = await db
    .deleteFrom('organisation_domains')
    .where('organisation_id', '=', organisationId)
    .where('domain', '=', domain)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function teamIdsOf(db: Executor, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('organisation_teams')
    .select('team_id')
    .where('organisation_id', '=', organisationId)
    .execute();
  return rows.map((row) => row.team_id);
}

/** The organisation a team belongs to, if any. */
export async function organisationOfTeam(db: Executor, teamId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('organisation_teams')
    .select('organisation_id')
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  return row?.organisation_id;
}

/** Puts a team in an organisation; false when it already belongs to one (this or another). */
export async function insertTeam(
  db: Executor,
  values: { organisationId: string; teamId: string; addedBy: string },
): Promise<boolean> {
  const row = await db
    .insertInto('organisation_teams')
    .values({ organisation_id: values.organisationId, team_id: values.teamId, added_by: values.addedBy })
    .onConflict((oc) => oc.column('team_id').doNothing())
    .returning('team_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteTeam(db: Executor, organisationId: string, teamId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('organisation_teams')
    .where('organisation_id', '=', organisationId)
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
