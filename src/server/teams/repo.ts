import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';
import type { TeamRole } from '#db/schema.ts';
import { RENEWAL_WINDOW_DAYS } from '#lib/renewal-rules.ts';

// Teams, members, invites and assignments. Leaders see states computed here, never
// reflections or check answers: no query in this file reads those tables.

export interface TeamSummary {
  id: string;
  name: string;
  description: string;
  role: TeamRole | null;
  member_count: number;
  archived_at: Date | null;
}

export function insertTeam(db: Executor, values: { name: string; description: string; createdBy: string }) {
  return db
    .insertInto('teams')
    .values({ name: values.name, description: values.description, created_by: values.createdBy })
    .returning(['id', 'name', 'description', 'created_at'])
    .executeTakeFirstOrThrow();
}

export function findTeam(db: Executor, id: string) {
  return db
    .selectFrom('teams')
    .select(['id', 'name', 'description', 'created_at', 'archived_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Archives or unarchives; false when the team already was in that state. */
export async function setTeamArchived(db: Executor, id: string, archived: boolean): Promise<boolean> {
  const result = await db
    .updateTable('teams')
    .set({ archived_at: archived ? sql<Date>`now()` : null })
    .where('id', '=', id)
    .where('archived_at', archived ? 'is' : 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Locks the team row for the rest of the transaction (membership changes that must keep a leader). */
export async function lockTeam(db: Executor, id: string): Promise<boolean> {
  const row = await db.selectFrom('teams').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  return row !== undefined;
}

export async function updateTeam(
  db: Executor,
  id: string,
  values: { name: string; description: string },
): Promise<void> {
  await db.updateTable('teams').set(values).where('id', '=', id).execute();
}

export async function roleInTeam(db: Executor, teamId: string, userId: string): Promise<TeamRole | undefined> {
  const row = await db
    .selectFrom('team_members')
    .select('role')
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role;
}

/** Adds a member; false when they were already in the team (their role is kept). */
/** A leader's choice to take the team's courses with it (and so be counted). False if not a leader. */
export async function setLearnsWithTeam(db: Executor, teamId: string, userId: string, learns: boolean) {
  const row = await db
    .updateTable('team_members')
    .set({ learns_with_team: learns })
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .where('role', '=', 'leader')
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function addMember(db: Executor, teamId: string, userId: string, role: TeamRole): Promise<boolean> {
  const row = await db
    .insertInto('team_members')
    .values({ team_id: teamId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A member made co-leader keeps taking the courses (and counting) until she chooses
 * otherwise; their progress does not drop out of the team's numbers by a change of role.
 */
export async function setMemberRole(db: Executor, teamId: string, userId: string, role: TeamRole): Promise<boolean> {
  const result = await db
    .updateTable('team_members')
    .set({
      role,
      learns_with_team: role === 'leader' ? sql<boolean>`role = 'member' or learns_with_team` : false,
    })
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function removeMember(db: Executor, teamId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('team_members')
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** A directory group's member joins its mapped team as a member (a leader stays a leader); false when already in it. */
export function addDirectoryMember(db: Executor, teamId: string, userId: string): Promise<boolean> {
  return addMember(db, teamId, userId, 'member');
}

/** A directory group's member leaves its mapped team, unless a leader (leaders are managed in Rounds). */
export async function removeDirectoryMember(db: Executor, teamId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('team_members')
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .where('role', '=', 'member')
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function countLeaders(db: Executor, teamId: string): Promise<number> {
  const row = await db
    .selectFrom('team_members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('team_id', '=', teamId)
    .where('role', '=', 'leader')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A deleted account's address is never shown (its name already says "Deleted account"). */
const shownEmail = sql<string>`case when users.deleted_at is null then users.email else '' end`;

export function listMembers(db: Executor, teamId: string) {
  return db
    .selectFrom('team_members')
    .innerJoin('users', 'users.id', 'team_members.user_id')
    .select([
      'users.id as user_id',
      'users.name',
      shownEmail.as('email'),
      'team_members.role',
      'team_members.joined_at',
      'team_members.learns_with_team',
      sql<boolean>`users.deleted_at is not null`.as('account_deleted'),
      sql<boolean>`users.deactivated_at is not null`.as('account_deactivated'),
    ])
    .where('team_members.team_id', '=', teamId)
    .orderBy('users.name')
    .orderBy('users.id')
    .execute();
}

const memberCount = sql<number>`(select count(*) from team_members m where m.team_id = teams.id)::int`;

export function teamsOfUser(db: Executor, userId: string): Promise<TeamSummary[]> {
  return db
    .selectFrom('teams')
    .innerJoin('team_members', 'team_members.team_id', 'teams.id')
    .select([
      'teams.id',
      'teams.name',
      'teams.description',
      'team_members.role',
      memberCount.as('member_count'),
      'teams.archived_at',
    ])
    .where('team_members.user_id', '=', userId)
    .orderBy('teams.name')
    .execute();
}

/** Every team, for administrators; `role` is the admin's own role where they belong. */
export function allTeams(db: Executor, userId: string): Promise<TeamSummary[]> {
  return db
    .selectFrom('teams')
    .leftJoin('team_members', (join) =>
      join.onRef('team_members.team_id', '=', 'teams.id').on('team_members.user_id', '=', userId),
    )
    .select([
      'teams.id',
      'teams.name',
      'teams.description',
      'team_members.role',
      memberCount.as('member_count'),
      'teams.archived_at',
    ])
    .orderBy('teams.name')
    .execute();
}

// ---- invites ----

export async function insertInvite(
  db: Executor,
  values: { teamId: string; code: string; createdBy: string; expiresAt: Date; maxUses: number | null },
): Promise<string | undefined> {
  const row = await db
    .insertInto('team_invites')
    .values({
      team_id: values.teamId,
      code: values.code,
      created_by: values.createdBy,
      expires_at: values.expiresAt,
      max_uses: values.maxUses,
    })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export function listInvites(db: Executor, teamId: string) {
  return db
    .selectFrom('team_invites')
    .select(['id', 'code', 'created_at', 'expires_at', 'max_uses', 'uses', 'revoked_at'])
    .where('team_id', '=', teamId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** The invite and its team, locked for the rest of the transaction when `lock` is set. */
export function findInviteByCode(db: Executor, code: string, lock = false) {
  let query = db
    .selectFrom('team_invites')
    .innerJoin('teams', 'teams.id', 'team_invites.team_id')
    .select([
      'team_invites.id',
      'team_invites.team_id',
      'teams.name as team_name',
      'teams.description as team_description',
      'team_invites.expires_at',
      'team_invites.max_uses',
      'team_invites.uses',
      // An archived team's codes are withdrawn with it (and work again if it is unarchived).
      sql<Date | null>`coalesce(team_invites.revoked_at, teams.archived_at)`.as('revoked_at'),
    ])
    .where('team_invites.code', '=', code);
  if (lock) query = query.forUpdate(['team_invites']);
  return query.executeTakeFirst();
}

export async function countInviteUse(db: Executor, inviteId: string): Promise<void> {
  await db
    .updateTable('team_invites')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('id', '=', inviteId)
    .execute();
}

export async function revokeInvite(db: Executor, teamId: string, inviteId: string): Promise<boolean> {
  const result = await db
    .updateTable('team_invites')
    .set({ revoked_at: sql`coalesce(revoked_at, now())` })
    .where('team_id', '=', teamId)
    .where('id', '=', inviteId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

// ---- invitations by email ----

/**
 * Takes the right to mail this address an invitation now: true when it was never mailed,
 * or last mailed before `resendAfter`. The row is the guard: two submissions of one list
 * at once mail each address once.
 */
export async function claimEmailInvitation(
  db: Executor,
  values: { teamId: string; email: string; invitedBy: string; resendAfter: Date },
): Promise<boolean> {
  const row = await db
    .insertInto('team_email_invitations')
    .values({ team_id: values.teamId, email: values.email, invited_by: values.invitedBy, last_sent_at: sql`now()` })
    .onConflict((oc) =>
      oc
        .columns(['team_id', 'email'])
        .doUpdateSet({ last_sent_at: sql`now()`, invited_by: values.invitedBy })
        .where((eb) =>
          eb.or([
            eb('team_email_invitations.last_sent_at', 'is', null),
            eb('team_email_invitations.last_sent_at', '<', values.resendAfter),
          ]),
        ),
    )
    .returning('email')
    .executeTakeFirst();
  return row !== undefined;
}

/** The mail did not go out: the address may be mailed again at once. */
export async function releaseEmailInvitation(db: Executor, teamId: string, email: string): Promise<void> {
  await db
    .updateTable('team_email_invitations')
    .set({ last_sent_at: null })
    .where('team_id', '=', teamId)
    .where('email', '=', email)
    .execute();
}

/** Forgets invitations last mailed (or, unsent, made) before `before`: the addresses are not ours to keep. */
export async function deleteEmailInvitationsBefore(db: Executor, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('team_email_invitations')
    .where((eb) => eb(eb.fn.coalesce('last_sent_at', 'created_at'), '<', before))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- assignments ----

export async function insertAssignment(
  db: Executor,
  values: {
    teamId: string;
    courseSlug: string;
    dueOn: string;
    note: string;
    createdBy: string;
    /** A learning path's course: its path, place and due offset in days. */
    path?: { id: string; position: number; offsetDays: number };
    /** Recurring training: due again this many months after each completion. */
    repeatMonths?: number | null;
  },
): Promise<string | undefined> {
  const row = await db
    .insertInto('team_assignments')
    .values({
      team_id: values.teamId,
      course_slug: values.courseSlug,
      due_on: values.dueOn,
      note: values.note,
      created_by: values.createdBy,
      path_id: values.path?.id ?? null,
      path_position: values.path?.position ?? null,
      due_offset_days: values.path?.offsetDays ?? null,
      repeat_months: values.repeatMonths ?? null,
    })
    .onConflict((oc) => oc.constraint('team_assignments_one_per_course').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** The assignments of one team, or of several (a person's teams, for Today). */
export function listAssignments(db: Executor, teamIds: string | string[]) {
  const ids = Array.isArray(teamIds) ? teamIds : [teamIds];
  return db
    .selectFrom('team_assignments')
    .select([
      'id',
      'team_id',
      'course_slug',
      'due_on',
      'note',
      'created_at',
      'path_id',
      'path_position',
      'due_offset_days',
      'repeat_months',
    ])
    .where('team_id', 'in', ids)
    .orderBy('due_on')
    .orderBy('created_at')
    .execute();
}

// ---- learning paths ----

/** A new path; undefined when the team already has a path of that name. */
export async function insertPath(
  db: Executor,
  values: { teamId: string; name: string; startsOn: string; inOrder: boolean; createdBy: string },
): Promise<string | undefined> {
  const row = await db
    .insertInto('team_paths')
    .values({
      team_id: values.teamId,
      name: values.name,
      starts_on: values.startsOn,
      in_order: values.inOrder,
      created_by: values.createdBy,
    })
    .onConflict((oc) => oc.constraint('team_paths_one_name_per_team').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** The paths of one team or of several (a person's teams). */
export function listPaths(db: Executor, teamIds: string | string[]) {
  const ids = Array.isArray(teamIds) ? teamIds : [teamIds];
  return db
    .selectFrom('team_paths')
    .select(['id', 'team_id', 'name', 'starts_on', 'in_order', 'created_at'])
    .where('team_id', 'in', ids)
    .orderBy('created_at')
    .execute();
}

/** Whether a course is a later step of an in-order path in a team the person is in: only then can a path hold it back. */
export async function inOrderPathHasCourse(db: Executor, userId: string, courseSlug: string): Promise<boolean> {
  const row = await db
    .selectFrom('team_assignments')
    .innerJoin('team_paths', 'team_paths.id', 'team_assignments.path_id')
    .innerJoin('team_members', 'team_members.team_id', 'team_assignments.team_id')
    .select('team_assignments.id')
    .where('team_members.user_id', '=', userId)
    .where('team_assignments.course_slug', '=', courseSlug)
    .where('team_paths.in_order', '=', true)
    .where('team_assignments.path_position', '>', 1)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Removes a path and its assignments (their due dates and personal dates); progress is never touched. */
export async function deletePath(db: Executor, teamId: string, pathId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('team_paths')
    .where('team_id', '=', teamId)
    .where('id', '=', pathId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function findAssignment(db: Executor, teamId: string, assignmentId: string) {
  return db
    .selectFrom('team_assignments')
    .select(['id', 'team_id', 'course_slug', 'due_on', 'note'])
    .where('team_id', '=', teamId)
    .where('id', '=', assignmentId)
    .executeTakeFirst();
}

export async function setAssignmentDue(
  db: Executor,
  teamId: string,
  assignmentId: string,
  dueOn: string,
): Promise<boolean> {
  const result = await db
    .updateTable('team_assignments')
    .set({ due_on: dueOn })
    .where('team_id', '=', teamId)
    .where('id', '=', assignmentId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteAssignment(db: Executor, teamId: string, assignmentId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('team_assignments')
    .where('team_id', '=', teamId)
    .where('id', '=', assignmentId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function setExtension(db: Executor, assignmentId: string, userId: string, dueOn: string): Promise<void> {
  await db
    .insertInto('assignment_extensions')
    .values({ assignment_id: assignmentId, user_id: userId, due_on: dueOn })
    .onConflict((oc) => oc.columns(['assignment_id', 'user_id']).doUpdateSet({ due_on: dueOn }))
    .execute();
}

export async function clearExtension(db: Executor, assignmentId: string, userId: string): Promise<void> {
  await db
    .deleteFrom('assignment_extensions')
    .where('assignment_id', '=', assignmentId)
    .where('user_id', '=', userId)
    .execute();
}

// ---- states ----

export type AssignmentState = 'not-started' | 'in-progress' | 'completed' | 'overdue' | 'renewal-due' | 'expired';

/**
 * One member's state in one assignment: only what differs per cell (names, notes and
 * team dates come once with the members and assignments).
 */
export interface AssignmentStateRow {
  team_id: string;
  assignment_id: string;
  course_slug: string;
  user_id: string;
  due_on: string;
  extended: boolean;
  lessons_done: number;
  lessons_total: number;
  completed_at: Date | null;
  state: AssignmentState;
}

/**
 * An assignment's date for one member before any personal date: the team's date, or for a
 * learning path's course its offset from the member's own start — the later of the path's
 * start and the calendar day they joined, in their own time zone (decision 0033). Needs
 * `a` (team_assignments) and `tp` (team_paths, left joined on a.path_id) in the query.
 */
export function memberDueOn(joinedAt: string, timeZone: string) {
  return sql<string>`case when a.path_id is null then a.due_on
    else greatest(tp.starts_on, (${sql.ref(joinedAt)} at time zone ${sql.ref(timeZone)})::date) + a.due_offset_days end`;
}

/** The lessons each course has now: only these count toward completing it. */
export type CourseLessons = { course_slug: string; lesson_slug: string }[];

/**
 * Every (member, assignment) pair with its state, in one statement. A course is
 * complete when every lesson it has now is completed, whenever that happened
 * (before the assignment too); overdue means not complete after the due date.
 * `today` is the calendar date deciding "overdue" (YYYY-MM-DD). In no particular order:
 * sorting 5,000 rows by name in the database cost more than the rest of the query.
 * The rows travel as one JSON array: a 500 × 10 dashboard is 5,000 rows, and reading
 * them field by field took longer than running the query (on PGlite, twice as long).
 */
export async function assignmentStates(
  db: Executor,
  filter: { teamId: string } | { userId: string },
  lessons: CourseLessons,
  today: string,
): Promise<AssignmentStateRow[]> {
  const byTeam = 'teamId' in filter;
  const result = await sql<{ cells: string }>`
    with lessons as (
      select l.course_slug, l.lesson_slug from jsonb_to_recordset(${JSON.stringify(lessons)}::jsonb) as l(course_slug text, lesson_slug text)
    ),
    totals as (select course_slug, count(*)::int as total from lessons group by course_slug),
    pairs as (
      select a.team_id, a.id as assignment_id, a.course_slug, m.user_id, a.repeat_months, u.time_zone,
        ${memberDueOn('m.joined_at', 'u.time_zone')} as team_due_on
      from team_assignments a
      join team_members m on m.team_id = a.team_id
      left join team_paths tp on tp.id = a.path_id
      left join users u on u.id = m.user_id and (a.path_id is not null or a.repeat_months is not null)
      where ${
        byTeam
          ? sql`a.team_id = ${filter.teamId}`
          : // A person's own list (Today) leaves out archived teams.
            sql`m.user_id = ${(filter as { userId: string }).userId}
              and not exists (select 1 from teams t where t.id = a.team_id and t.archived_at is not null)`
      }
        -- Leaders count only when they take the team's courses with it.
        and (m.role = 'member' or m.learns_with_team)
    ),
    -- Driven by the members' own rows through the primary key, not a scan of all progress.
    progress as (
      select m.team_id, lp.user_id, lp.course_slug,
        count(l.lesson_slug) filter (where lp.completed_at is not null)::int as done,
        max(lp.completed_at) filter (where l.lesson_slug is not null) as last_completed
      from team_members m
      join team_assignments a on a.team_id = m.team_id
      join lesson_progress lp on lp.user_id = m.user_id and lp.course_slug = a.course_slug
      left join lessons l on l.course_slug = lp.course_slug and l.lesson_slug = lp.lesson_slug
      where ${byTeam ? sql`m.team_id = ${filter.teamId}` : sql`m.user_id = ${(filter as { userId: string }).userId}`}
      group by m.team_id, lp.user_id, lp.course_slug
    ),
    -- The latest renewal term of each member and course (decision 0041); none before a first renewal.
    terms as (
      select distinct on (ct.user_id, ct.course_slug) ct.user_id, ct.course_slug, ct.due_on
      from course_terms ct
      where ct.user_id in (select user_id from pairs where repeat_months is not null)
        and ct.course_slug in (select course_slug from pairs where repeat_months is not null)
      order by ct.user_id, ct.course_slug, ct.term desc
    ),
    cells as (
      select p.team_id, p.assignment_id, p.course_slug, p.user_id, p.repeat_months,
        coalesce(x.due_on, p.team_due_on) as set_due_on, (x.due_on is not null) as extended,
        coalesce(pr.done, 0) as lessons_done, coalesce(t.total, 0) as lessons_total,
        case when t.total > 0 and pr.done = t.total then pr.last_completed end as completed_at,
        tm.due_on as renewal_due_on,
        -- A recurring course's term ends N months after its completion (in the learner's zone),
        -- or after the previous expiry when the renewal came by then.
        case when p.repeat_months is not null and t.total > 0 and pr.done = t.total then
          (case when tm.due_on is not null and (pr.last_completed at time zone p.time_zone)::date <= tm.due_on
            then tm.due_on else (pr.last_completed at time zone p.time_zone)::date end
          + make_interval(months => p.repeat_months))::date
        end as expires_on
      from pairs p
      left join totals t on t.course_slug = p.course_slug
      left join progress pr on pr.team_id = p.team_id and pr.user_id = p.user_id and pr.course_slug = p.course_slug
      left join assignment_extensions x on x.assignment_id = p.assignment_id and x.user_id = p.user_id
      left join terms tm on p.repeat_months is not null and tm.user_id = p.user_id and tm.course_slug = p.course_slug
    ),
    states as (
      select team_id, assignment_id, course_slug, user_id, extended, lessons_done, lessons_total, completed_at,
        case
          when expires_on is not null and ${today}::date >= expires_on - ${RENEWAL_WINDOW_DAYS}::int then expires_on
          when completed_at is null and renewal_due_on is not null then renewal_due_on
          else set_due_on
        end as due_on,
        case
          when expires_on is not null and ${today}::date >= expires_on then 'expired'
          when expires_on is not null and ${today}::date >= expires_on - ${RENEWAL_WINDOW_DAYS}::int then 'renewal-due'
          when completed_at is not null then 'completed'
          -- A renewal started and not finished: due by the previous expiry.
          when repeat_months is not null and renewal_due_on is not null then
            case when ${today}::date >= renewal_due_on then 'expired' else 'renewal-due' end
          when set_due_on < ${today}::date then 'overdue'
          -- Opening a lesson is not progress: a member is in progress from their first completed lesson.
          when lessons_done > 0 then 'in-progress'
          else 'not-started'
        end as state
      from cells
    )
    select coalesce(json_agg(json_build_array(team_id, assignment_id, course_slug, user_id, due_on, extended, lessons_done, lessons_total, completed_at, state)), '[]')::text as cells
    from states
  `.execute(db);
  type Cell = [string, string, string, string, string, boolean, number, number, string | null, AssignmentState];
  return (JSON.parse(result.rows[0]!.cells) as Cell[]).map(
    ([
      team_id,
      assignment_id,
      course_slug,
      user_id,
      due_on,
      extended,
      lessons_done,
      lessons_total,
      completed_at,
      state,
    ]) => ({
      team_id,
      assignment_id,
      course_slug,
      user_id,
      due_on,
      extended,
      lessons_done,
      lessons_total,
      completed_at: completed_at === null ? null : new Date(completed_at),
      state,
    }),
  );
}

/** Teams by id with their member counts, by name (the organisations domain lists its teams with it). */
export function teamsByIds(db: Executor, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('teams')
    .select((eb) => [
      'teams.id',
      'teams.name',
      'teams.archived_at',
      eb
        .selectFrom('team_members')
        .select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('team_members.team_id', '=', 'teams.id')
        .as('member_count'),
    ])
    .where('teams.id', 'in', ids)
    .orderBy(sql`lower(teams.name)`)
    .execute();
}

// ---- the training record ----

/**
 * The current certificate code of each member and course of a team (issue 17 §4): what a
 * director checks against the certificate's verification page. Revoked ones are left out.
 */
export function memberCertificateCodes(db: Executor, teamId: string) {
  return (
    db
      .selectFrom('certificates')
      .innerJoin('team_members', 'team_members.user_id', 'certificates.user_id')
      // A renewal (decision 0041) names the certificate it renews.
      .leftJoin('certificates as previous', 'previous.id', 'certificates.renews')
      .select([
        'certificates.user_id',
        'certificates.course_slug',
        'certificates.code',
        'certificates.id',
        'certificates.term',
        'previous.code as renews_code',
      ])
      .where('team_members.team_id', '=', teamId)
      .where('certificates.replaced_by', 'is', null)
      .where('certificates.revoked_at', 'is', null)
      // The latest term first: the record shows the certificate that counts now.
      .orderBy('certificates.term', 'desc')
      .execute()
  );
}
