import { summarizeCourse } from '#lib/course-progress.ts';
import { FieldError } from '#server/kernel/errors.ts';
import type { Catalog, CatalogCourse, CatalogLesson } from '#lib/catalog.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import * as progress from '#server/progress/index.ts';
import { findReflectionForLesson } from './reflections-repo.ts';

import { courseLocks, lessonLock } from '#server/events/index.ts';
import { pathLock } from '#server/teams/index.ts';
import { issueCourseCertificate } from '#server/certificates/index.ts';
import { newCardsForLesson } from '#server/review/index.ts';
import { NotFoundError } from '#server/kernel/errors.ts';
import { settings } from '#server/platform/settings.ts';
import { lessonsNeedingTime } from '#lib/lesson-time.ts';

export function findLesson(
  catalog: Catalog,
  courseSlug: string,
  lessonSlug: string,
): { course: CatalogCourse; lesson: CatalogLesson } {
  const course = catalog.course(courseSlug);
  const lesson = course?.lessons.find((l) => l.slug === lessonSlug);
  if (!course || !lesson) throw new NotFoundError('That lesson does not exist (any more).');
  return { course, lesson };
}

/** Grades one answer, records the attempt, and returns the feedback for the chosen option. */
export async function answerQuestion(
  { db, catalog, user }: RequestContext,
  input: { courseSlug: string; lessonSlug: string; question: number; option: number },
) {
  const { lesson } = findLesson(catalog, input.courseSlug, input.lessonSlug);
  const question = lesson.check[input.question];
  const option = question?.options[input.option];
  if (!question || !option) throw new FieldError('option', 'Choose one of the answers shown.');
  const key = { userId: user.id, courseSlug: input.courseSlug, lessonSlug: input.lessonSlug };
  await progress.recordAnswer(db, key, {
    question: input.question,
    chosenOption: input.option,
    correct: option.correct,
  });
  return { correct: option.correct, feedback: option.feedback };
}

/** Lessons still missing after a completion, at most, for which the course is read again (see below). */
const RACE_WINDOW_LESSONS = 3;

/**
 * Marks a lesson complete once every check question has been answered correctly.
 * `answers` (question index -> option index) come from the plain-HTML form and are
 * graded first, so the page works without JavaScript.
 */
export async function completeLesson(
  ctx: RequestContext,
  input: { courseSlug: string; lessonSlug: string; answers?: Record<number, number> },
) {
  const { db, catalog, user } = ctx;
  const { course, lesson } = findLesson(catalog, input.courseSlug, input.lessonSlug);
  const key = { userId: user.id, courseSlug: input.courseSlug, lessonSlug: input.lessonSlug };
  const attempts = Object.entries(input.answers ?? {}).flatMap(([question, option]) => {
    const chosen = lesson.check[Number(question)]?.options[option];
    return chosen ? [{ question: Number(question), chosenOption: option, correct: chosen.correct }] : [];
  });
  // The answers, the check, the completion and its review cards (due a day after it) in one
  // statement; the cards' due date is set there, by the database's clock unless ctx.now is given.
  const complete = (locksChecked: boolean) =>
    progress.completeWithCheck(db, key, {
      courseVersion: course.version,
      questionCount: lesson.check.length,
      attempts,
      cards: newCardsForLesson(lesson, ctx.now ?? new Date()),
      cardsDueFrom: ctx.now ?? null,
      locksChecked,
    });
  let outcome = await complete(false);
  if (outcome.mayBeLocked) {
    // A lesson an event has not released to this learner, or of a path's course whose step
    // before is not finished, cannot be completed yet.
    const locked =
      (await lessonLock(db, catalog, user, input.courseSlug, input.lessonSlug)) ??
      (await pathLock(ctx, input.courseSlug));
    if (locked) throw new FieldError('check', locked);
    outcome = await complete(true);
  }
  if (outcome.missing.length) {
    throw new FieldError(
      'check',
      `Answer every question of the knowledge check correctly first (${outcome.missing.length} to go). You can try as often as you like.`,
    );
  }
  const row = outcome.completed!;
  let courseProgress = summarizeCourse(course, [
    ...outcome.otherRows.map((other) => ({ ...other, course_slug: course.slug })),
    { course_slug: course.slug, lesson_slug: lesson.slug, started_at: row.started_at, completed_at: row.completed_at },
  ]);
  // The statement saw the course as it was when it began: the last lessons completed at the
  // same moment (two tabs, a double tap) each miss the other. Near the end of a course, read
  // again after this completion is in, so the last of them issues the certificate.
  if (!courseProgress.complete && courseProgress.total - courseProgress.done <= RACE_WINDOW_LESSONS) {
    courseProgress = summarizeCourse(course, await progress.progressOfUser(db, user.id));
  }
  // The course is complete: its certificate is issued now (once, however often this runs).
  const certificate = courseProgress.complete
    ? await issueCourseCertificate(ctx, course, courseProgress.completedAt!)
    : undefined;
  return {
    completedAt: row.completed_at,
    courseComplete: courseProgress.complete,
    next: nextLesson(course, lesson),
    certificate,
  };
}

export function nextLesson(course: CatalogCourse, lesson: CatalogLesson): CatalogLesson | undefined {
  return course.lessons[lesson.position];
}

/** Records the first opening of a lesson (started-at). */
export async function markLessonOpened(
  { db, catalog, user }: RequestContext,
  { courseSlug, lessonSlug }: { courseSlug: string; lessonSlug: string },
): Promise<void> {
  findLesson(catalog, courseSlug, lessonSlug);
  await progress.markStarted(db, { userId: user.id, courseSlug, lessonSlug });
}

/** What the lesson page's islands need for the signed-in learner (read-only). */
export async function lessonState(
  ctx: RequestContext,
  { courseSlug, lessonSlug }: { courseSlug: string; lessonSlug: string },
) {
  const { db, catalog, user } = ctx;
  const { course, lesson } = findLesson(catalog, courseSlug, lessonSlug);
  const key = { userId: user.id, courseSlug, lessonSlug };
  const [rows, correct, reflection, eventLock, lockedByPath] = await Promise.all([
    progress.progressOfUser(db, user.id),
    progress.correctlyAnswered(db, key),
    findReflectionForLesson(db, user.id, courseSlug, lessonSlug),
    lessonLock(db, catalog, user, courseSlug, lessonSlug),
    pathLock(ctx, courseSlug),
  ]);
  const locked = eventLock ?? lockedByPath;
  const row = rows.find((r) => r.course_slug === courseSlug && r.lesson_slug === lessonSlug);
  const { completedLessons, complete } = summarizeCourse(course, rows);
  // Completed faster than its contact hours allow (decision 0024): "Mark complete" again records more time.
  const floor = settings().LESSON_TIME_FLOOR;
  const needsMoreTime =
    row?.completed_at != null &&
    course.contactHours > 0 &&
    lessonsNeedingTime([lesson], new Map([[lessonSlug, row.seconds_spent]]), floor).length > 0;
  return {
    started: row !== undefined,
    completedAt: row?.completed_at ?? null,
    needsMoreTime,
    correctQuestions: correct,
    /** Why a lesson of a joined event or an in-order path cannot be completed yet (it can be read), or null. */
    locked: locked ?? null,
    reflection: reflection
      ? { body: reflection.body, revision: reflection.revision, updatedAt: reflection.updated_at }
      : null,
    courseComplete: complete,
    // 0 means completing this lesson completes the course (the island then shows the certificate).
    otherLessonsLeft: course.lessons.filter((l) => l.slug !== lessonSlug && !completedLessons.has(l.slug)).length,
  };
}

/** The learner's progress through one course, for its contents page. */
export async function courseProgress(ctx: RequestContext, courseSlug: string) {
  const { db, catalog, user } = ctx;
  const course = catalog.course(courseSlug);
  if (!course) throw new NotFoundError('That course does not exist (any more).');
  const [rows, locks, lockedByPath] = await Promise.all([
    progress.progressOfUser(db, user.id),
    courseLocks(db, catalog, user, courseSlug),
    pathLock(ctx, courseSlug),
  ]);
  return {
    ...summarizeCourse(course, rows),
    /** Lessons a joined event has not opened yet, and why. */
    locks,
    /** Why an in-order path holds back the whole course, or undefined. */
    lockedByPath,
  };
}

/** Everything the Today page shows. */
export async function today(ctx: RequestContext) {
  const { db, catalog, user, now = new Date() } = ctx;
  const [rows, answered] = await Promise.all([progress.progressOnce(ctx), progress.lessonsWithAnswers(db, user.id)]);
  const keyOf = (row: { course_slug: string; lesson_slug: string }) => `${row.course_slug}/${row.lesson_slug}`;
  const completedKeys = new Set(rows.filter((r) => r.completed_at).map(keyOf));
  const all = catalog.courses.map((course) => summarizeCourse(course, rows));
  const courses = all.filter((p) => p.lastActivity);
  const byRecent = [...courses].sort((a, b) => b.lastActivity!.getTime() - a.lastActivity!.getTime());
  const continueWith = byRecent.find((p) => !p.complete && p.next);
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  let lessonsThisMonth = 0;
  let minutesThisMonth = 0;
  for (const row of rows) {
    if (!row.completed_at || row.completed_at < monthStart) continue;
    const lesson = catalog.lesson(row.course_slug, row.lesson_slug);
    lessonsThisMonth += 1;
    minutesThisMonth += lesson?.minutes ?? 0;
  }
  return {
    continueWith: continueWith ? { course: continueWith.course, lesson: continueWith.next! } : undefined,
    inProgress: byRecent.filter((p) => !p.complete),
    completed: byRecent.filter((p) => p.complete),
    lessonsThisMonth,
    minutesThisMonth,
    isNew: rows.length === 0,
    /** Unfinished lessons whose check the learner has begun ("course/lesson"): they reopen at the check. */
    atCheck: new Set(answered.map(keyOf).filter((key) => !completedKeys.has(key))),
    /** Every course's progress, for cards about courses not yet started (e.g. an assignment). */
    progressOf: new Map(all.map((p) => [p.course.slug, p])),
  };
}
