import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';
import type { ReminderStage } from '#db/schema.ts';
import { memberDueOn } from './repo.ts';

// Automatic reminders (decision 0040): each team's schedule, the ledger of stages sent,
// per-team opt-outs and the leaders' weekly digest.

export function scheduleOf(db: Executor, teamId: string) {
  return db
    .selectFrom('team_reminder_schedules')
    .select(['automatic', 'days_before'])
    .where('team_id', '=', teamId)
    .executeTakeFirst();
}

export async function saveSchedule(
  db: Executor,
  teamId: string,
  values: { automatic: boolean; daysBefore: number; updatedBy: string },
): Promise<void> {
  await db
    .insertInto('team_reminder_schedules')
    .values({
      team_id: teamId,
      automatic: values.automatic,
      days_before: values.daysBefore,
      updated_by: values.updatedBy,
    })
    .onConflict((oc) =>
      oc.column('team_id').doUpdateSet({
        automatic: values.automatic,
        days_before: values.daysBefore,
        updated_by: values.updatedBy,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

export interface AutomaticCandidate {
  assignment_id: string;
  team_id: string;
  team_name: string;
  course_slug: string;
  user_id: string;
  email: string;
  name: string;
  time_zone: string;
  quiet_start_minute: number | null;
  quiet_end_minute: number | null;
  days_before: number;
  due_on: string;
  /** Lessons of the course this person completed (any, the catalogue decides which count). */
  done_lessons: string[];
  sent_stages: ReminderStage[];
}

/**
 * Every (member, assignment) that could get an automatic reminder around `now`: the
 * team's schedule on, the team not archived, the account active with a confirmed
 * address, reminders not turned off (everywhere, or for this team), and the due date
 * near enough (from `days_before` ahead to five weeks past, with a day to spare for
 * time zones). Completion and the exact stage are decided by the caller. `teamId`
 * narrows it to one team and `anyDueDate` drops the date window (the leader's "who will
 * get what next").
 */
export async function automaticCandidates(
  db: Executor,
  now: Date,
  filter: { teamId?: string; anyDueDate?: boolean } = {},
): Promise<AutomaticCandidate[]> {
  const result = await sql<{ cells: string }>`
    with pairs as (
      select a.id as assignment_id, a.team_id, t.name as team_name, a.course_slug, m.user_id, u.email, u.name,
        u.time_zone, p.quiet_start_minute, p.quiet_end_minute, coalesce(s.days_before, 3) as days_before,
        coalesce(x.due_on, ${memberDueOn('m.joined_at', 'u.time_zone')}) as due_on
      from team_assignments a
      join teams t on t.id = a.team_id and t.archived_at is null
      left join team_reminder_schedules s on s.team_id = a.team_id
      join team_members m on m.team_id = a.team_id and (m.role = 'member' or m.learns_with_team)
      join users u on u.id = m.user_id
      left join reminder_preferences p on p.user_id = m.user_id
      left join team_paths tp on tp.id = a.path_id
      left join assignment_extensions x on x.assignment_id = a.id and x.user_id = m.user_id
      where coalesce(s.automatic, true)
        and u.deleted_at is null and u.deactivated_at is null and u.email_verified_at is not null
        and p.unsubscribed_at is null
        and not exists (select 1 from team_reminder_opt_outs o where o.team_id = a.team_id and o.user_id = m.user_id)
        ${filter.teamId ? sql`and a.team_id = ${filter.teamId}` : sql``}
    )
    select coalesce(json_agg(json_build_array(
      c.assignment_id, c.team_id, c.team_name, c.course_slug, c.user_id, c.email, c.name, c.time_zone,
      c.quiet_start_minute, c.quiet_end_minute, c.days_before, c.due_on,
      (select coalesce(json_agg(lp.lesson_slug), '[]') from lesson_progress lp
        where lp.user_id = c.user_id and lp.course_slug = c.course_slug and lp.completed_at is not null),
      (select coalesce(json_agg(r.stage), '[]') from automatic_reminders r
        where r.assignment_id = c.assignment_id and r.user_id = c.user_id)
    )), '[]')::text as cells
    from pairs c
    ${filter.anyDueDate ? sql`` : sql`where c.due_on between ${now}::date - 36 and ${now}::date + c.days_before + 1`}
  `.execute(db);
  type Cell = [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    number | null,
    number | null,
    number,
    string,
    string[],
    ReminderStage[],
  ];
  return (JSON.parse(result.rows[0]!.cells) as Cell[]).map((c) => ({
    assignment_id: c[0],
    team_id: c[1],
    team_name: c[2],
    course_slug: c[3],
    user_id: c[4],
    email: c[5],
    name: c[6],
    time_zone: c[7],
    quiet_start_minute: c[8],
    quiet_end_minute: c[9],
    days_before: c[10],
    due_on: c[11],
    done_lessons: c[12],
    sent_stages: c[13],
  }));
}

/**
 * Marks the person's day sent and records the stages its email carried, in one
 * statement (one round trip: a pass mails thousands of people).
 */
export async function markSent(
  db: Executor,
  key: { userId: string; day: string },
  stages: { assignmentId: string; stage: ReminderStage }[],
  at: Date,
): Promise<void> {
  await sql`
    with day as (
      update mail_days set sent_at = ${at}, lease_until = null, last_error = null
      where user_id = ${key.userId} and day = ${key.day}
    )
    insert into automatic_reminders (assignment_id, user_id, stage, day, sent_at)
    select s.assignment_id, ${key.userId}, s.stage, ${key.day}, ${at}
    from jsonb_to_recordset(${JSON.stringify(stages.map((s) => ({ assignment_id: s.assignmentId, stage: s.stage })))}::jsonb)
      as s(assignment_id uuid, stage text)
    on conflict (assignment_id, user_id, stage) do nothing
  `.execute(db);
}

export async function optOut(db: Executor, userId: string, teamIds: string[]): Promise<void> {
  if (teamIds.length === 0) return;
  await db
    .insertInto('team_reminder_opt_outs')
    .values(teamIds.map((teamId) => ({ team_id: teamId, user_id: userId })))
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
    .execute();
}

/** The teams among `teamIds` this person is in (a signed link may name a team they have left since). */
export function teamsOfMember(db: Executor, userId: string, teamIds: string[]) {
  if (teamIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.id', 'team_members.team_id')
    .select(['teams.id', 'teams.name'])
    .where('team_members.user_id', '=', userId)
    .where('team_members.team_id', 'in', teamIds)
    .execute();
}

export function optedOutMembers(db: Executor, teamId: string) {
  return db.selectFrom('team_reminder_opt_outs').select('user_id').where('team_id', '=', teamId).execute();
}

// ---------------------------------------------------------------- the leaders' weekly digest

export interface DigestLeader {
  user_id: string;
  email: string;
  name: string;
  time_zone: string;
  quiet_start_minute: number | null;
  quiet_end_minute: number | null;
}

/** Leaders of a team that is not archived, active with a confirmed address, who did not turn the digest off. */
export async function digestLeaders(db: Executor): Promise<DigestLeader[]> {
  const result = await sql<DigestLeader>`
    select distinct u.id as user_id, u.email, u.name, u.time_zone, p.quiet_start_minute, p.quiet_end_minute
    from team_members m
    join teams t on t.id = m.team_id and t.archived_at is null
    join users u on u.id = m.user_id
    left join reminder_preferences p on p.user_id = u.id
    where m.role = 'leader' and u.deleted_at is null and u.deactivated_at is null and u.email_verified_at is not null
      and not exists (select 1 from leader_digest_opt_outs o where o.user_id = u.id)
  `.execute(db);
  return result.rows;
}

export function ledTeams(db: Executor, userId: string) {
  return db
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.id', 'team_members.team_id')
    .select(['teams.id', 'teams.name'])
    .where('team_members.user_id', '=', userId)
    .where('team_members.role', '=', 'leader')
    .where('teams.archived_at', 'is', null)
    .orderBy('teams.name')
    .execute();
}

/** Members who joined since `since`, by name. */
export function joinedSince(db: Executor, teamId: string, since: Date) {
  return db
    .selectFrom('team_members')
    .innerJoin('users', 'users.id', 'team_members.user_id')
    .select(['users.name'])
    .where('team_members.team_id', '=', teamId)
    .where('team_members.joined_at', '>=', since)
    .where('users.deleted_at', 'is', null)
    .orderBy('users.name')
    .execute();
}

export async function claimDigest(
  db: Executor,
  key: { userId: string; week: string },
  now: Date,
  leaseUntil: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('leader_digests')
    .values({ user_id: key.userId, week: key.week, lease_until: leaseUntil })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'week'])
        .doUpdateSet({ lease_until: leaseUntil, attempts: sql<number>`leader_digests.attempts + 1` })
        .where('leader_digests.sent_at', 'is', null)
        .where((eb) =>
          eb.or([eb('leader_digests.lease_until', 'is', null), eb('leader_digests.lease_until', '<=', now)]),
        ),
    )
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function markDigestSent(db: Executor, key: { userId: string; week: string }, at: Date): Promise<void> {
  await db
    .updateTable('leader_digests')
    .set({ sent_at: at, lease_until: null, last_error: null })
    .where('user_id', '=', key.userId)
    .where('week', '=', key.week)
    .execute();
}

export async function releaseDigest(
  db: Executor,
  key: { userId: string; week: string },
  retryAt: Date,
  error: string,
): Promise<void> {
  await db
    .updateTable('leader_digests')
    .set({ lease_until: retryAt, last_error: error })
    .where('user_id', '=', key.userId)
    .where('week', '=', key.week)
    .execute();
}

export async function setDigestOff(db: Executor, userId: string, off: boolean): Promise<void> {
  if (off)
    await db
      .insertInto('leader_digest_opt_outs')
      .values({ user_id: userId })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
  else await db.deleteFrom('leader_digest_opt_outs').where('user_id', '=', userId).execute();
}

export async function digestOff(db: Executor, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('leader_digest_opt_outs')
    .select('user_id')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}
