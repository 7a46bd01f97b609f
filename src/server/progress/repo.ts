import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';
import type { LessonProgress } from '#db/schema.ts';

export interface LessonKey {
  userId: string;
  courseSlug: string;
  lessonSlug: string;
}

/** Records the first opening of a lesson; later calls change nothing. */
export async function markStarted(db: Executor, key: LessonKey): Promise<void> {
  await db
    .insertInto('lesson_progress')
    .values({ user_id: key.userId, course_slug: key.courseSlug, lesson_slug: key.lessonSlug })
    .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'lesson_slug']).doNothing())
    .execute();
}

/** Records answers to a lesson's check, in one statement. */
export async function recordCheckAttempts(
  db: Executor,
  key: LessonKey,
  attempts: { question: number; chosenOption: number; correct: boolean }[],
): Promise<void> {
  if (attempts.length === 0) return;
  await db
    .insertInto('check_attempts')
    .values(
      attempts.map((attempt) => ({
        user_id: key.userId,
        course_slug: key.courseSlug,
        lesson_slug: key.lessonSlug,
        question: attempt.question,
        chosen_option: attempt.chosenOption,
        correct: attempt.correct,
      })),
    )
    .execute();
}

/** Indexes of the questions this learner has answered correctly at least once. */
export async function correctlyAnswered(db: Executor, key: LessonKey): Promise<number[]> {
  const rows = await db
    .selectFrom('check_attempts')
    .select('question')
    .distinct()
    .where('user_id', '=', key.userId)
    .where('course_slug', '=', key.courseSlug)
    .where('lesson_slug', '=', key.lessonSlug)
    .where('correct', '=', true)
    .orderBy('question')
    .execute();
  return rows.map((row) => row.question);
}

/**
 * Completes a lesson exactly once: the primary key allows one row per learner and
 * lesson, and completed_at / course_version keep their first value however many
 * times (or however concurrently) this runs.
 *
 * Each call also records the time spent in the lesson by the database's clock: from its
 * first opening, or from the learner's latest completion of another lesson of the course
 * if later (lessons open side by side are not counted twice), to now. A lesson completed
 * without being opened counts 0. A later call (the learner came back to it) can only
 * raise the time, never lower it.
 */
export function completeLesson(
  db: Executor,
  key: LessonKey,
  courseVersion: string,
): Promise<Pick<LessonProgress, 'completed_at' | 'course_version' | 'seconds_spent'> & { completed_at: Date }> {
  return db
    .insertInto('lesson_progress')
    .values({
      user_id: key.userId,
      course_slug: key.courseSlug,
      lesson_slug: key.lessonSlug,
      completed_at: sql<Date>`now()`,
      course_version: courseVersion,
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'course_slug', 'lesson_slug']).doUpdateSet({
        completed_at: sql<Date>`coalesce(lesson_progress.completed_at, excluded.completed_at)`,
        course_version: sql<string>`coalesce(lesson_progress.course_version, excluded.course_version)`,
        seconds_spent: sql<number>`greatest(lesson_progress.seconds_spent, least(2147483647, floor(extract(epoch from
          now() - greatest(lesson_progress.started_at, (
            select max(other.completed_at) from lesson_progress other
            where other.user_id = lesson_progress.user_id and other.course_slug = lesson_progress.course_slug
              and other.lesson_slug <> lesson_progress.lesson_slug and other.completed_at <= now()
          ))))))::integer`,
      }),
    )
    .returning(['completed_at', 'course_version', 'seconds_spent'])
    .executeTakeFirstOrThrow() as Promise<{ completed_at: Date; course_version: string | null; seconds_spent: number }>;
}

/** The lessons in whose check this learner has answered at least one question, rightly or not. */
export function lessonsWithAnswers(db: Executor, userId: string) {
  return db
    .selectFrom('check_attempts')
    .select(['course_slug', 'lesson_slug'])
    .distinct()
    .where('user_id', '=', userId)
    .execute();
}

export function progressOfUser(db: Executor, userId: string): Promise<LessonProgress[]> {
  return db.selectFrom('lesson_progress').selectAll().where('user_id', '=', userId).execute();
}

export function checkAttemptsOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('check_attempts')
    .select(['course_slug', 'lesson_slug', 'question', 'chosen_option', 'correct', 'answered_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}
