import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';
import type { EventCreditJson } from '#db/schema.ts';

// Events, their courses, enrollments and nudges. Organisers see states and counts
// computed here, never reflections or check answers.

const EVENT_COLUMNS = [
  'id',
  'slug',
  'name',
  'event_date',
  'time_zone',
  'location',
  'welcome_message',
  'unlock_minute',
  'first_unlock_days',
  'interval_days',
  'day_offsets',
  'join_code',
  'join_closed_at',
  'archived_at',
  'lessons_kept_open',
  'schedule_changed_at',
  'review_weeks',
  'credit',
  'created_at',
] as const;

export interface EventRow {
  id: string;
  slug: string;
  name: string;
  event_date: string;
  time_zone: string;
  location: string;
  welcome_message: string;
  unlock_minute: number;
  first_unlock_days: number;
  interval_days: number;
  day_offsets: number[] | null;
  join_code: string;
  join_closed_at: Date | null;
  archived_at: Date | null;
  lessons_kept_open: number;
  schedule_changed_at: Date | null;
  /** Weeks of review questions by email after the drip (0: none). */
  review_weeks: number;
  /** The event's own credit activity (decision 0045); null: none. */
  credit: EventCreditJson | null;
  created_at: Date;
}

export interface NewEvent {
  slug: string;
  name: string;
  eventDate: string;
  timeZone: string;
  location: string;
  welcomeMessage: string;
  unlockMinute: number;
  firstUnlockDays: number;
  intervalDays: number;
  dayOffsets: number[] | null;
  reviewWeeks?: number;
  joinCode: string;
  createdBy: string;
}

/** Inserts an event; undefined when its slug or join code is taken. */
export async function insertEvent(db: Executor, values: NewEvent): Promise<EventRow | undefined> {
  return db
    .insertInto('events')
    .values({
      slug: values.slug,
      name: values.name,
      event_date: values.eventDate,
      time_zone: values.timeZone,
      location: values.location,
      welcome_message: values.welcomeMessage,
      unlock_minute: values.unlockMinute,
      first_unlock_days: values.firstUnlockDays,
      interval_days: values.intervalDays,
      day_offsets: values.dayOffsets ? JSON.stringify(values.dayOffsets) : null,
      review_weeks: values.reviewWeeks ?? 0,
      join_code: values.joinCode,
      created_by: values.createdBy,
    })
    .onConflict((oc) => oc.doNothing())
    .returning(EVENT_COLUMNS)
    .executeTakeFirst();
}

export async function setEventCourses(db: Executor, eventId: string, courseSlugs: string[]): Promise<void> {
  await db.deleteFrom('event_courses').where('event_id', '=', eventId).execute();
  if (courseSlugs.length === 0) return;
  await db
    .insertInto('event_courses')
    .values(courseSlugs.map((slug, position) => ({ event_id: eventId, course_slug: slug, position })))
    .execute();
}

export function findEventBySlug(db: Executor, slug: string): Promise<EventRow | undefined> {
  return db.selectFrom('events').select(EVENT_COLUMNS).where('slug', '=', slug).executeTakeFirst();
}

export function findEventById(db: Executor, id: string): Promise<EventRow | undefined> {
  return db.selectFrom('events').select(EVENT_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function findEventByCode(db: Executor, code: string): Promise<EventRow | undefined> {
  return db.selectFrom('events').select(EVENT_COLUMNS).where('join_code', '=', code).executeTakeFirst();
}

export async function slugTaken(db: Executor, slug: string): Promise<boolean> {
  return (await db.selectFrom('events').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined;
}

/** Course slugs of each event, in the event's order. */
export async function coursesOfEvents(db: Executor, eventIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(eventIds.map((id) => [id, []]));
  if (eventIds.length === 0) return map;
  const rows = await db
    .selectFrom('event_courses')
    .select(['event_id', 'course_slug'])
    .where('event_id', 'in', eventIds)
    .orderBy('event_id')
    .orderBy('position')
    .execute();
  for (const row of rows) map.get(row.event_id)!.push(row.course_slug);
  return map;
}

export function listEvents(db: Executor, archived: boolean) {
  return db
    .selectFrom('events')
    .select([
      ...EVENT_COLUMNS.map((c) => `events.${c}` as const),
      (eb) =>
        eb
          .selectFrom('event_enrollments')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('event_enrollments.event_id', '=', 'events.id')
          .as('enrolled'),
    ])
    .where('events.archived_at', archived ? 'is not' : 'is', null)
    .orderBy('events.event_date', 'desc')
    .orderBy('events.name')
    .execute();
}

/** A new join code (which also reopens joining); false when the code is taken. */
export async function setJoinCode(db: Executor, eventId: string, code: string): Promise<boolean> {
  const clash = await db.selectFrom('events').select('id').where('join_code', '=', code).executeTakeFirst();
  if (clash) return false;
  const result = await db
    .updateTable('events')
    .set({ join_code: code, join_closed_at: null })
    .where('id', '=', eventId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface EventChanges {
  name: string;
  eventDate: string;
  timeZone: string;
  location: string;
  welcomeMessage: string;
  unlockMinute: number;
  firstUnlockDays: number;
  intervalDays: number;
  dayOffsets: number[] | null;
  /** Weeks of review questions by email after the drip; left out: unchanged. */
  reviewWeeks?: number;
  /** Set when the schedule changed: lessons released by then stay open. */
  keptOpen?: { count: number; since: Date };
}

export async function updateEvent(db: Executor, eventId: string, changes: EventChanges): Promise<void> {
  await db
    .updateTable('events')
    .set({
      name: changes.name,
      event_date: changes.eventDate,
      time_zone: changes.timeZone,
      location: changes.location,
      welcome_message: changes.welcomeMessage,
      unlock_minute: changes.unlockMinute,
      first_unlock_days: changes.firstUnlockDays,
      interval_days: changes.intervalDays,
      day_offsets: changes.dayOffsets ? JSON.stringify(changes.dayOffsets) : null,
      ...(changes.reviewWeeks === undefined ? {} : { review_weeks: changes.reviewWeeks }),
      // Never fewer than before, even when two edits cross.
      ...(changes.keptOpen
        ? {
            lessons_kept_open: sql<number>`greatest(lessons_kept_open, ${changes.keptOpen.count})`,
            schedule_changed_at: changes.keptOpen.since,
          }
        : {}),
    })
    .where('id', '=', eventId)
    .execute();
}

export async function reopenJoining(db: Executor, eventId: string): Promise<void> {
  await db.updateTable('events').set({ join_closed_at: null }).where('id', '=', eventId).execute();
}

/** Archives (keeping the first archiving time) or unarchives. */
export async function setArchived(db: Executor, eventId: string, archived: boolean): Promise<void> {
  await db
    .updateTable('events')
    .set({ archived_at: archived ? sql<Date>`coalesce(archived_at, now())` : null })
    .where('id', '=', eventId)
    .execute();
}

export async function closeJoining(db: Executor, eventId: string): Promise<boolean> {
  const result = await db
    .updateTable('events')
    .set({ join_closed_at: sql<Date>`coalesce(join_closed_at, now())` })
    .where('id', '=', eventId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

// ---------------------------------------------------------------- enrollments

export interface EnrollmentRow {
  id: string;
  event_id: string;
  user_id: string;
  enrolled_at: Date;
  paused_at: Date | null;
  paused_total_ms: number;
  nudges_off_at: Date | null;
}

const ENROLLMENT_COLUMNS = [
  'id',
  'event_id',
  'user_id',
  'enrolled_at',
  'paused_at',
  'paused_total_ms',
  'nudges_off_at',
] as const;

/** Enrolls once: a second call changes nothing and returns created: false. */
export async function enroll(
  db: Executor,
  eventId: string,
  userId: string,
): Promise<{ enrollment: EnrollmentRow; created: boolean }> {
  const inserted = await db
    .insertInto('event_enrollments')
    .values({ event_id: eventId, user_id: userId })
    .onConflict((oc) => oc.columns(['event_id', 'user_id']).doNothing())
    .returning(ENROLLMENT_COLUMNS)
    .executeTakeFirst();
  if (inserted) return { enrollment: inserted, created: true };
  const existing = await findEnrollment(db, eventId, userId);
  return { enrollment: existing!, created: false };
}

export function findEnrollment(db: Executor, eventId: string, userId: string): Promise<EnrollmentRow | undefined> {
  return db
    .selectFrom('event_enrollments')
    .select(ENROLLMENT_COLUMNS)
    .where('event_id', '=', eventId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export function findEnrollmentById(db: Executor, id: string): Promise<EnrollmentRow | undefined> {
  return db.selectFrom('event_enrollments').select(ENROLLMENT_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function enrollmentsOfUser(db: Executor, userId: string): Promise<EnrollmentRow[]> {
  return db
    .selectFrom('event_enrollments')
    .select(ENROLLMENT_COLUMNS)
    .where('user_id', '=', userId)
    .orderBy('enrolled_at')
    .execute();
}

export function eventsByIds(db: Executor, ids: string[]): Promise<EventRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('events').select(EVENT_COLUMNS).where('id', 'in', ids).execute();
}

/** Starts a pause; false when already paused. */
export async function pauseEnrollment(db: Executor, enrollmentId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('event_enrollments')
    .set({ paused_at: now })
    .where('id', '=', enrollmentId)
    .where('paused_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends a pause, adding its length to paused_total_ms in one statement; false when not paused. */
export async function resumeEnrollment(db: Executor, enrollmentId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('event_enrollments')
    .set({
      paused_total_ms: sql<number>`paused_total_ms + greatest(0, round(extract(epoch from (${now}::timestamptz - paused_at)) * 1000))::bigint`,
      paused_at: null,
    })
    .where('id', '=', enrollmentId)
    .where('paused_at', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setNudgesOff(db: Executor, enrollmentId: string, off: boolean): Promise<boolean> {
  const result = await db
    .updateTable('event_enrollments')
    .set({ nudges_off_at: off ? sql<Date>`coalesce(nudges_off_at, now())` : null })
    .where('id', '=', enrollmentId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Enrolled people with what the organiser's dashboard shows of them. */
export function enrolleesOfEvent(db: Executor, eventId: string) {
  return (
    db
      .selectFrom('event_enrollments')
      .innerJoin('users', 'users.id', 'event_enrollments.user_id')
      // A deleted account's address is never shown (its name already says "Deleted account").
      .select([
        'event_enrollments.id',
        'users.id as user_id',
        'users.name',
        sql<string>`case when users.deleted_at is null then users.email else '' end`.as('email'),
        'event_enrollments.enrolled_at',
        'event_enrollments.paused_at',
        'event_enrollments.nudges_off_at',
      ])
      .where('event_enrollments.event_id', '=', eventId)
      .orderBy('users.name')
      .orderBy('users.email')
      .execute()
  );
}

/**
 * Lesson progress of an event's enrollees in the event's courses (states and times
 * only), as far as it happened since each person enrolled: a lesson completed before
 * joining is not the event's completion, and a lesson only started before is not activity.
 */
export function progressOfEnrollees(db: Executor, eventId: string, courseSlugs: string[]) {
  if (courseSlugs.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('lesson_progress')
    .innerJoin('event_enrollments', 'event_enrollments.user_id', 'lesson_progress.user_id')
    .select([
      'lesson_progress.user_id',
      'lesson_progress.course_slug',
      'lesson_progress.lesson_slug',
      'lesson_progress.started_at',
      sql<Date | null>`case when lesson_progress.completed_at >= event_enrollments.enrolled_at then lesson_progress.completed_at end`.as(
        'completed_at',
      ),
    ])
    .where('event_enrollments.event_id', '=', eventId)
    .where('lesson_progress.course_slug', 'in', courseSlugs)
    .where((eb) =>
      eb.or([
        eb('lesson_progress.started_at', '>=', eb.ref('event_enrollments.enrolled_at')),
        eb('lesson_progress.completed_at', '>=', eb.ref('event_enrollments.enrolled_at')),
      ]),
    )
    .execute();
}

/** Event enrollments that include `courseSlug`, for one learner (locked-lesson checks): one query however many. */
export function enrollmentsWithCourse(db: Executor, userId: string, courseSlug: string): Promise<EnrollmentRow[]> {
  return db
    .selectFrom('event_enrollments')
    .innerJoin('event_courses', 'event_courses.event_id', 'event_enrollments.event_id')
    .select(ENROLLMENT_COLUMNS.map((column) => `event_enrollments.${column}` as const))
    .where('event_enrollments.user_id', '=', userId)
    .where('event_courses.course_slug', '=', courseSlug)
    .execute();
}

// ---------------------------------------------------------------- nudges

export interface NudgeCandidate {
  enrollment_id: string;
  event_id: string;
  user_id: string;
  email: string;
  name: string;
  email_verified: boolean;
  enrolled_at: Date;
  paused_at: Date | null;
  paused_total_ms: number;
  time_zone: string;
  quiet_start_minute: number | null;
  quiet_end_minute: number | null;
}

/**
 * Enrollments that may get nudges: nudges on, the event's first unlock not more
 * than a year ago. Joined with each person's time zone and reminder preferences (quiet hours).
 */
export async function nudgeCandidates(db: Executor, now: Date): Promise<NudgeCandidate[]> {
  const result = await sql<NudgeCandidate>`
    select e.id as enrollment_id, e.event_id, e.user_id, u.email, u.name, (u.email_verified_at is not null) as email_verified,
      e.enrolled_at, e.paused_at, e.paused_total_ms, u.time_zone, p.quiet_start_minute, p.quiet_end_minute
    from event_enrollments e
    join events ev on ev.id = e.event_id
    join users u on u.id = e.user_id
    left join reminder_preferences p on p.user_id = e.user_id
    where e.nudges_off_at is null
      and ev.archived_at is null
      and u.deleted_at is null
      and u.deactivated_at is null
      and ev.event_date >= (${now}::timestamptz - interval '400 days')::date
    order by e.enrolled_at, e.id
  `.execute(db);
  return result.rows;
}

export interface NudgeRecord {
  enrollment_id: string;
  course_slug: string;
  lesson_slug: string;
  sent_at: Date | null;
  skipped_reason: string | null;
  lease_until: Date | null;
}

export function nudgesOf(db: Executor, enrollmentIds: string[]): Promise<NudgeRecord[]> {
  if (enrollmentIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('event_nudges')
    .select(['enrollment_id', 'course_slug', 'lesson_slug', 'sent_at', 'skipped_reason', 'lease_until'])
    .where('enrollment_id', 'in', enrollmentIds)
    .execute();
}

export interface NudgeKey {
  enrollmentId: string;
  courseSlug: string;
  lessonSlug: string;
}

/**
 * Claims one nudge for sending until `leaseUntil`. Only one caller wins: the first
 * insert, or a retake of a row whose lease ran out without being sent (a runner
 * that crashed). Sent and skipped rows are never claimed again.
 */
export async function claimNudge(
  db: Executor,
  key: NudgeKey,
  unlockedAt: Date,
  now: Date,
  leaseUntil: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('event_nudges')
    .values({
      enrollment_id: key.enrollmentId,
      course_slug: key.courseSlug,
      lesson_slug: key.lessonSlug,
      unlocked_at: unlockedAt,
      claimed_at: now,
      lease_until: leaseUntil,
      attempts: 1,
    })
    .onConflict((oc) =>
      oc
        .columns(['enrollment_id', 'course_slug', 'lesson_slug'])
        .doUpdateSet({ lease_until: leaseUntil, claimed_at: now, attempts: sql<number>`event_nudges.attempts + 1` })
        .where('event_nudges.sent_at', 'is', null)
        .where('event_nudges.skipped_reason', 'is', null)
        .where((eb) => eb.or([eb('event_nudges.lease_until', 'is', null), eb('event_nudges.lease_until', '<=', now)])),
    )
    .returning('enrollment_id')
    .executeTakeFirst();
  return row !== undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely builder with .where(), whatever its table
function whereKey<T extends { where: (...args: any[]) => T }>(query: T, key: NudgeKey): T {
  return query
    .where('enrollment_id', '=', key.enrollmentId)
    .where('course_slug', '=', key.courseSlug)
    .where('lesson_slug', '=', key.lessonSlug);
}

export async function markNudgeSent(db: Executor, key: NudgeKey, at: Date): Promise<void> {
  await whereKey(
    db.updateTable('event_nudges').set({ sent_at: at, lease_until: null, last_error: null }),
    key,
  ).execute();
}

/** A failed send: try again after `retryAt` (the lease doubles as the back-off). */
export async function releaseNudge(db: Executor, key: NudgeKey, retryAt: Date, error: string): Promise<void> {
  await whereKey(db.updateTable('event_nudges').set({ lease_until: retryAt, last_error: error }), key).execute();
}

export async function skipNudge(db: Executor, key: NudgeKey, unlockedAt: Date, reason: string): Promise<void> {
  await db
    .insertInto('event_nudges')
    .values({
      enrollment_id: key.enrollmentId,
      course_slug: key.courseSlug,
      lesson_slug: key.lessonSlug,
      unlocked_at: unlockedAt,
      skipped_reason: reason,
    })
    .onConflict((oc) =>
      oc
        .columns(['enrollment_id', 'course_slug', 'lesson_slug'])
        .doUpdateSet({ skipped_reason: reason, lease_until: null })
        .where('event_nudges.sent_at', 'is', null),
    )
    .execute();
}

/** Nudges recorded for one person (data export). */
export function nudgesOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('event_nudges')
    .innerJoin('event_enrollments', 'event_enrollments.id', 'event_nudges.enrollment_id')
    .select([
      'event_enrollments.event_id',
      'event_nudges.course_slug',
      'event_nudges.lesson_slug',
      'event_nudges.sent_at',
      'event_nudges.skipped_reason',
    ])
    .where('event_enrollments.user_id', '=', userId)
    .execute();
}

/** Sets (or, with null, removes) the event's own credit activity. */
export async function setEventCredit(db: Executor, eventId: string, credit: EventCreditJson | null): Promise<void> {
  await db
    .updateTable('events')
    .set({ credit: credit ? JSON.stringify(credit) : null })
    .where('id', '=', eventId)
    .execute();
}

/** Every event that offers credit of its own, newest first (the provider's reports). */
export function eventsWithCredit(db: Executor): Promise<EventRow[]> {
  return db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .where('credit', 'is not', null)
    .orderBy('event_date', 'desc')
    .orderBy('slug')
    .execute();
}
