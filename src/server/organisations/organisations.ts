import { requireAdmin, type RequestContext } from '#server/kernel/context.ts';
import { ConflictError, FieldError, NotFoundError } from '#server/kernel/errors.ts';
import { recordAudit } from '#server/audit/index.ts';
import { findPersonByEmail, listConfirmedPeopleAtDomains, peopleByIds } from '#server/accounts/index.ts';
import {
  addDirectoryMember,
  assignmentTotals,
  findTeam,
  type PathInput,
  publishPathToTeams,
  roleInTeam,
  teamsByIds,
  teamToday,
} from '#server/teams/index.ts';
import { hashSecret, randomToken } from '#server/kernel/tokens.ts';
import { expiringCertificatesByTeam } from '#server/certificates/index.ts';
import { toCsv } from '#lib/csv.ts';
import { domainOf } from '#lib/organisation-validation.ts';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import * as repo from './repo.ts';
import * as scimRepo from './scim-repo.ts';

// Organisations: site administrators create them and verify their domains; an
// organisation's administrators (and those of its parent) manage its administrators and
// teams. Anyone else is told it does not exist: an organisation sees nothing of another.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_SUCH_ORGANISATION = 'There is no such organisation, or you do not manage it.';
const SITE_ADMINS_ONLY = 'Only site administrators can do that.';
export const ORGANISATION_PEOPLE_SHOWN = 50;
/** The report counts certificates that expire within this many days from now. */
export const EXPIRING_WITHIN_DAYS = 60;

type Access = 'site-admin' | 'organisation-admin';

/** Who may manage this organisation: a site administrator, its administrators, or its parent's. */
async function accessTo(ctx: RequestContext, organisationId: string) {
  const organisation = UUID.test(organisationId) ? await repo.findOrganisation(ctx.db, organisationId) : undefined;
  if (!organisation) throw new NotFoundError(NO_SUCH_ORGANISATION);
  let access: Access | undefined = ctx.user.is_admin ? 'site-admin' : undefined;
  if (!access && (await repo.isOrganisationAdmin(ctx.db, organisation.id, ctx.user.id))) access = 'organisation-admin';
  if (
    !access &&
    organisation.parent_id &&
    (await repo.isOrganisationAdmin(ctx.db, organisation.parent_id, ctx.user.id))
  )
    access = 'organisation-admin';
  if (!access) throw new NotFoundError(NO_SUCH_ORGANISATION);
  return { organisation, access };
}

/** The organisation, if this person may manage it (its own pages, single sign-on); else NotFoundError. */
export async function managedOrganisation(ctx: RequestContext, organisationId: string) {
  return (await accessTo(ctx, organisationId)).organisation;
}

/** For single sign-on: the organisation's verified domains. */
export function organisationDomains(db: Kysely<Database>, organisationId: string) {
  return repo.listDomains(db, organisationId);
}

/** Every organisation, for site administrators. */
export async function listOrganisations(ctx: RequestContext) {
  requireAdmin(ctx, 'Only site administrators can see every organisation.');
  return repo.listOrganisations(ctx.db);
}

/** The organisations this person manages (none for most people). */
export function myOrganisations(ctx: RequestContext) {
  return repo.organisationsAdministeredBy(ctx.db, ctx.user.id);
}

/** The organisation a person at this address joins once the address is confirmed (for notices). */
export async function organisationForEmail(db: Kysely<Database>, email: string) {
  const domain = domainOf(email);
  return domain ? repo.organisationOfDomain(db, domain) : undefined;
}

export async function createOrganisation(ctx: RequestContext, input: { name: string; parentId: string | null }) {
  requireAdmin(ctx, SITE_ADMINS_ONLY);
  return ctx.db.transaction().execute(async (tx) => {
    if (input.parentId) {
      const parent = await repo.findOrganisation(tx, input.parentId);
      if (!parent) throw new FieldError('parentId', 'Choose an organisation from the list.');
      if (parent.parent_id)
        throw new FieldError(
          'parentId',
          `${parent.name} is itself part of another organisation; choose a top-level one (one level only).`,
        );
    }
    const created = await repo.insertOrganisation(tx, { ...input, createdBy: ctx.user.id });
    if (!created) throw new FieldError('name', `An organisation named “${input.name}” already exists.`);
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.create',
      target: `organisation:${created.id}`,
      details: { name: created.name, parentId: created.parent_id },
    });
    return { organisationId: created.id };
  });
}

/** Everything its managers see: domains, administrators, teams, child organisations and its people. */
export async function organisationPage(ctx: RequestContext, organisationId: string) {
  const { organisation, access } = await accessTo(ctx, organisationId);
  const [parent, children, domains, adminIds, teamIds] = await Promise.all([
    organisation.parent_id ? repo.findOrganisation(ctx.db, organisation.parent_id) : undefined,
    repo.childOrganisations(ctx.db, organisation.id),
    repo.listDomains(ctx.db, organisation.id),
    repo.adminIdsOf(ctx.db, organisation.id),
    repo.teamIdsOf(ctx.db, organisation.id),
  ]);
  const [admins, teams, people] = await Promise.all([
    peopleByIds(ctx.db, adminIds),
    teamsByIds(ctx.db, teamIds),
    listConfirmedPeopleAtDomains(ctx.db, domains, ORGANISATION_PEOPLE_SHOWN),
  ]);
  return {
    organisation,
    parent,
    children,
    domains,
    admins,
    teams: teams.map((team) => ({ ...team, member_count: Number(team.member_count ?? 0) })),
    people,
    isSiteAdmin: access === 'site-admin',
  };
}

/** Verifies a domain for an organisation: people whose confirmed address is at it belong to it. Site administrators only. */
export async function addDomain(ctx: RequestContext, input: { organisationId: string; domain: string }) {
  requireAdmin(ctx, SITE_ADMINS_ONLY);
  const { organisation } = await accessTo(ctx, input.organisationId);
  await ctx.db.transaction().execute(async (tx) => {
    if (
      !(await repo.insertDomain(tx, { organisationId: organisation.id, domain: input.domain, verifiedBy: ctx.user.id }))
    ) {
      const owner = await repo.organisationOfDomain(tx, input.domain);
      if (owner?.id === organisation.id) return; // a double submit changes nothing
      throw new FieldError('domain', `${input.domain} already belongs to ${owner?.name ?? 'another organisation'}.`);
    }
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.add-domain',
      target: `organisation:${organisation.id}`,
      details: { domain: input.domain },
    });
  });
}

export async function removeDomain(ctx: RequestContext, input: { organisationId: string; domain: string }) {
  requireAdmin(ctx, SITE_ADMINS_ONLY);
  const { organisation } = await accessTo(ctx, input.organisationId);
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.deleteDomain(tx, organisation.id, input.domain))) return;
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.remove-domain',
      target: `organisation:${organisation.id}`,
      details: { domain: input.domain },
    });
  });
}

/**
 * Makes someone an administrator of the organisation. Its own administrators may name
 * only its people (a confirmed address at one of its domains); site administrators anyone.
 */
export async function addOrganisationAdmin(ctx: RequestContext, input: { organisationId: string; email: string }) {
  const { organisation, access } = await accessTo(ctx, input.organisationId);
  const person = await findPersonByEmail(ctx.db, input.email);
  if (!person) throw new FieldError('email', 'No account uses this address. They need to create one first.');
  if (person.deactivated_at)
    throw new FieldError('email', 'This account is deactivated; a site administrator can reactivate it.');
  if (access === 'organisation-admin') {
    const domains = await repo.listDomains(ctx.db, organisation.id);
    if (!person.email_verified_at || !domains.includes(domainOf(person.email)))
      throw new FieldError(
        'email',
        `Only people of ${organisation.name} (a confirmed address at ${domains.join(' or ') || 'one of its domains'}) can be made administrators here.`,
      );
  }
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.insertAdmin(tx, { organisationId: organisation.id, userId: person.id, addedBy: ctx.user.id })))
      return;
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.add-admin',
      target: `organisation:${organisation.id}`,
      details: { userId: person.id },
    });
  });
}

export async function removeOrganisationAdmin(ctx: RequestContext, input: { organisationId: string; userId: string }) {
  const { organisation } = await accessTo(ctx, input.organisationId);
  if (!UUID.test(input.userId)) return;
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.deleteAdmin(tx, organisation.id, input.userId))) return;
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.remove-admin',
      target: `organisation:${organisation.id}`,
      details: { userId: input.userId, own: input.userId === ctx.user.id },
    });
  });
}

/** Puts a team in the organisation. Its administrators may add only teams they lead; site administrators any team. */
export async function addOrganisationTeam(ctx: RequestContext, input: { organisationId: string; teamId: string }) {
  const { organisation, access } = await accessTo(ctx, input.organisationId);
  const team = UUID.test(input.teamId) ? await findTeam(ctx.db, input.teamId) : undefined;
  if (!team) throw new FieldError('team', 'There is no team at this address.');
  if (access === 'organisation-admin' && (await roleInTeam(ctx.db, team.id, ctx.user.id)) !== 'leader')
    throw new FieldError('team', 'You can add only a team you lead. Ask its leader, or a site administrator.');
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.insertTeam(tx, { organisationId: organisation.id, teamId: team.id, addedBy: ctx.user.id }))) {
      if ((await repo.organisationOfTeam(tx, team.id)) === organisation.id) return; // a double submit
      throw new ConflictError(`${team.name} already belongs to another organisation.`);
    }
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.add-team',
      target: `organisation:${organisation.id}`,
      details: { teamId: team.id },
    });
  });
}

export async function removeOrganisationTeam(ctx: RequestContext, input: { organisationId: string; teamId: string }) {
  const { organisation } = await accessTo(ctx, input.organisationId);
  if (!UUID.test(input.teamId)) return;
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.deleteTeam(tx, organisation.id, input.teamId))) return;
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.remove-team',
      target: `organisation:${organisation.id}`,
      details: { teamId: input.teamId },
    });
  });
}

/**
 * An organisation-wide programme: a learning path in every team of the organisation and of
 * the organisations under it (a health system's hospitals), for its administrators.
 */
export async function publishPathToOrganisation(ctx: RequestContext, input: PathInput & { organisationId: string }) {
  const { organisation } = await accessTo(ctx, input.organisationId);
  const children = await repo.childOrganisations(ctx.db, organisation.id);
  const teamIds = (await Promise.all([organisation, ...children].map((o) => repo.teamIdsOf(ctx.db, o.id)))).flat();
  return publishPathToTeams(ctx, input, {
    teamIds,
    auditAction: 'organisation.publish-path',
    auditTarget: `organisation:${organisation.id}`,
  });
}

/**
 * The organisation report: each of its teams' assignments, with how many of the team are
 * done, under way, not started and overdue (as each team's dashboard counts them).
 */
export async function organisationReport(ctx: RequestContext, organisationId: string) {
  const { organisation } = await accessTo(ctx, organisationId);
  const teams = await teamsByIds(ctx.db, await repo.teamIdsOf(ctx.db, organisation.id));
  const today = teamToday(ctx.now, ctx.user.timeZone);
  const now = ctx.now ?? new Date();
  const teamIds = teams.map((team) => team.id);
  const [totals, expiring] = await Promise.all([
    assignmentTotals(ctx.db, ctx.catalog, teamIds, today),
    expiringCertificatesByTeam(ctx.db, teamIds, {
      from: now,
      to: new Date(now.getTime() + EXPIRING_WITHIN_DAYS * 86_400_000),
    }),
  ]);
  const rows = teams.map((team) => ({
    team: { id: team.id, name: team.name, archived: team.archived_at !== null },
    assignments: totals.filter((row) => row.teamId === team.id),
    expiringCertificates: expiring.get(team.id) ?? 0,
  }));
  return { organisation, today, teams: rows };
}

/** The report as a spreadsheet: one row per team and assigned course (cells made safe by toCsv). */
export async function organisationReportCsv(ctx: RequestContext, organisationId: string) {
  const report = await organisationReport(ctx, organisationId);
  const header = [
    'organisation',
    'team',
    'course',
    'course_slug',
    'due_date',
    'people',
    'completed',
    'in_progress',
    'not_started',
    'overdue',
    `team_certificates_expiring_${EXPIRING_WITHIN_DAYS}_days`,
  ];
  // A team with no assigned course still gets a row: its expiring certificates count.
  const rows = report.teams.flatMap(({ team, assignments, expiringCertificates }) =>
    assignments.length === 0
      ? [[report.organisation.name, team.name, '', '', '', '', '', '', '', '', expiringCertificates]]
      : assignments.map((a) => [
          report.organisation.name,
          team.name,
          a.courseTitle,
          a.courseSlug,
          a.dueOn,
          a.people,
          a.completed,
          a.inProgress,
          a.notStarted,
          a.overdue,
          expiringCertificates,
        ]),
  );
  const slug =
    report.organisation.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'organisation';
  return { filename: `rounds-${slug}-report-${report.today}.csv`, body: toCsv(header, rows) };
}

// ---------------------------------------------------------------- SCIM (decision 0043)

/** Its SCIM token (when made and last used, never the token), its directory's groups and the teams they map to. */
export async function scimSettings(ctx: RequestContext, organisationId: string) {
  const { organisation } = await accessTo(ctx, organisationId);
  const [token, groups, provisioned, teamIds] = await Promise.all([
    scimRepo.tokenInfo(ctx.db, organisation.id),
    scimRepo.groupsWithTeams(ctx.db, organisation.id),
    scimRepo.countUserLinks(ctx.db, organisation.id),
    repo.teamIdsOf(ctx.db, organisation.id),
  ]);
  const teams = await teamsByIds(ctx.db, teamIds);
  return {
    token: token ?? null,
    provisioned,
    groups: groups.map((group) => ({ ...group, member_count: Number(group.member_count ?? 0) })),
    teams: teams.map((team) => ({ id: team.id, name: team.name })),
  };
}

/**
 * Makes a new SCIM token for the organisation, replacing the old one (which stops working
 * at once). Only its SHA-256 is kept: the token is shown this once.
 */
export async function rotateScimToken(ctx: RequestContext, input: { organisationId: string }) {
  const { organisation } = await accessTo(ctx, input.organisationId);
  const token = `scim_${randomToken(32)}`;
  await ctx.db.transaction().execute(async (tx) => {
    const had = await scimRepo.tokenInfo(tx, organisation.id);
    await scimRepo.replaceToken(tx, {
      organisationId: organisation.id,
      tokenHash: hashSecret(token),
      createdBy: ctx.user.id,
    });
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.rotate-scim-token',
      target: `organisation:${organisation.id}`,
      details: { replaced: had !== undefined },
    });
  });
  return { token };
}

/**
 * Maps a directory group to one of the organisation's teams (or to none): its members
 * join the team as members now, and join and leave it as the directory changes the group.
 */
export async function mapScimGroup(
  ctx: RequestContext,
  input: { organisationId: string; groupId: string; teamId: string | null },
) {
  const { organisation } = await accessTo(ctx, input.organisationId);
  const group = UUID.test(input.groupId) ? await scimRepo.findGroup(ctx.db, organisation.id, input.groupId) : undefined;
  if (!group) throw new FieldError('teamId', 'There is no such group in this organisation’s directory.');
  if (input.teamId !== null) {
    const teamIds = await repo.teamIdsOf(ctx.db, organisation.id);
    if (!teamIds.includes(input.teamId)) throw new FieldError('teamId', `Choose one of ${organisation.name}’s teams.`);
  }
  if (group.team_id === input.teamId) return;
  await ctx.db.transaction().execute(async (tx) => {
    await scimRepo.setGroupTeam(tx, group.id, input.teamId);
    let joined = 0;
    if (input.teamId)
      for (const userId of await scimRepo.groupMemberIds(tx, group.id))
        if (await addDirectoryMember(tx, input.teamId, userId)) joined += 1;
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'organisation.map-scim-group',
      target: `organisation:${organisation.id}`,
      details: { groupId: group.id, teamId: input.teamId, previousTeamId: group.team_id, joined },
    });
  });
}
