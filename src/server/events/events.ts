import { signLink, verifyLink } from '#server/platform/signed-links.ts';
import { requireAdmin, type RequestContext } from '#server/kernel/context.ts';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog, CatalogCourse, CatalogLesson } from '#lib/catalog.ts';
import { lessonUrl } from '#lib/catalog.ts';

import * as repo from './repo.ts';
import { eventActivity } from './event-credit.ts';
import { zoneLabel } from '#lib/time-format.ts';
import { recordAudit } from '#server/audit/index.ts';
import { progressOfUser, progressOnce } from '#server/progress/index.ts';
import { certificatesIssuedForEvent } from '#server/certificates/index.ts';
import { creditClaimedForEvent, creditProvider, type EventCreditRow } from '#server/credit/index.ts';
import { settings } from '#server/platform/settings.ts';

import { consumeAll, ensureNoneThrottled, joinCodeCounters } from '#server/platform/throttle.ts';
import { composeMail } from '#server/platform/mail.ts';
import { deliver, type Delivery } from '#server/notifications/index.ts';
import { claimMailDay, dayOf, markMailDaySent, releaseMailDay, type DayKey } from '#server/platform/daily-mail.ts';
import { toCsv } from '#lib/csv.ts';
import {
  CREDIT_TYPE_LABELS,
  eventActivityKey,
  eventContactHours,
  offeredCredit,
  type CourseCredit,
  type CreditProviderSettings,
  type CreditType,
} from '#lib/credit-rules.ts';
import { EVENT_CODE_MESSAGES, isEventSlug, isLegacyEventCode, newEventCode, slugify } from '#lib/event-rules.ts';
import { DEFAULT_QUIET_END, DEFAULT_QUIET_START, dateIn, inQuietHours } from '#lib/team-rules.ts';
import {
  formatUnlock,
  lessonRelease,
  releasedLessonCount,
  unlockAtFor,
  type PauseState,
  type ReleaseSchedule,
} from '#lib/release-schedule.ts';
import { ConflictError, FieldError, NotFoundError } from '#server/kernel/errors.ts';

const DAY = 86_400_000;

const NO_SUCH_EVENT = 'That event does not exist.';
const ADMINS_ONLY = 'Only administrators can manage events.';

export function scheduleOf(event: repo.EventRow): ReleaseSchedule {
  return {
    timeZone: event.time_zone,
    eventDate: event.event_date,
    unlockMinute: event.unlock_minute,
    firstUnlockDays: event.first_unlock_days,
    intervalDays: event.interval_days,
    dayOffsets: event.day_offsets,
    keptOpen: event.schedule_changed_at ? { count: event.lessons_kept_open, since: event.schedule_changed_at } : null,
  };
}

export function pauseOf(enrollment: { paused_at: Date | null; paused_total_ms: number }): PauseState {
  return { pausedAt: enrollment.paused_at, pausedTotalMs: Number(enrollment.paused_total_ms) };
}

/** The event's lessons in release order: its courses in order, each course's lessons in order. */
export function eventLessons(
  catalog: Catalog,
  courseSlugs: string[],
): { course: CatalogCourse; lesson: CatalogLesson }[] {
  return courseSlugs.flatMap((slug) => {
    const course = catalog.course(slug);
    return course ? course.lessons.map((lesson) => ({ course, lesson })) : [];
  });
}

// ---------------------------------------------------------------- organisers

export interface EventInput {
  name: string;
  slug: string;
  eventDate: string;
  timeZone: string;
  location: string;
  welcomeMessage: string;
  courses: string[];
  unlockMinute: number;
  firstUnlockDays: number;
  intervalDays: number;
  dayOffsets: number[] | null;
  /** Weeks of review questions by email after the drip ends (0 or left out: none). */
  reviewWeeks?: number;
}

export async function createEvent(ctx: RequestContext, input: EventInput) {
  requireAdmin(ctx, ADMINS_ONLY);
  const courses = [...new Set(input.courses)];
  for (const slug of courses)
    if (!ctx.catalog.course(slug)) throw new FieldError('courses', 'Choose courses from the list.');
  const slug = input.slug || slugify(input.name);
  if (slug.length < 3)
    throw new FieldError('slug', 'Choose a web address of at least 3 letters or digits, e.g. nursing-symposium-2027.');
  const lessonCount = eventLessons(ctx.catalog, courses).length;
  if (input.dayOffsets && input.dayOffsets.length > lessonCount) {
    throw new FieldError(
      'dayOffsets',
      `These courses have ${lessonCount} lessons; list at most ${lessonCount} days (one per lesson).`,
    );
  }
  return ctx.db.transaction().execute(async (tx) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await repo.slugTaken(tx, slug))
        throw new FieldError('slug', `Another event already uses /events/${slug}. Choose a different web address.`);
      const event = await repo.insertEvent(tx, { ...input, slug, joinCode: newEventCode(), createdBy: ctx.user.id });
      if (!event) continue; // the code was taken: draw another
      await repo.setEventCourses(tx, event.id, courses);
      await recordAudit(tx, {
        actorId: ctx.user.id,
        action: 'event.create',
        target: `event:${event.id}`,
        details: { slug, courses, reviewWeeks: input.reviewWeeks ?? 0 },
      });
      return { eventId: event.id, slug: event.slug, code: event.join_code };
    }
    throw new Error('could not find a free event code');
  });
}

async function requireEvent(ctx: RequestContext, eventId: string): Promise<repo.EventRow> {
  requireAdmin(ctx, ADMINS_ONLY);
  const event = await repo.findEventById(ctx.db, eventId);
  if (!event) throw new NotFoundError(NO_SUCH_EVENT);
  return event;
}

/** A fresh code: the old one stops working at once, and joining is open again. */
export async function regenerateCode(ctx: RequestContext, input: { eventId: string }) {
  const event = await requireEvent(ctx, input.eventId);
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = newEventCode();
    if (await repo.setJoinCode(ctx.db, event.id, code).catch(() => false)) {
      await recordAudit(ctx.db, { actorId: ctx.user.id, action: 'event.regenerate-code', target: `event:${event.id}` });
      return { code };
    }
  }
  throw new Error('could not find a free event code');
}

export async function closeJoining(ctx: RequestContext, input: { eventId: string }) {
  const event = await requireEvent(ctx, input.eventId);
  await repo.closeJoining(ctx.db, event.id);
  await recordAudit(ctx.db, { actorId: ctx.user.id, action: 'event.close-joining', target: `event:${event.id}` });
  return { closed: true };
}

/** Opens joining again with the same code (an archived event stays closed until unarchived). */
export async function reopenJoining(ctx: RequestContext, input: { eventId: string }) {
  const event = await requireEvent(ctx, input.eventId);
  if (event.archived_at) throw new ConflictError('This event is archived. Unarchive it first to open joining again.');
  await repo.reopenJoining(ctx.db, event.id);
  await recordAudit(ctx.db, { actorId: ctx.user.id, action: 'event.reopen-joining', target: `event:${event.id}` });
  return { closed: false };
}

/**
 * Archives an event: off the active list, closed to joining, no more lesson emails.
 * Enrolments, progress and certificates stay as they are; unarchiving brings it back.
 */
export async function setArchived(ctx: RequestContext, input: { eventId: string; archived: boolean }) {
  const event = await requireEvent(ctx, input.eventId);
  await repo.setArchived(ctx.db, event.id, input.archived);
  await recordAudit(ctx.db, {
    actorId: ctx.user.id,
    action: input.archived ? 'event.archive' : 'event.unarchive',
    target: `event:${event.id}`,
  });
  return { slug: event.slug, archived: input.archived };
}

/** What an organiser may change after creating an event: everything but its courses and web address. */
export type EventChanges = Omit<EventInput, 'slug' | 'courses'>;

const SCHEDULE_FIELDS = [
  'eventDate',
  'timeZone',
  'unlockMinute',
  'firstUnlockDays',
  'intervalDays',
  'dayOffsets',
] as const;

/**
 * Edits an event. The web address and courses stay (shared QR codes and links keep
 * working; lesson positions keep their meaning). When the schedule changes, every
 * lesson the event had already released stays open for everyone; only lessons not
 * released yet move to the new dates.
 */
export async function updateEvent(ctx: RequestContext, input: EventChanges & { eventId: string }) {
  const event = await requireEvent(ctx, input.eventId);
  const courseSlugs = (await repo.coursesOfEvents(ctx.db, [event.id])).get(event.id) ?? [];
  const lessonCount = eventLessons(ctx.catalog, courseSlugs).length;
  if (input.dayOffsets && input.dayOffsets.length > lessonCount) {
    throw new FieldError(
      'dayOffsets',
      `These courses have ${lessonCount} lessons; list at most ${lessonCount} days (one per lesson).`,
    );
  }
  const before = scheduleOf(event);
  const after = {
    eventDate: input.eventDate,
    timeZone: input.timeZone,
    unlockMinute: input.unlockMinute,
    firstUnlockDays: input.firstUnlockDays,
    intervalDays: input.intervalDays,
    dayOffsets: input.dayOffsets,
  };
  const current = {
    eventDate: before.eventDate,
    timeZone: before.timeZone,
    unlockMinute: before.unlockMinute,
    firstUnlockDays: before.firstUnlockDays,
    intervalDays: before.intervalDays,
    dayOffsets: before.dayOffsets ?? null,
  };
  const scheduleChanged = SCHEDULE_FIELDS.filter(
    (field) => JSON.stringify(after[field]) !== JSON.stringify(current[field]),
  );
  const now = ctx.now ?? new Date();
  const keptOpen = scheduleChanged.length
    ? { count: releasedLessonCount(before, lessonCount, now), since: now }
    : undefined;
  const words = { name: event.name, location: event.location, welcomeMessage: event.welcome_message };
  const changed = [
    ...(['name', 'location', 'welcomeMessage'] as const).filter((field) => input[field] !== words[field]),
    ...(input.reviewWeeks !== undefined && input.reviewWeeks !== event.review_weeks ? ['reviewWeeks' as const] : []),
    ...scheduleChanged,
  ];
  if (changed.length === 0) return { slug: event.slug, changed };
  await ctx.db.transaction().execute(async (tx) => {
    await repo.updateEvent(tx, event.id, { ...input, keptOpen });
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'event.update',
      target: `event:${event.id}`,
      details: { changed, ...(keptOpen ? { lessonsKeptOpen: keptOpen.count } : {}) },
    });
  });
  return { slug: event.slug, changed };
}

/** The event as its edit form shows it. */
export async function eventForEditing(ctx: RequestContext, slug: string) {
  requireAdmin(ctx, ADMINS_ONLY);
  const event = isEventSlug(slug) ? await repo.findEventBySlug(ctx.db, slug) : undefined;
  if (!event) throw new NotFoundError(NO_SUCH_EVENT);
  const courseSlugs = (await repo.coursesOfEvents(ctx.db, [event.id])).get(event.id) ?? [];
  const lessonCount = eventLessons(ctx.catalog, courseSlugs).length;
  const courses = courseSlugs.map((s) => ctx.catalog.course(s)).filter((c): c is CatalogCourse => c !== undefined);
  return {
    event,
    courseTitles: courseSlugs.map((s) => ctx.catalog.course(s)?.title ?? s),
    /** The most hours the event's own credit may state (decision 0045). */
    maxCreditHours: eventContactHours(courses),
    enabledCreditTypes: (await creditProvider(ctx.db)).enabledTypes,
    lessonCount,
    releasedCount: releasedLessonCount(scheduleOf(event), lessonCount, ctx.now ?? new Date()),
  };
}

export async function listEvents(ctx: RequestContext, options: { archived?: boolean } = {}) {
  requireAdmin(ctx, ADMINS_ONLY);
  const events = await repo.listEvents(ctx.db, options.archived ?? false);
  const courses = await repo.coursesOfEvents(
    ctx.db,
    events.map((e) => e.id),
  );
  return events.map((event) => ({
    ...event,
    enrolled: Number(event.enrolled ?? 0),
    courses: (courses.get(event.id) ?? []).map((slug) => ctx.catalog.course(slug)?.title ?? slug),
  }));
}

// ---------------------------------------------------------------- public page and joining

export async function publicEvent(db: Kysely<Database>, catalog: Catalog, slug: string) {
  const event = isEventSlug(slug) ? await repo.findEventBySlug(db, slug) : undefined;
  if (!event) return undefined;
  const courseSlugs = (await repo.coursesOfEvents(db, [event.id])).get(event.id) ?? [];
  const courses = courseSlugs.map((s) => catalog.course(s)).filter((c): c is CatalogCourse => c !== undefined);
  return {
    event,
    courses,
    lessonCount: eventLessons(catalog, courseSlugs).length,
    schedule: scheduleOf(event),
    joinOpen: event.join_closed_at === null && event.archived_at === null,
  };
}

/** The join link a QR code shows, or why there is none. */
export async function joinLinkOf(
  db: Kysely<Database>,
  slug: string,
): Promise<{ url: string; slug: string } | 'not-found' | 'closed'> {
  const event = isEventSlug(slug) ? await repo.findEventBySlug(db, slug) : undefined;
  if (!event) return 'not-found';
  if (event.join_closed_at || event.archived_at) return 'closed';
  return { url: `${settings().PUBLIC_URL}/join/${event.join_code}`, slug: event.slug };
}

export type EventCodeLookup =
  { ok: true; event: repo.EventRow } | { ok: false; reason: 'unknown' | 'closed'; message: string };

/**
 * What /join/<code> shows for an event code. Unknown codes count against the same
 * per-address limit as team codes; a code that exists is never refused (short codes made
 * before codes grew excepted), so one guesser cannot block a venue's attendees.
 */
export async function lookUpEventCode(
  db: Kysely<Database>,
  code: string | undefined,
  clientIp: string,
): Promise<EventCodeLookup> {
  const counters = joinCodeCounters(clientIp);
  if (!code || isLegacyEventCode(code)) await ensureNoneThrottled(db, counters);
  const event = code ? await repo.findEventByCode(db, code) : undefined;
  if (!event) {
    await consumeAll(db, counters);
    return { ok: false, reason: 'unknown', message: EVENT_CODE_MESSAGES.unknown };
  }
  if (event.join_closed_at || event.archived_at)
    return { ok: false, reason: 'closed', message: EVENT_CODE_MESSAGES.closed };
  return { ok: true, event };
}

/** Enrolls the signed-in person. Enrolling twice is harmless (even after joining closed). */
export async function joinEvent(ctx: RequestContext & { clientIp: string }, input: { code: string }) {
  const counters = joinCodeCounters(ctx.clientIp, ctx.user.id);
  if (isLegacyEventCode(input.code)) await ensureNoneThrottled(ctx.db, counters);
  const event = await repo.findEventByCode(ctx.db, input.code);
  if (!event) {
    await consumeAll(ctx.db, counters);
    throw new FieldError('code', EVENT_CODE_MESSAGES.unknown);
  }
  const existing = await repo.findEnrollment(ctx.db, event.id, ctx.user.id);
  if (existing) return { slug: event.slug, name: event.name, alreadyEnrolled: true };
  if (event.join_closed_at || event.archived_at) throw new FieldError('code', EVENT_CODE_MESSAGES.closed);
  const { created } = await repo.enroll(ctx.db, event.id, ctx.user.id);
  return { slug: event.slug, name: event.name, alreadyEnrolled: !created };
}

async function myEnrollment(ctx: RequestContext, eventId: string) {
  const enrollment = await repo.findEnrollment(ctx.db, eventId, ctx.user.id);
  if (!enrollment) throw new NotFoundError('You are not enrolled in this event.');
  return enrollment;
}

export async function pauseSchedule(ctx: RequestContext, input: { eventId: string }) {
  const enrollment = await myEnrollment(ctx, input.eventId);
  await repo.pauseEnrollment(ctx.db, enrollment.id, ctx.now ?? new Date());
  return { paused: true };
}

export async function resumeSchedule(ctx: RequestContext, input: { eventId: string }) {
  const enrollment = await myEnrollment(ctx, input.eventId);
  await repo.resumeEnrollment(ctx.db, enrollment.id, ctx.now ?? new Date());
  return { paused: false };
}

export async function setNudges(ctx: RequestContext, input: { eventId: string; on: boolean }) {
  const enrollment = await myEnrollment(ctx, input.eventId);
  await repo.setNudgesOff(ctx.db, enrollment.id, !input.on);
  return { nudges: input.on };
}

// ---------------------------------------------------------------- the learner's view

export interface EventLessonView {
  lesson: CatalogLesson;
  course: CatalogCourse;
  state: 'unlocked' | 'locked' | 'paused';
  completed: boolean;
  /** 'Tue 3 Feb, 7:00' in the reader's time zone, for locked lessons. */
  unlocksLabel?: string;
  unlocksAt?: Date;
}

/** Whether the signed-in person has joined the event (its page then offers Today instead of the code form). */
export async function isEnrolled({ db, user }: RequestContext, eventId: string): Promise<boolean> {
  return (await repo.findEnrollment(db, eventId, user.id)) !== undefined;
}

/** Every event the person is enrolled in, with each lesson's state (Today). */
export async function myEvents(ctx: RequestContext) {
  const { db, catalog, user, now = new Date() } = ctx;
  const userId = user.id;
  const enrollments = await repo.enrollmentsOfUser(db, userId);
  if (enrollments.length === 0) return [];
  const [events, courses, progress] = await Promise.all([
    repo.eventsByIds(
      db,
      enrollments.map((e) => e.event_id),
    ),
    repo.coursesOfEvents(
      db,
      enrollments.map((e) => e.event_id),
    ),
    progressOnce(ctx),
  ]);
  const completed = new Set(progress.filter((p) => p.completed_at).map((p) => `${p.course_slug}/${p.lesson_slug}`));
  const byId = new Map(events.map((e) => [e.id, e]));
  return enrollments.map((enrollment) => {
    const event = byId.get(enrollment.event_id)!;
    const schedule = scheduleOf(event);
    const zone = user.timeZone; // unlock times in the attendee's own zone
    const pause = pauseOf(enrollment);
    const lessons: EventLessonView[] = eventLessons(catalog, courses.get(event.id) ?? []).map(
      ({ course, lesson }, index) => {
        const release = lessonRelease(schedule, index, pause, now);
        const view: EventLessonView = {
          course,
          lesson,
          state: release.state,
          completed: completed.has(`${course.slug}/${lesson.slug}`),
        };
        if (release.state === 'locked') {
          view.unlocksAt = release.unlocksAt;
          view.unlocksLabel = formatUnlock(release.unlocksAt, zone);
        }
        return view;
      },
    );
    const next = lessons.find((l) => l.state === 'unlocked' && !l.completed);
    return {
      event,
      enrollment,
      timeZone: zone,
      paused: enrollment.paused_at !== null,
      nudgesOn: enrollment.nudges_off_at === null,
      lessons,
      next,
      done: lessons.filter((l) => l.completed).length,
    };
  });
}

/**
 * Why this learner may not complete a lesson yet, or undefined when they may: a
 * lesson is locked when every event they joined that includes its course has not
 * released it to them. Lessons outside any joined event are never locked.
 */
export async function lessonLock(
  db: Kysely<Database>,
  catalog: Catalog,
  reader: { id: string; timeZone: string },
  courseSlug: string,
  lessonSlug: string,
  now = new Date(),
): Promise<string | undefined> {
  return (await courseLocks(db, catalog, reader, courseSlug, now)).get(lessonSlug);
}

/**
 * Why each still-locked lesson of a course cannot be completed yet by this learner (the
 * lessons missing from the map are open): the same three queries however many lessons
 * and events. A lesson is locked only while every joined event that has it holds it back.
 */
export async function courseLocks(
  db: Kysely<Database>,
  catalog: Catalog,
  reader: { id: string; timeZone: string },
  courseSlug: string,
  now = new Date(),
): Promise<Map<string, string>> {
  const locks = new Map<string, string>();
  const enrollments = await repo.enrollmentsWithCourse(db, reader.id, courseSlug);
  if (enrollments.length === 0) return locks;
  const events = new Map(
    (
      await repo.eventsByIds(
        db,
        enrollments.map((e) => e.event_id),
      )
    ).map((e) => [e.id, e]),
  );
  const courses = await repo.coursesOfEvents(db, [...events.keys()]);
  lessons: for (const lesson of catalog.course(courseSlug)?.lessons ?? []) {
    let reason: string | undefined;
    for (const enrollment of enrollments) {
      const event = events.get(enrollment.event_id);
      if (!event) continue;
      const index = eventLessons(catalog, courses.get(event.id) ?? []).findIndex(
        (l) => l.course.slug === courseSlug && l.lesson.slug === lesson.slug,
      );
      if (index < 0) continue lessons;
      const release = lessonRelease(scheduleOf(event), index, pauseOf(enrollment), now);
      if (release.state === 'unlocked') continue lessons;
      if (release.state === 'paused')
        reason ??= `Your ${event.name} schedule is paused. Resume it on Today to open this lesson.`;
      else {
        const zone = reader.timeZone;
        reason ??= `This lesson of ${event.name} opens on ${formatUnlock(release.unlocksAt, zone)} (${zoneLabel(zone)}). You can read it now; marking it complete waits until then.`;
      }
    }
    if (reason) locks.set(lesson.slug, reason);
  }
  return locks;
}

// ---------------------------------------------------------------- unsubscribe links

const UNSUBSCRIBE = 'unsubscribe-event-nudges';

export function unsubscribeToken(db: Kysely<Database>, enrollmentId: string): Promise<string> {
  return signLink(db, UNSUBSCRIBE, enrollmentId);
}

/** Turns nudges off for the enrollment a signed link names; the event's name, or undefined when the link is not valid. */
export async function unsubscribeWithToken(
  db: Kysely<Database>,
  token: string,
): Promise<{ eventName: string; slug: string } | undefined> {
  const enrollmentId = await verifyLink(db, UNSUBSCRIBE, token);
  if (!enrollmentId) return undefined;
  const enrollment = await repo.findEnrollmentById(db, enrollmentId);
  if (!enrollment) return undefined;
  await repo.setNudgesOff(db, enrollment.id, true);
  const event = await repo.findEventById(db, enrollment.event_id);
  return event ? { eventName: event.name, slug: event.slug } : undefined;
}

// ---------------------------------------------------------------- nudges

export interface NudgeRunResult {
  sent: number;
  /** Of those sent, how many went by push (the rest by email). */
  pushed: number;
  failed: number;
  /** Due but inside the person's quiet hours: sent by a later run. */
  waiting: number;
}

export interface NudgeOptions {
  /** How mail leaves (tests replace it); default: SMTP or the outbox. */
  send?: (db: Kysely<Database>, mail: ReturnType<typeof composeMail>) => Promise<void>;
  /** How long a claimed nudge is reserved for the runner that claimed it. */
  leaseMs?: number;
}

/** Lessons unlocked longer ago than this get no nudge (the server was down, or the address was confirmed late). */
const NUDGE_WINDOW = 7 * DAY;

/**
 * Sends one email per newly unlocked lesson and enrolled learner. Safe to run at
 * any time, twice at once, or again after a crash: each nudge is claimed in the
 * database before it is sent (the (enrollment, course, lesson) key admits one row)
 * and marked sent after; a claim whose runner died is retaken once its lease ends.
 * Only a crash in the instant between the SMTP server accepting a message and the
 * row being marked could repeat one nudge.
 *
 * Nudged: lessons that unlocked after the person enrolled (a late joiner is not
 * sent the backlog), within the last week, not completed yet, to a confirmed
 * address, outside the person's quiet hours, unless they turned nudges off.
 */
export async function runEventNudges(
  db: Kysely<Database>,
  catalog: Catalog,
  now = new Date(),
  options: NudgeOptions = {},
): Promise<NudgeRunResult> {
  const result: NudgeRunResult = { sent: 0, pushed: 0, failed: 0, waiting: 0 };
  const candidates = await repo.nudgeCandidates(db, now);
  if (candidates.length === 0) return result;
  const eventIds = [...new Set(candidates.map((c) => c.event_id))];
  const [events, courses, records] = await Promise.all([
    repo.eventsByIds(db, eventIds),
    repo.coursesOfEvents(db, eventIds),
    repo.nudgesOf(
      db,
      candidates.map((c) => c.enrollment_id),
    ),
  ]);
  const eventById = new Map(events.map((e) => [e.id, e]));
  const recorded = new Map(records.map((r) => [`${r.enrollment_id}/${r.course_slug}/${r.lesson_slug}`, r]));
  const base = settings().PUBLIC_URL;

  // Everything due to one person goes in one email (decision 0040: one automatic email a day).
  type DueNudge = {
    candidate: repo.NudgeCandidate;
    event: (typeof events)[number];
    course: CatalogCourse;
    lesson: CatalogLesson;
    unlockedAt: Date;
  };
  const byPerson = new Map<string, DueNudge[]>();
  for (const candidate of candidates) {
    const event = eventById.get(candidate.event_id)!;
    const schedule = scheduleOf(event);
    const pause = pauseOf(candidate);
    const due = eventLessons(catalog, courses.get(event.id) ?? []).flatMap(({ course, lesson }, index) => {
      const unlockedAt = unlockAtFor(schedule, index, pause);
      if (
        !unlockedAt ||
        unlockedAt > now ||
        unlockedAt <= candidate.enrolled_at ||
        now.getTime() - unlockedAt.getTime() > NUDGE_WINDOW
      )
        return [];
      if (settledNudge(recorded.get(`${candidate.enrollment_id}/${course.slug}/${lesson.slug}`), now)) return [];
      return [{ course, lesson, unlockedAt }];
    });
    if (due.length === 0 || !candidate.email_verified) continue;
    if (inQuietHours(quietHoursOf(candidate), now)) {
      result.waiting += due.length;
      continue;
    }
    const completed = new Set(
      (await progressOfUser(db, candidate.user_id))
        .filter((p) => p.completed_at)
        .map((p) => `${p.course_slug}/${p.lesson_slug}`),
    );
    for (const { course, lesson, unlockedAt } of due) {
      const key = { enrollmentId: candidate.enrollment_id, courseSlug: course.slug, lessonSlug: lesson.slug };
      if (completed.has(`${course.slug}/${lesson.slug}`)) {
        await repo.skipNudge(db, key, unlockedAt, 'completed');
        continue;
      }
      const list = byPerson.get(candidate.user_id) ?? [];
      list.push({ candidate, event, course, lesson, unlockedAt });
      byPerson.set(candidate.user_id, list);
    }
  }

  for (const due of byPerson.values()) {
    const { candidate } = due[0]!;
    const keyOf = (d: DueNudge) => ({
      key: { enrollmentId: d.candidate.enrollment_id, courseSlug: d.course.slug, lessonSlug: d.lesson.slug },
      opened: d.unlockedAt,
    });
    const day = dayOf(candidate.user_id, candidate.time_zone, now);
    await sendThroughLedger(db, { keys: due.map(keyOf), day, now, options, result }, async (claimed) => {
      const sent = due.filter((d) =>
        claimed.some(
          (c) =>
            c.enrollmentId === d.candidate.enrollment_id &&
            c.courseSlug === d.course.slug &&
            c.lessonSlug === d.lesson.slug,
        ),
      );
      const joined = [...new Map(sent.map((d) => [d.candidate.enrollment_id, d])).values()];
      const links = await Promise.all(
        joined.map(
          async (d) =>
            `${base}/events/${d.event.slug}/unsubscribe?token=${await unsubscribeToken(db, d.candidate.enrollment_id)}`,
        ),
      );
      const first = sent[0]!;
      const footer =
        joined.length === 1
          ? `You get this because you joined the event “${first.event.name}” on Rounds. To stop these emails for this event, open this link: ${links[0]}`
          : `You get this because you joined these events on Rounds. To stop these emails for one of them, open its link: ${joined.map((d, i) => `“${d.event.name}”: ${links[i]}`).join(' · ')}`;
      const push =
        sent.length === 1
          ? {
              title: `New lesson open: ${first.lesson.title}`,
              body: `${first.event.name} · ${first.course.title}, about ${first.lesson.minutes} minutes.`,
              url: lessonUrl(first.lesson),
              tag: `event-${first.event.id}`,
            }
          : {
              title: `${sent.length} new lessons open`,
              body: sent.map((d) => d.lesson.title).join(' · '),
              url: lessonUrl(first.lesson),
              tag: `event-${first.event.id}`,
            };
      const mail =
        sent.length === 1
          ? composeMail({
              to: candidate.email,
              subject: `New lesson open: ${first.lesson.title}`,
              greeting: `Hello ${candidate.name},`,
              paragraphs: [
                `The next lesson of the event “${first.event.name}” is open for you: “${first.lesson.title}” (${first.course.title}), about ${first.lesson.minutes} minutes.`,
                first.lesson.summary,
              ],
              action: { label: 'Open the lesson', url: `${base}${lessonUrl(first.lesson)}` },
              footer,
              unsubscribeUrl: links[0],
            })
          : composeMail({
              to: candidate.email,
              subject: `New lessons open: ${sent.map((d) => d.lesson.title).join('; ')}`,
              greeting: `Hello ${candidate.name},`,
              paragraphs: [
                `${sent.length} lessons are open for you, all in one email:`,
                ...sent.map(
                  (d) =>
                    `“${d.lesson.title}” (${d.course.title}, event “${d.event.name}”), about ${d.lesson.minutes} minutes: ${base}${lessonUrl(d.lesson)}`,
                ),
              ],
              action: { label: `Open “${first.lesson.title}”`, url: `${base}${lessonUrl(first.lesson)}` },
              footer,
              unsubscribeUrl: links[0],
            });
      return { userId: candidate.user_id, push, mail };
    });
  }
  return result;
}

/** A ledger row that needs nothing more: sent, skipped, or held by a runner right now. */
export function settledNudge(record: repo.NudgeRecord | undefined, now: Date): boolean {
  return Boolean(
    record && (record.sent_at || record.skipped_reason || (record.lease_until && record.lease_until > now)),
  );
}

/** A candidate's quiet hours, with the defaults where they set none. */
export function quietHoursOf(candidate: repo.NudgeCandidate) {
  return {
    timeZone: candidate.time_zone,
    startMinute: candidate.quiet_start_minute ?? DEFAULT_QUIET_START,
    endMinute: candidate.quiet_end_minute ?? DEFAULT_QUIET_END,
  };
}

/**
 * Claims the person's day (one automatic email a day, decision 0040) and the ledger rows,
 * delivers the one reminder `compose` builds for the rows it got (by push to the person's
 * devices, else by email: `deliver`, decision 0044), and marks them and the day sent; on a failure it releases them for a retry in 15 minutes. A day that had its
 * email, or rows another runner holds, are left alone, so two runners send each email
 * once (decision 0013). With the day taken the nudges wait for a later run.
 */
export async function sendThroughLedger(
  db: Kysely<Database>,
  run: {
    keys: { key: repo.NudgeKey; opened: Date }[];
    day: DayKey;
    now: Date;
    options: NudgeOptions;
    result: NudgeRunResult;
  },
  compose: (claimed: repo.NudgeKey[]) => Delivery | Promise<Delivery>,
): Promise<void> {
  const { keys, day, now, options, result } = run;
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  if (!(await claimMailDay(db, day, 'event-nudges', now, leaseMs))) {
    result.waiting += keys.length;
    return;
  }
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const claimed: repo.NudgeKey[] = [];
  for (const { key, opened } of keys) if (await repo.claimNudge(db, key, opened, now, leaseUntil)) claimed.push(key);
  if (claimed.length === 0) {
    await releaseMailDay(db, day, now, null);
    return;
  }
  try {
    const way = await deliver(db, await compose(claimed), { sendMail: options.send });
    const at = new Date();
    for (const key of claimed) await repo.markNudgeSent(db, key, at);
    await markMailDaySent(db, day, at);
    result.sent += claimed.length;
    if (way === 'push') result.pushed += claimed.length;
  } catch (error) {
    const reason = String((error as Error)?.message ?? error).slice(0, 500);
    const retryAt = new Date(now.getTime() + 15 * 60_000);
    for (const key of claimed) await repo.releaseNudge(db, key, retryAt, reason);
    await releaseMailDay(db, day, retryAt, reason);
    result.failed += claimed.length;
  }
}

// ---------------------------------------------------------------- the organiser's dashboard

/**
 * Per kind of credit the course offers here (the provider has enabled it), and any other
 * kind claimed before the provider or the course changed: how many attendees claimed it
 * and the hours they claimed. Zeros show too, so an organiser sees credit offered but not
 * yet claimed.
 */
function creditClaimedFor(
  credit: CourseCredit | undefined,
  provider: CreditProviderSettings,
  claimed: EventCreditRow[],
) {
  const offered = offeredCredit(credit, provider).map((t) => t.type);
  const types = [...new Set([...offered, ...claimed.map((r) => r.credit_type)])];
  return types.map((type) => {
    const row = claimed.find((r) => r.credit_type === type);
    return {
      type,
      label: CREDIT_TYPE_LABELS[type as CreditType] ?? type,
      learners: row?.learners ?? 0,
      hours: row?.hours ?? 0,
    };
  });
}

export async function dashboard(ctx: RequestContext, slug: string) {
  requireAdmin(ctx, ADMINS_ONLY);
  const event = isEventSlug(slug) ? await repo.findEventBySlug(ctx.db, slug) : undefined;
  if (!event) throw new NotFoundError(NO_SUCH_EVENT);
  const now = ctx.now ?? new Date();
  const courseSlugs = (await repo.coursesOfEvents(ctx.db, [event.id])).get(event.id) ?? [];
  const [enrollees, progress, certificates, credit, provider] = await Promise.all([
    repo.enrolleesOfEvent(ctx.db, event.id),
    repo.progressOfEnrollees(ctx.db, event.id, courseSlugs),
    certificatesIssuedForEvent(ctx.db, event.id, courseSlugs),
    // The courses' activities and the event's own (decision 0045).
    creditClaimedForEvent(ctx.db, event.id, [...courseSlugs, eventActivityKey(event.slug)]),
    creditProvider(ctx.db),
  ]);
  const lessons = eventLessons(ctx.catalog, courseSlugs);
  const schedule = scheduleOf(event);
  const weekAgo = now.getTime() - 7 * DAY;
  // Only what happened since each person enrolled counts (the repo leaves out earlier completions).
  const enrolledAt = new Map(enrollees.map((e) => [e.user_id, e.enrolled_at.getTime()]));
  const perUser = new Map<string, { lastActive: number; done: Set<string> }>();
  for (const row of progress) {
    const entry = perUser.get(row.user_id) ?? { lastActive: 0, done: new Set<string>() };
    const started = row.started_at.getTime() >= (enrolledAt.get(row.user_id) ?? 0) ? row.started_at.getTime() : 0;
    entry.lastActive = Math.max(entry.lastActive, started, row.completed_at?.getTime() ?? 0);
    if (row.completed_at) entry.done.add(`${row.course_slug}/${row.lesson_slug}`);
    perUser.set(row.user_id, entry);
  }
  const funnel = lessons.map(({ course, lesson }, index) => {
    const key = `${course.slug}/${lesson.slug}`;
    const completed = enrollees.filter((e) => perUser.get(e.user_id)?.done.has(key)).length;
    const opens = lessonRelease(schedule, index, { pausedAt: null, pausedTotalMs: 0 }, now);
    const kept = index < (schedule.keptOpen?.count ?? 0);
    return {
      course,
      lesson,
      completed,
      opensLabel: kept
        ? 'Open (it had opened before the schedule changed)'
        : formatUnlock(
            opens.state === 'unlocked' ? opens.unlockedAt : (opens as { unlocksAt: Date }).unlocksAt,
            event.time_zone,
          ),
      open: opens.state === 'unlocked',
    };
  });
  const coursesDone = courseSlugs.map((courseSlug) => {
    const course = ctx.catalog.course(courseSlug);
    const count = course
      ? enrollees.filter(
          (e) =>
            course.lessons.length > 0 &&
            course.lessons.every((l) => perUser.get(e.user_id)?.done.has(`${course.slug}/${l.slug}`)),
        ).length
      : 0;
    return {
      courseSlug,
      title: course?.title ?? courseSlug,
      count,
      certificates: certificates.get(courseSlug) ?? 0,
      credit: creditClaimedFor(
        course?.credit,
        provider,
        credit.filter((row) => row.course_slug === courseSlug),
      ),
    };
  });
  const people = enrollees.map((e) => {
    const entry = perUser.get(e.user_id);
    return {
      name: e.name,
      email: e.email,
      enrolledAt: e.enrolled_at,
      paused: e.paused_at !== null,
      nudgesOn: e.nudges_off_at === null,
      lastActive: entry && entry.lastActive > 0 ? new Date(entry.lastActive) : null,
      lessonsDone: lessons.filter(({ course, lesson }) => entry?.done.has(`${course.slug}/${lesson.slug}`)).length,
      coursesCompleted: coursesDone
        .filter((c) => {
          const course = ctx.catalog.course(c.courseSlug);
          return (
            course !== undefined &&
            course.lessons.length > 0 &&
            course.lessons.every((l) => entry?.done.has(`${course.slug}/${l.slug}`))
          );
        })
        .map((c) => c.title),
    };
  });
  const courses = courseSlugs.map((s) => ctx.catalog.course(s)).filter((c): c is CatalogCourse => c !== undefined);
  const ownActivity = eventActivity(event, courses);
  return {
    event,
    courses,
    /** Credit claimed for the event's own activity, per kind; empty when it offers none. */
    eventCredit: ownActivity
      ? creditClaimedFor(
          ownActivity.credit,
          provider,
          credit.filter((row) => row.course_slug === ownActivity.key),
        )
      : [],
    enrolled: enrollees.length,
    activeLastWeek: people.filter((p) => p.lastActive && p.lastActive.getTime() >= weekAgo).length,
    funnel,
    coursesDone,
    people,
    lessonCount: lessons.length,
    schedule,
  };
}

/** One row per enrolled person: progress and dates only (never reflections or answers). */
export async function exportCsv(ctx: RequestContext, slug: string): Promise<{ filename: string; body: string }> {
  const view = await dashboard(ctx, slug);
  const day = (date: Date | null) => (date ? dateIn(view.event.time_zone, date) : '');
  const header = [
    'event',
    'name',
    'email',
    'enrolled_on',
    'last_active_on',
    'lessons_done',
    'lessons_total',
    'courses_completed',
    'paused',
    'nudges',
  ];
  const rows = view.people.map((p) => [
    view.event.name,
    p.name,
    p.email,
    day(p.enrolledAt),
    day(p.lastActive),
    p.lessonsDone,
    view.lessonCount,
    p.coursesCompleted.join('; '),
    p.paused ? 'yes' : 'no',
    p.nudgesOn ? 'on' : 'off',
  ]);
  return {
    filename: `rounds-event-${view.event.slug}-${dateIn(view.event.time_zone, ctx.now ?? new Date())}.csv`,
    body: toCsv(header, rows),
  };
}
