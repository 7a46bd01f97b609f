import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';
import { memberDueOn } from './repo.ts';

// Reminder preferences and the reminder queue (one row per reminder = one job).

/** Each person's account time zone with their reminder settings (null where they never saved any). */
export function preferencesOf(db: Executor, userIds: string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users as u')
    .leftJoin('reminder_preferences as p', 'p.user_id', 'u.id')
    .select(['u.id as user_id', 'u.time_zone', 'p.quiet_start_minute', 'p.quiet_end_minute', 'p.unsubscribed_at'])
    .where('u.id', 'in', userIds)
    .execute();
}

export async function savePreferences(
  db: Executor,
  userId: string,
  values: { quietStartMinute: number; quietEndMinute: number; remindersOn: boolean },
): Promise<void> {
  const unsubscribed = values.remindersOn ? null : sql<Date>`now()`;
  await db
    .insertInto('reminder_preferences')
    .values({
      user_id: userId,
      quiet_start_minute: values.quietStartMinute,
      quiet_end_minute: values.quietEndMinute,
      unsubscribed_at: unsubscribed,
    })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        quiet_start_minute: values.quietStartMinute,
        quiet_end_minute: values.quietEndMinute,
        unsubscribed_at: values.remindersOn ? null : sql<Date>`coalesce(reminder_preferences.unsubscribed_at, now())`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

/** Turns reminders off, keeping the person's other choices (or the defaults given). */
export async function unsubscribe(
  db: Executor,
  userId: string,
  defaults: { quietStartMinute: number; quietEndMinute: number },
): Promise<void> {
  await db
    .insertInto('reminder_preferences')
    .values({
      user_id: userId,
      quiet_start_minute: defaults.quietStartMinute,
      quiet_end_minute: defaults.quietEndMinute,
      unsubscribed_at: sql<Date>`now()`,
    })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        unsubscribed_at: sql<Date>`coalesce(reminder_preferences.unsubscribed_at, now())`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

/** Members reminded about this assignment since `since`, with the latest time. */
export function recentlyReminded(db: Executor, assignmentId: string, since: Date) {
  return db
    .selectFrom('team_reminders')
    .select(['user_id', (eb) => eb.fn.max('requested_at').as('last_requested_at')])
    .where('assignment_id', '=', assignmentId)
    .where('requested_at', '>', since)
    .groupBy('user_id')
    .execute();
}

/** Serialises reminder requests for one assignment until the transaction ends. */
export async function lockAssignmentReminders(db: Executor, assignmentId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`rounds.remind:${assignmentId}`}))`.execute(db);
}

export async function enqueueReminders(
  db: Executor,
  rows: {
    assignmentId: string;
    userId: string;
    requestedBy: string;
    requestedAt: Date;
    deliverAfter: Date;
    note: string;
  }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('team_reminders')
    .values(
      rows.map((r) => ({
        assignment_id: r.assignmentId,
        user_id: r.userId,
        requested_by: r.requestedBy,
        requested_at: r.requestedAt,
        deliver_after: r.deliverAfter,
        note: r.note,
      })),
    )
    .execute();
}

export interface DueReminder {
  id: number;
  user_id: string;
  email: string;
  name: string;
  assignment_id: string;
  course_slug: string;
  team_id: string;
  team_name: string;
  due_on: string;
  requested_by_name: string | null;
  note: string;
  still_member: boolean;
  team_archived: boolean;
  account_deleted: boolean;
  account_deactivated: boolean;
}

/** How long a claimed reminder is left to its runner before another may retake it (a runner that crashed). */
export const CLAIM_LEASE_MINUTES = 10;

/**
 * Claims up to `limit` reminders that are due, counting an attempt on each. The
 * claim moves `deliver_after` past the lease, so once it commits no other runner
 * sees the row as due; delivering, skipping or postponing then sets its final
 * state. `skip locked` keeps two claims running at the same instant apart.
 */
export async function claimDueReminders(db: Executor, now: Date, limit: number): Promise<DueReminder[]> {
  const result = await sql<DueReminder>`
    with due as (
      select id from team_reminders
      where delivered_at is null and skipped_reason is null and deliver_after <= ${now} and attempts < 5
      order by deliver_after
      limit ${limit}
      for update skip locked
    ),
    claimed as (
      update team_reminders r
      set attempts = r.attempts + 1, deliver_after = ${now}::timestamptz + make_interval(mins => ${CLAIM_LEASE_MINUTES})
      from due where r.id = due.id
      returning r.id, r.user_id, r.assignment_id, r.requested_by, r.note
    )
    select c.id, c.user_id, u.email, u.name, c.assignment_id, a.course_slug, a.team_id, t.name as team_name,
      coalesce(x.due_on, ${memberDueOn('tm.joined_at', 'u.time_zone')}, a.due_on) as due_on, rb.name as requested_by_name, c.note,
      (t.archived_at is not null) as team_archived,
      exists (select 1 from team_members m where m.team_id = a.team_id and m.user_id = c.user_id) as still_member,
      (u.deleted_at is not null) as account_deleted,
      (u.deactivated_at is not null) as account_deactivated
    from claimed c
    join users u on u.id = c.user_id
    join team_assignments a on a.id = c.assignment_id
    join teams t on t.id = a.team_id
    -- A path's course is due from the member's own start (null once they left: skipped then).
    left join team_paths tp on tp.id = a.path_id
    left join team_members tm on tm.team_id = a.team_id and tm.user_id = c.user_id
    left join users rb on rb.id = c.requested_by
    left join assignment_extensions x on x.assignment_id = c.assignment_id and x.user_id = c.user_id
    order by c.id
  `.execute(db);
  return result.rows;
}

export async function markDelivered(db: Executor, id: number): Promise<void> {
  await db
    .updateTable('team_reminders')
    .set({ delivered_at: sql<Date>`now()`, last_error: null })
    .where('id', '=', id)
    .execute();
}

export async function markSkipped(db: Executor, id: number, reason: string): Promise<void> {
  await db.updateTable('team_reminders').set({ skipped_reason: reason }).where('id', '=', id).execute();
}

export async function postpone(db: Executor, id: number, deliverAfter: Date, error: string | null): Promise<void> {
  await db
    .updateTable('team_reminders')
    .set({ deliver_after: deliverAfter, last_error: error })
    .where('id', '=', id)
    .execute();
}

export function remindersOfUser(db: Executor, userId: string) {
  return db.selectFrom('team_reminders').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}
