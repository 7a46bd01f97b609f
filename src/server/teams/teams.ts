import type { PublicUser, RequestContext } from '#server/kernel/context.ts';
import type { Kysely } from 'kysely';
import type { Database, TeamRole } from '#db/schema.ts';
import type { Catalog, CatalogCourse } from '#lib/catalog.ts';

import type { Executor } from '#server/platform/db.ts';
import * as repo from './repo.ts';
import * as review from '#server/review/index.ts';
import { recordAudit } from '#server/audit/index.ts';

import { consumeAll, ensureNoneThrottled, joinCodeCounters } from '#server/platform/throttle.ts';
import {
  countStates,
  dateIn,
  INVITE_PROBLEM_MESSAGES,
  inviteProblem,
  isLegacyInviteCode,
  newInviteCode,
  serverTimeZone,
  STATE_ORDER,
  type AssignmentState,
  type StateCounts,
} from '#lib/team-rules.ts';
import { settings } from '#server/platform/settings.ts';
import { FieldError, ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';

export const NO_SUCH_TEAM = 'That team does not exist, or you are not in it.';
export const LEADERS_ONLY = 'Only the team’s leaders can do that.';
export const TEAM_ARCHIVED = 'This team is archived. Unarchive it from the Teams page to change it.';
/** A join cannot happen before the person's email is confirmed. */
const CONFIRM_EMAIL_FIRST =
  'Please confirm your email address first: we need a confirmed address before adding you to a team.';

export type TeamAccess = { role: TeamRole | undefined; canView: boolean; canManage: boolean; isAdmin: boolean };

/** Who may do what in a team: leaders manage, admins see every dashboard, members see their own. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function teamAccess(db: Executor, user: PublicUser, teamId: string): Promise<TeamAccess> {
  const role = UUID.test(teamId) ? await repo.roleInTeam(db, teamId, user.id) : undefined;
  return { role, canView: role === 'leader' || user.is_admin, canManage: role === 'leader', isAdmin: user.is_admin };
}

async function requireTeam(ctx: RequestContext, teamId: string) {
  const team = UUID.test(teamId) ? await repo.findTeam(ctx.db, teamId) : undefined;
  if (!team) throw new NotFoundError(NO_SUCH_TEAM);
  const access = await teamAccess(ctx.db, ctx.user, teamId);
  if (!access.role && !access.isAdmin) throw new NotFoundError(NO_SUCH_TEAM);
  // An archived team is gone for its members; its leaders and administrators still find it.
  if (team.archived_at && !access.canManage && !access.isAdmin) throw new NotFoundError(NO_SUCH_TEAM);
  return { team, access };
}

/** A leader of a team that is not archived: every change to a team but archiving goes through here. */
export async function requireLeader(ctx: RequestContext, teamId: string) {
  const found = await requireTeam(ctx, teamId);
  if (!found.access.canManage) throw new ForbiddenError(LEADERS_ONLY);
  if (found.team.archived_at) throw new ForbiddenError(TEAM_ARCHIVED);
  return found;
}

/**
 * The calendar date that decides "due today" and "overdue": in the time zone of the person
 * looking (their account's); the deployment's own zone where nobody is (the demo seed).
 */
export function teamToday(now = new Date(), timeZone = serverTimeZone()): string {
  return dateIn(timeZone, now);
}

function courseLessons(catalog: Catalog, slugs: Iterable<string>): repo.CourseLessons {
  const wanted = new Set(slugs);
  return catalog.courses
    .filter((c) => wanted.has(c.slug))
    .flatMap((c) => c.lessons.map((l) => ({ course_slug: c.slug, lesson_slug: l.slug })));
}

function allCourseLessons(catalog: Catalog): repo.CourseLessons {
  return courseLessons(
    catalog,
    catalog.courses.map((c) => c.slug),
  );
}

// ---------------------------------------------------------------- teams and members

export async function createTeam(ctx: RequestContext, input: { name: string; description: string }) {
  return ctx.db.transaction().execute(async (tx) => {
    const team = await repo.insertTeam(tx, {
      name: input.name,
      description: input.description,
      createdBy: ctx.user.id,
    });
    await repo.addMember(tx, team.id, ctx.user.id, 'leader');
    await recordAudit(tx, { actorId: ctx.user.id, action: 'team.create', target: `team:${team.id}` });
    return { teamId: team.id };
  });
}

export async function updateTeam(ctx: RequestContext, input: { teamId: string; name: string; description: string }) {
  await requireLeader(ctx, input.teamId);
  await ctx.db.transaction().execute(async (tx) => {
    await repo.updateTeam(tx, input.teamId, { name: input.name, description: input.description });
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.update',
      target: `team:${input.teamId}`,
      details: { name: input.name },
    });
  });
  return { teamId: input.teamId };
}

/**
 * Archives a team (its leaders, or an administrator) or brings it back. Archived, it leaves
 * its members' Today and the team lists, its codes stop working and its reminders stop;
 * members keep their progress, certificates and reflections, which were never the team's.
 */
export async function setTeamArchived(ctx: RequestContext, input: { teamId: string; archived: boolean }) {
  const { access } = await requireTeam(ctx, input.teamId);
  if (!access.canManage && !access.isAdmin) throw new ForbiddenError(LEADERS_ONLY);
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.setTeamArchived(tx, input.teamId, input.archived)))
      throw new FieldError('teamId', input.archived ? 'This team is already archived.' : 'This team is not archived.');
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: input.archived ? 'team.archive' : 'team.unarchive',
      target: `team:${input.teamId}`,
    });
  });
  return { teamId: input.teamId, archived: input.archived };
}

export async function setMemberRole(ctx: RequestContext, input: { teamId: string; userId: string; role: TeamRole }) {
  await requireLeader(ctx, input.teamId);
  return ctx.db.transaction().execute(async (tx) => {
    await repo.lockTeam(tx, input.teamId);
    const current = await repo.roleInTeam(tx, input.teamId, input.userId);
    if (!current) throw new FieldError('userId', 'That person is no longer in the team.');
    if (current === 'leader' && input.role === 'member' && (await repo.countLeaders(tx, input.teamId)) <= 1) {
      throw new FieldError('userId', 'A team needs at least one leader. Make someone else a leader first.');
    }
    await repo.setMemberRole(tx, input.teamId, input.userId, input.role);
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.set-role',
      target: `team:${input.teamId}`,
      details: { userId: input.userId, role: input.role },
    });
    return { teamId: input.teamId, role: input.role };
  });
}

/**
 * A leader chooses whether to take the team's courses with it: only then do they see its
 * assignments on Today and count in its numbers (a leader is not behind on her own team).
 */
export async function learnWithTeam(ctx: RequestContext, input: { teamId: string; learns: boolean }) {
  await requireTeam(ctx, input.teamId);
  const changed = await repo.setLearnsWithTeam(ctx.db, input.teamId, ctx.user.id, input.learns);
  if (!changed) throw new ForbiddenError('Members always take the team’s courses; this choice is for its leaders.');
  await recordAudit(ctx.db, {
    actorId: ctx.user.id,
    action: 'team.leader-learns',
    target: `team:${input.teamId}`,
    details: { learns: input.learns },
  });
  return { teamId: input.teamId, learns: input.learns };
}

export async function removeMember(ctx: RequestContext, input: { teamId: string; userId: string }) {
  await requireLeader(ctx, input.teamId);
  if (input.userId === ctx.user.id)
    throw new FieldError('userId', 'To leave the team yourself, use “Leave this team”.');
  const removed = await repo.removeMember(ctx.db, input.teamId, input.userId);
  if (!removed) throw new FieldError('userId', 'That person is no longer in the team.');
  await recordAudit(ctx.db, {
    actorId: ctx.user.id,
    action: 'team.remove-member',
    target: `team:${input.teamId}`,
    details: { userId: input.userId },
  });
  return { teamId: input.teamId };
}

export async function leaveTeam(ctx: RequestContext, input: { teamId: string }) {
  const { access } = await requireTeam(ctx, input.teamId);
  if (!access.role) throw new NotFoundError('You are not in this team.');
  return ctx.db.transaction().execute(async (tx) => {
    await repo.lockTeam(tx, input.teamId);
    const role = await repo.roleInTeam(tx, input.teamId, ctx.user.id);
    if (
      role === 'leader' &&
      (await repo.countLeaders(tx, input.teamId)) <= 1 &&
      (await repo.listMembers(tx, input.teamId)).length > 1
    ) {
      throw new FieldError(
        'teamId',
        'You are the only leader. Make someone else a leader before you leave, so the team is not left without one.',
      );
    }
    await repo.removeMember(tx, input.teamId, ctx.user.id);
    return { left: true };
  });
}

// ---------------------------------------------------------------- invites

/** Inserts an invite with a fresh code (retrying the rare code already taken); the caller audits it. */
export async function insertNewInvite(
  db: Executor,
  values: { teamId: string; createdBy: string; expiresAt: Date; maxUses: number | null },
): Promise<{ inviteId: string; code: string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = newInviteCode();
    const inviteId = await repo.insertInvite(db, { ...values, code });
    if (inviteId) return { inviteId, code };
  }
  throw new Error('could not find a free invite code');
}

export async function createInvite(
  ctx: RequestContext,
  input: { teamId: string; days: number; maxUses: number | null },
) {
  await requireLeader(ctx, input.teamId);
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (tx) => {
    const { inviteId, code } = await insertNewInvite(tx, {
      teamId: input.teamId,
      createdBy: ctx.user.id,
      expiresAt: new Date(now.getTime() + input.days * 86_400_000),
      maxUses: input.maxUses,
    });
    // The code itself stays out of the log: it is the key to the team.
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.create-invite',
      target: `team:${input.teamId}`,
      details: { inviteId, days: input.days, maxUses: input.maxUses },
    });
    return { code };
  });
}

export async function revokeInvite(ctx: RequestContext, input: { teamId: string; inviteId: string }) {
  await requireLeader(ctx, input.teamId);
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.revokeInvite(tx, input.teamId, input.inviteId)))
      throw new FieldError('inviteId', 'That invite does not exist any more.');
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.revoke-invite',
      target: `team:${input.teamId}`,
      details: { inviteId: input.inviteId },
    });
  });
  return { revoked: true };
}

/** A live invite's link, for its QR code (leaders only: the code is the key to the team). */
export async function inviteLink(ctx: RequestContext, input: { teamId: string; inviteId: string }) {
  await requireLeader(ctx, input.teamId);
  const invite = UUID.test(input.inviteId)
    ? (await repo.listInvites(ctx.db, input.teamId)).find((i) => i.id === input.inviteId)
    : undefined;
  if (!invite || inviteProblem(invite, ctx.now ?? new Date()))
    throw new NotFoundError('That invite does not work any more. Create a new one.');
  return { code: invite.code, url: `${settings().PUBLIC_URL}/join/${invite.code}` };
}

export type InviteLookup =
  | { ok: true; teamId: string; teamName: string; teamDescription: string }
  | { ok: false; message: string; reason: 'unknown' | 'revoked' | 'expired' | 'used-up' };

/**
 * What /join/<code> shows (anyone holding the code may see the team's name). Unknown codes
 * count against the address; a code that exists is never refused, however many wrong ones
 * came from the same network (a venue shares one address) — except the short codes made
 * before codes grew, which wait while the address is over its limit.
 */
export async function lookUpInvite(
  db: Kysely<Database>,
  code: string | undefined,
  clientIp: string,
  now = new Date(),
): Promise<InviteLookup> {
  const counters = joinCodeCounters(clientIp);
  if (!code || isLegacyInviteCode(code)) await ensureNoneThrottled(db, counters);
  const invite = code ? await repo.findInviteByCode(db, code) : undefined;
  if (!invite) {
    await consumeAll(db, counters);
    return { ok: false, reason: 'unknown', message: INVITE_PROBLEM_MESSAGES.unknown };
  }
  const problem = inviteProblem(invite, now);
  if (problem) return { ok: false, reason: problem, message: INVITE_PROBLEM_MESSAGES[problem] };
  return { ok: true, teamId: invite.team_id, teamName: invite.team_name, teamDescription: invite.team_description };
}

/** Whether the signed-in person is already in the team (the join page then says so). */
export async function isMemberOf({ db, user }: RequestContext, teamId: string): Promise<boolean> {
  return (await repo.roleInTeam(db, teamId, user.id)) !== undefined;
}

/**
 * Joins the team behind a code. Joining twice changes nothing and uses no extra
 * invite use; the invite row is locked so a limited invite is never over-used.
 */
export async function joinTeam(ctx: RequestContext & { clientIp: string }, input: { code: string }) {
  if (!ctx.user.email_verified_at) throw new ForbiddenError(CONFIRM_EMAIL_FIRST);
  const now = ctx.now ?? new Date();
  const counters = joinCodeCounters(ctx.clientIp, ctx.user.id);
  if (isLegacyInviteCode(input.code)) await ensureNoneThrottled(ctx.db, counters);
  const outcome = await ctx.db.transaction().execute(async (tx) => {
    const invite = await repo.findInviteByCode(tx, input.code, true);
    if (!invite) return { problem: 'unknown' as const };
    if (await repo.roleInTeam(tx, invite.team_id, ctx.user.id)) return { teamId: invite.team_id, alreadyMember: true };
    const problem = inviteProblem(invite, now);
    if (problem) return { problem };
    await repo.addMember(tx, invite.team_id, ctx.user.id, 'member');
    await repo.countInviteUse(tx, invite.id);
    return { teamId: invite.team_id, alreadyMember: false };
  });
  if ('problem' in outcome) {
    if (outcome.problem === 'unknown') await consumeAll(ctx.db, counters);
    throw new FieldError('code', INVITE_PROBLEM_MESSAGES[outcome.problem!]);
  }
  return outcome;
}

// ---------------------------------------------------------------- assignments

function requireCourse(catalog: Catalog, slug: string): CatalogCourse {
  const course = catalog.course(slug);
  if (!course) throw new FieldError('courseSlug', 'Choose a course from the list.');
  return course;
}

function requireNotPast(date: string, field: string, ctx: RequestContext) {
  if (date < teamToday(ctx.now, ctx.user.timeZone)) throw new FieldError(field, 'Choose today or a later date.');
}

export async function assignCourse(
  ctx: RequestContext,
  input: { teamId: string; courseSlug: string; dueOn: string; note: string; repeatMonths?: number | null },
) {
  await requireLeader(ctx, input.teamId);
  requireCourse(ctx.catalog, input.courseSlug);
  requireNotPast(input.dueOn, 'dueOn', ctx);
  const id = await repo.insertAssignment(ctx.db, {
    teamId: input.teamId,
    courseSlug: input.courseSlug,
    dueOn: input.dueOn,
    note: input.note,
    createdBy: ctx.user.id,
    repeatMonths: input.repeatMonths ?? null,
  });
  if (!id)
    throw new FieldError(
      'courseSlug',
      'This course is already assigned to the team. Change its due date below instead.',
    );
  await recordAudit(ctx.db, {
    actorId: ctx.user.id,
    action: 'team.assign',
    target: `team:${input.teamId}`,
    details: { course: input.courseSlug, dueOn: input.dueOn, repeatMonths: input.repeatMonths ?? null },
  });
  return { assignmentId: id };
}

async function requireAssignment(ctx: RequestContext, teamId: string, assignmentId: string) {
  await requireLeader(ctx, teamId);
  const assignment = await repo.findAssignment(ctx.db, teamId, assignmentId);
  if (!assignment) throw new FieldError('assignmentId', 'That assignment was removed.');
  return assignment;
}

export async function changeDueDate(
  ctx: RequestContext,
  input: { teamId: string; assignmentId: string; dueOn: string },
) {
  const assignment = await requireAssignment(ctx, input.teamId, input.assignmentId);
  requireNotPast(input.dueOn, 'dueOn', ctx);
  await ctx.db.transaction().execute(async (tx) => {
    await repo.setAssignmentDue(tx, input.teamId, input.assignmentId, input.dueOn);
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.change-due',
      target: `team:${input.teamId}`,
      details: { assignmentId: input.assignmentId, course: assignment.course_slug, dueOn: input.dueOn },
    });
  });
  return { assignmentId: input.assignmentId, dueOn: input.dueOn };
}

/** A personal due date for one member (leave, illness); null goes back to the team's date. */
export async function setMemberDueDate(
  ctx: RequestContext,
  input: { teamId: string; assignmentId: string; userId: string; dueOn: string | null },
) {
  const assignment = await requireAssignment(ctx, input.teamId, input.assignmentId);
  if (!(await repo.roleInTeam(ctx.db, input.teamId, input.userId)))
    throw new FieldError('userId', 'That person is no longer in the team.');
  if (input.dueOn !== null) requireNotPast(input.dueOn, 'dueOn', ctx);
  await ctx.db.transaction().execute(async (tx) => {
    if (input.dueOn === null) await repo.clearExtension(tx, input.assignmentId, input.userId);
    else await repo.setExtension(tx, input.assignmentId, input.userId, input.dueOn);
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.set-member-due',
      target: `team:${input.teamId}`,
      details: {
        assignmentId: input.assignmentId,
        course: assignment.course_slug,
        userId: input.userId,
        dueOn: input.dueOn,
      },
    });
  });
  return { assignmentId: input.assignmentId, dueOn: input.dueOn };
}

export async function removeAssignment(ctx: RequestContext, input: { teamId: string; assignmentId: string }) {
  await requireLeader(ctx, input.teamId);
  const assignment = UUID.test(input.assignmentId)
    ? await repo.findAssignment(ctx.db, input.teamId, input.assignmentId)
    : undefined;
  if (!assignment || !(await repo.deleteAssignment(ctx.db, input.teamId, input.assignmentId)))
    throw new FieldError('assignmentId', 'That assignment was already removed.');
  await recordAudit(ctx.db, {
    actorId: ctx.user.id,
    action: 'team.unassign',
    target: `team:${input.teamId}`,
    details: { assignmentId: input.assignmentId, course: assignment.course_slug },
  });
  return { removed: true };
}

// ---------------------------------------------------------------- reading

export interface DashboardAssignment {
  id: string;
  course: CatalogCourse | undefined;
  courseSlug: string;
  title: string;
  dueOn: string;
  note: string;
  counts: StateCounts;
  /** Mastery and most-missed questions: team counts only, hidden below five learners. */
  review: review.TeamCourseReview;
  /** A learning path's course: due `offsetDays` after each member's own start. */
  path: { id: string; name: string; position: number; offsetDays: number } | undefined;
  /** Recurring training: due again this many months after each completion (decision 0041). */
  repeatMonths: number | null;
}

export interface DashboardCell {
  state: AssignmentState;
  dueOn: string;
  extended: boolean;
  completedAt: Date | null;
  lessonsDone: number;
  lessonsTotal: number;
}

export interface DashboardMember {
  userId: string;
  name: string;
  email: string;
  role: TeamRole;
  joinedAt: Date;
  cells: Record<string, DashboardCell>;
}

/**
 * The leader's dashboard: four queries whatever the team size (team, members,
 * assignments, states). Only states and dates: no reflection text, no answers.
 */
type CheckedTeam = Awaited<ReturnType<typeof requireTeam>>;
const DASHBOARD_FOR_LEADERS = 'Only the team’s leaders can see its dashboard.';

export async function dashboard(ctx: RequestContext, teamId: string) {
  const found = await requireTeam(ctx, teamId);
  if (!found.access.canView) throw new ForbiddenError(DASHBOARD_FOR_LEADERS);
  return dashboardOf(ctx, found);
}

async function dashboardOf(ctx: RequestContext, { team, access }: CheckedTeam) {
  const teamId = team.id;
  const [members, assignments, paths] = await Promise.all([
    repo.listMembers(ctx.db, teamId),
    repo.listAssignments(ctx.db, teamId),
    repo.listPaths(ctx.db, teamId),
  ]);
  const pathNames = new Map(paths.map((p) => [p.id, p.name]));
  // Leaders who do not take the courses with the team are not in its numbers or its grid.
  const counted = members.filter((m) => m.role === 'member' || m.learns_with_team);
  const courseSlugs = assignments.map((a) => a.course_slug);
  const [states, reviews] = await Promise.all([
    repo.assignmentStates(
      ctx.db,
      { teamId },
      courseLessons(ctx.catalog, courseSlugs),
      teamToday(ctx.now, ctx.user.timeZone),
    ),
    review.teamReview(
      ctx.db,
      ctx.catalog,
      counted.map((m) => m.user_id),
      courseSlugs,
    ),
  ]);
  const byMember = new Map<string, DashboardMember>(
    counted.map((m) => [
      m.user_id,
      { userId: m.user_id, name: m.name, email: m.email, role: m.role, joinedAt: m.joined_at, cells: {} },
    ]),
  );
  const statesByAssignment = new Map<string, AssignmentState[]>();
  for (const row of states) {
    byMember.get(row.user_id)!.cells[row.assignment_id] = {
      state: row.state,
      dueOn: row.due_on,
      extended: row.extended,
      completedAt: row.completed_at,
      lessonsDone: row.lessons_done,
      lessonsTotal: row.lessons_total,
    };
    const list = statesByAssignment.get(row.assignment_id) ?? [];
    list.push(row.state);
    statesByAssignment.set(row.assignment_id, list);
  }
  const dashboardAssignments: DashboardAssignment[] = assignments.map((a) => {
    const course = ctx.catalog.course(a.course_slug);
    return {
      review: reviews.get(a.course_slug)!,
      id: a.id,
      course,
      courseSlug: a.course_slug,
      title: course?.title ?? `${a.course_slug} (no longer offered)`,
      dueOn: a.due_on,
      note: a.note,
      counts: countStates(statesByAssignment.get(a.id) ?? []),
      repeatMonths: a.repeat_months,
      path: a.path_id
        ? {
            id: a.path_id,
            name: pathNames.get(a.path_id) ?? '',
            position: a.path_position!,
            offsetDays: a.due_offset_days!,
          }
        : undefined,
    };
  });
  return {
    team,
    access,
    members: [...byMember.values()],
    assignments: dashboardAssignments,
    paths,
    today: teamToday(ctx.now, ctx.user.timeZone),
    /** Whether the person looking (a leader) takes the courses with the team. */
    viewerLearns: members.find((m) => m.user_id === ctx.user.id)?.learns_with_team ?? false,
  };
}

/** What a member sees of their own team: its name, the assignments and their own state. */
export async function memberView(ctx: RequestContext, teamId: string) {
  return memberViewOf(ctx, await requireTeam(ctx, teamId));
}

async function memberViewOf(ctx: RequestContext, { team, access }: CheckedTeam) {
  const teamId = team.id;
  const assignments = await repo.listAssignments(ctx.db, teamId);
  const mine = (await myAssignments(ctx)).filter((a) => a.teamId === teamId);
  const leaders = (await repo.listMembers(ctx.db, teamId)).filter((m) => m.role === 'leader').map((m) => m.name);
  return { team, access, assignments, mine, leaders };
}

export type DashboardSort = 'name' | 'state' | 'completed';
/** The dashboard's filters, from the page's query string (GET, so a view can be bookmarked or shared). */
export interface DashboardQuery {
  state: string | null;
  assignment: string | null;
  sort: string | null;
}

/**
 * The team page in one call, access checked once: a member sees their own assignments;
 * leaders and administrators see the dashboard, filtered and sorted as the query asks.
 */
export interface TeamPage {
  team: CheckedTeam['team'];
  access: TeamAccess;
  /** What a member sees: set when the person may not see the dashboard. */
  member?: Awaited<ReturnType<typeof memberViewOf>>;
  /** What leaders and administrators see, filtered and sorted. */
  dashboard?: {
    view: Awaited<ReturnType<typeof dashboardOf>>;
    rows: DashboardMember[];
    filters: { state: AssignmentState | undefined; focus: string | undefined; sort: DashboardSort };
    shownAssignments: DashboardAssignment[];
    unassigned: CatalogCourse[];
    workingOn: DashboardAssignment | undefined;
  };
}

export async function teamPage(ctx: RequestContext, teamId: string, query: DashboardQuery): Promise<TeamPage> {
  const found = await requireTeam(ctx, teamId);
  if (!found.access.canView) return { team: found.team, access: found.access, member: await memberViewOf(ctx, found) };
  const view = await dashboardOf(ctx, found);
  const stateFilter = STATE_ORDER.find((state) => state === query.state);
  const focus = view.assignments.find((a) => a.id === query.assignment)?.id;
  const sort: DashboardSort = query.sort === 'state' || query.sort === 'completed' ? query.sort : 'name';
  const considered = (m: DashboardMember) =>
    (focus ? [m.cells[focus]] : Object.values(m.cells)).filter((c): c is DashboardCell => Boolean(c));
  const severity = (m: DashboardMember) => Math.min(...considered(m).map((c) => STATE_ORDER.indexOf(c.state)), 9);
  const lastDone = (m: DashboardMember) => Math.max(...considered(m).map((c) => c.completedAt?.getTime() ?? 0), 0);
  let rows = stateFilter
    ? view.members.filter((m) => considered(m).some((c) => c.state === stateFilter))
    : view.members;
  if (sort === 'state') rows = [...rows].sort((a, b) => severity(a) - severity(b) || a.name.localeCompare(b.name));
  if (sort === 'completed') rows = [...rows].sort((a, b) => lastDone(b) - lastDone(a) || a.name.localeCompare(b.name));
  return {
    team: found.team,
    access: found.access,
    dashboard: {
      view,
      rows,
      filters: { state: stateFilter, focus, sort },
      shownAssignments: focus ? view.assignments.filter((a) => a.id === focus) : view.assignments,
      unassigned: ctx.catalog.courses.filter((c) => !view.assignments.some((a) => a.courseSlug === c.slug)),
      // The course the huddle guide opens on: the first assignment not yet finished by everyone.
      workingOn:
        view.assignments.find((a) => a.counts.completed < a.counts.total && a.course) ??
        view.assignments.find((a) => a.course),
    },
  };
}

export interface MyAssignment {
  teamId: string;
  teamName: string;
  assignmentId: string;
  course: CatalogCourse | undefined;
  title: string;
  note: string;
  dueOn: string;
  state: AssignmentState;
  completedAt: Date | null;
  lessonsDone: number;
  lessonsTotal: number;
  /** Recurring training: due again this many months after each completion (decision 0041). */
  repeatMonths: number | null;
}

/** Every assignment of every team the person is in, with their own state (Today). */
export async function myAssignments(
  ctx: Omit<RequestContext, 'user'> & { user: { id: string; timeZone: string } },
): Promise<MyAssignment[]> {
  const teams = await repo.teamsOfUser(ctx.db, ctx.user.id);
  if (teams.length === 0) return [];
  const names = new Map(teams.map((t) => [t.id, t.name]));
  const assignments = new Map(
    (
      await repo.listAssignments(
        ctx.db,
        teams.map((t) => t.id),
      )
    ).map((a) => [a.id, a]),
  );
  const rows = await repo.assignmentStates(
    ctx.db,
    { userId: ctx.user.id },
    allCourseLessons(ctx.catalog),
    teamToday(ctx.now, ctx.user.timeZone),
  );
  return rows
    .map((row) => {
      const course = ctx.catalog.course(row.course_slug);
      return {
        teamId: row.team_id,
        teamName: names.get(row.team_id) ?? '',
        assignmentId: row.assignment_id,
        course,
        title: course?.title ?? row.course_slug,
        note: assignments.get(row.assignment_id)?.note ?? '',
        repeatMonths: assignments.get(row.assignment_id)?.repeat_months ?? null,
        dueOn: row.due_on,
        state: row.state,
        completedAt: row.completed_at,
        lessonsDone: row.lessons_done,
        lessonsTotal: row.lessons_total,
      };
    })
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.title.localeCompare(b.title));
}

/**
 * The Teams page: active teams the person is in; the archived ones they lead (or, for an
 * administrator, every archived team) to bring back; and for administrators the others.
 */
export async function myTeams(ctx: RequestContext) {
  const teams = await repo.teamsOfUser(ctx.db, ctx.user.id);
  const all = ctx.user.is_admin ? await repo.allTeams(ctx.db, ctx.user.id) : [];
  return {
    mine: teams.filter((t) => !t.archived_at),
    archived: ctx.user.is_admin
      ? all.filter((t) => t.archived_at)
      : teams.filter((t) => t.archived_at && t.role === 'leader'),
    others: all.filter((t) => !t.role && !t.archived_at),
  };
}

export async function manageView(ctx: RequestContext, teamId: string) {
  const { team, access } = await requireLeader(ctx, teamId);
  const [members, invites] = await Promise.all([repo.listMembers(ctx.db, teamId), repo.listInvites(ctx.db, teamId)]);
  return { team, access, members, invites };
}

/** One assignment of a team in numbers: how many of its counted people are at each state. */
export interface AssignmentTotals {
  teamId: string;
  courseSlug: string;
  courseTitle: string;
  dueOn: string;
  people: number;
  completed: number;
  inProgress: number;
  notStarted: number;
  overdue: number;
}

/**
 * Every assignment of these teams in numbers, as each team's dashboard counts them (people
 * with a personal due date counted by theirs). For the organisations domain, which checks
 * who may see these teams before it asks.
 */
export async function assignmentTotals(
  db: Executor,
  catalog: Catalog,
  teamIds: string[],
  today: string,
): Promise<AssignmentTotals[]> {
  const totals: AssignmentTotals[] = [];
  for (const teamId of teamIds) {
    const assignments = await repo.listAssignments(db, teamId);
    if (assignments.length === 0) continue;
    const states = await repo.assignmentStates(
      db,
      { teamId },
      courseLessons(
        catalog,
        assignments.map((a) => a.course_slug),
      ),
      today,
    );
    for (const assignment of assignments) {
      const rows = states.filter((row) => row.assignment_id === assignment.id);
      const count = (state: repo.AssignmentState) => rows.filter((row) => row.state === state).length;
      totals.push({
        teamId,
        courseSlug: assignment.course_slug,
        courseTitle: catalog.course(assignment.course_slug)?.title ?? assignment.course_slug,
        dueOn: assignment.due_on,
        people: rows.length,
        completed: count('completed'),
        inProgress: count('in-progress'),
        notStarted: count('not-started'),
        overdue: count('overdue'),
      });
    }
  }
  return totals;
}
