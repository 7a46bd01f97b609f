import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';

// SCIM provisioning (decision 0043): an organisation's token (its hash only), the accounts
// its directory provisioned, and its directory's groups with their members. The accounts'
// names and addresses live in the accounts domain.

/** The organisation whose token has this hash, noting when it was used. */
export async function organisationOfToken(db: Executor, tokenHash: Uint8Array): Promise<string | undefined> {
  const row = await db
    .updateTable('scim_tokens')
    .set({ last_used_at: sql`now()` })
    .where('token_hash', '=', tokenHash)
    .returning('organisation_id')
    .executeTakeFirst();
  return row?.organisation_id;
}

/** Replaces the organisation's token (the old one stops working at once). */
export async function replaceToken(
  db: Executor,
  values: { organisationId: string; tokenHash: Uint8Array; createdBy: string },
): Promise<void> {
  await db
    .insertInto('scim_tokens')
    .values({ organisation_id: values.organisationId, token_hash: values.tokenHash, created_by: values.createdBy })
    .onConflict((oc) =>
      oc.column('organisation_id').doUpdateSet({
        token_hash: values.tokenHash,
        created_by: values.createdBy,
        created_at: sql`now()`,
        last_used_at: null,
      }),
    )
    .execute();
}

export function tokenInfo(db: Executor, organisationId: string) {
  return db
    .selectFrom('scim_tokens')
    .select(['created_at', 'last_used_at'])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}

export interface ScimUserLink {
  user_id: string;
  organisation_id: string;
  external_id: string | null;
  given_name: string | null;
  family_name: string | null;
  created_at: Date;
  updated_at: Date;
}

const LINK_COLUMNS = [
  'user_id',
  'organisation_id',
  'external_id',
  'given_name',
  'family_name',
  'created_at',
  'updated_at',
] as const;

export interface LinkDetails {
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
}

export function findUserLink(db: Executor, userId: string): Promise<ScimUserLink | undefined> {
  return db.selectFrom('scim_users').select(LINK_COLUMNS).where('user_id', '=', userId).executeTakeFirst();
}

/** Links an account to the organisation's directory; false when it is linked already (to this or another). */
export async function insertUserLink(
  db: Executor,
  values: { userId: string; organisationId: string } & LinkDetails,
): Promise<boolean> {
  const row = await db
    .insertInto('scim_users')
    .values({
      user_id: values.userId,
      organisation_id: values.organisationId,
      external_id: values.externalId,
      given_name: values.givenName,
      family_name: values.familyName,
    })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function updateUserLink(db: Executor, userId: string, values: LinkDetails): Promise<void> {
  await db
    .updateTable('scim_users')
    .set({
      external_id: values.externalId,
      given_name: values.givenName,
      family_name: values.familyName,
      updated_at: sql`now()`,
    })
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteUserLink(db: Executor, organisationId: string, userId: string): Promise<void> {
  await db
    .deleteFrom('scim_group_members')
    .where('user_id', '=', userId)
    .where('group_id', 'in', (eb) =>
      eb.selectFrom('scim_groups').select('id').where('organisation_id', '=', organisationId),
    )
    .execute();
  await db
    .deleteFrom('scim_users')
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .execute();
}

/** One page of the organisation's provisioned accounts (oldest first) and how many there are. */
export async function listUserLinks(
  db: Executor,
  organisationId: string,
  page: { offset: number; limit: number },
): Promise<{ links: ScimUserLink[]; total: number }> {
  const base = db.selectFrom('scim_users').where('organisation_id', '=', organisationId);
  const [links, count] = await Promise.all([
    base.select(LINK_COLUMNS).orderBy('created_at').orderBy('user_id').offset(page.offset).limit(page.limit).execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { links, total: Number(count.n) };
}

/** The organisation's provisioned accounts with this external id (a directory's own key). */
export function userLinksByExternalId(db: Executor, organisationId: string, externalId: string) {
  return db
    .selectFrom('scim_users')
    .select(LINK_COLUMNS)
    .where('organisation_id', '=', organisationId)
    .where('external_id', '=', externalId)
    .execute();
}

export interface ScimGroupRow {
  id: string;
  organisation_id: string;
  display_name: string;
  external_id: string | null;
  team_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const GROUP_COLUMNS = [
  'id',
  'organisation_id',
  'display_name',
  'external_id',
  'team_id',
  'created_at',
  'updated_at',
] as const;

export function findGroup(db: Executor, organisationId: string, id: string): Promise<ScimGroupRow | undefined> {
  return db
    .selectFrom('scim_groups')
    .select(GROUP_COLUMNS)
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listGroups(
  db: Executor,
  organisationId: string,
  page: { offset: number; limit: number; displayName?: string; externalId?: string },
): Promise<{ groups: ScimGroupRow[]; total: number }> {
  let base = db.selectFrom('scim_groups').where('organisation_id', '=', organisationId);
  if (page.displayName !== undefined) base = base.where(sql`lower(display_name)`, '=', page.displayName.toLowerCase());
  if (page.externalId !== undefined) base = base.where('external_id', '=', page.externalId);
  const [groups, count] = await Promise.all([
    base
      .select(GROUP_COLUMNS)
      .orderBy(sql`lower(display_name)`)
      .orderBy('id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { groups, total: Number(count.n) };
}

/** A new group; undefined when the organisation has one of this name already (any case). */
export function insertGroup(
  db: Executor,
  values: { organisationId: string; displayName: string; externalId: string | null },
): Promise<ScimGroupRow | undefined> {
  return db
    .insertInto('scim_groups')
    .values({
      organisation_id: values.organisationId,
      display_name: values.displayName,
      external_id: values.externalId,
    })
    .onConflict((oc) => oc.expression(sql`organisation_id, lower(display_name)`).doNothing())
    .returning(GROUP_COLUMNS)
    .executeTakeFirst();
}

/** Renames a group; false when another of the organisation's groups has the name. */
export async function updateGroup(
  db: Executor,
  id: string,
  values: { displayName: string; externalId: string | null },
): Promise<boolean> {
  const clash = await db
    .selectFrom('scim_groups as g')
    .innerJoin('scim_groups as other', 'other.organisation_id', 'g.organisation_id')
    .select('other.id')
    .where('g.id', '=', id)
    .where('other.id', '<>', id)
    .where(sql`lower(other.display_name)`, '=', values.displayName.toLowerCase())
    .executeTakeFirst();
  if (clash) return false;
  await db
    .updateTable('scim_groups')
    .set({ display_name: values.displayName, external_id: values.externalId, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
  return true;
}

export async function deleteGroup(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('scim_groups').where('id', '=', id).execute();
}

export async function setGroupTeam(db: Executor, id: string, teamId: string | null): Promise<void> {
  await db.updateTable('scim_groups').set({ team_id: teamId }).where('id', '=', id).execute();
}

export async function groupMemberIds(db: Executor, groupId: string): Promise<string[]> {
  const rows = await db.selectFrom('scim_group_members').select('user_id').where('group_id', '=', groupId).execute();
  return rows.map((row) => row.user_id);
}

/** Adds members; returns those who were not members before. */
export async function addGroupMembers(db: Executor, groupId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .insertInto('scim_group_members')
    .values(userIds.map((userId) => ({ group_id: groupId, user_id: userId })))
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .returning('user_id')
    .execute();
  return rows.map((row) => row.user_id);
}

/** Removes members; returns those who were members. */
export async function removeGroupMembers(db: Executor, groupId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .deleteFrom('scim_group_members')
    .where('group_id', '=', groupId)
    .where('user_id', 'in', userIds)
    .returning('user_id')
    .execute();
  return rows.map((row) => row.user_id);
}

/** The organisation's groups and the team each maps to, for its administrators' page. */
export function groupsWithTeams(db: Executor, organisationId: string) {
  return db
    .selectFrom('scim_groups as g')
    .select((eb) => [
      'g.id',
      'g.display_name',
      'g.team_id',
      eb
        .selectFrom('scim_group_members as m')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('m.group_id', '=', 'g.id')
        .as('member_count'),
    ])
    .where('g.organisation_id', '=', organisationId)
    .orderBy(sql`lower(g.display_name)`)
    .execute();
}

/** Whether another of the organisation's groups brings this person into this team. */
export async function inAnotherGroupOfTeam(
  db: Executor,
  values: { teamId: string; userId: string; exceptGroupId: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('scim_group_members as m')
    .innerJoin('scim_groups as g', 'g.id', 'm.group_id')
    .select('g.id')
    .where('g.team_id', '=', values.teamId)
    .where('m.user_id', '=', values.userId)
    .where('g.id', '<>', values.exceptGroupId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function countUserLinks(db: Executor, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('scim_users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
