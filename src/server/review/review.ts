import { randomUUID } from 'node:crypto';
import type { Catalog, CatalogLesson } from '#lib/catalog.ts';
import { dateIn } from '#lib/team-rules.ts';
import { optionOrder } from '#lib/option-order.ts';
import { zonedTime } from '#lib/release-schedule.ts';
import {
  cardsOfLesson,
  isMastered,
  MOST_MISSED_SHOWN,
  questionOfCard,
  ratingFor,
  SECONDS_PER_REVIEW,
  TEAM_REVIEW_MIN_LEARNERS,
  todaysCards,
  type Confidence,
  type ReviewOutcome,
} from '#lib/review-rules.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { FieldError, NotFoundError } from '#server/kernel/errors.ts';
import type { Executor } from '#server/platform/db.ts';
import * as progress from '#server/progress/index.ts';
import * as repo from './repo.ts';
import { newCardState, nextState, type CardState } from './scheduler.ts';

const UNKNOWN_CARD = 'That question is not one of your reviews. Go on with the next one below.';

/**
 * Gives the learner a card for each check and review question of a lesson they completed.
 * Cards that exist are left alone, so a retried or repeated completion creates nothing twice.
 */
/** The review cards a lesson's completion creates, first due a day after `completedAt`. */
export function newCardsForLesson(lesson: CatalogLesson, completedAt: Date): ({ card: string } & CardState)[] {
  return cardsOfLesson(lesson).map(({ card }) => ({ card, ...newCardState(completedAt) }));
}

export async function createCardsForLesson(
  db: Executor,
  userId: string,
  lesson: CatalogLesson,
  completedAt: Date,
): Promise<void> {
  await repo.insertCards(
    db,
    newCardsForLesson(lesson, completedAt).map(({ card, ...state }) => ({
      userId,
      courseSlug: lesson.courseSlug,
      lessonSlug: lesson.slug,
      card,
      state,
    })),
  );
}

/**
 * Lessons completed before spaced review existed, and review questions added to a lesson
 * since, get their cards here, when the learner's review is looked at (no migration needed).
 */
async function addMissingCards(ctx: RequestContext): Promise<void> {
  const { db, catalog, user } = ctx;
  const [rows, existing] = await Promise.all([progress.progressOnce(ctx), repo.cardKeysOfUser(db, user.id)]);
  const have = new Set(existing.map((c) => `${c.course_slug}/${c.lesson_slug}/${c.card}`));
  const missing = rows.flatMap((row) => {
    const lesson = row.completed_at ? catalog.lesson(row.course_slug, row.lesson_slug) : undefined;
    if (!lesson) return [];
    return cardsOfLesson(lesson)
      .filter(({ card }) => !have.has(`${lesson.courseSlug}/${lesson.slug}/${card}`))
      .map(({ card }) => ({
        userId: user.id,
        courseSlug: lesson.courseSlug,
        lessonSlug: lesson.slug,
        card,
        state: newCardState(row.completed_at!),
      }));
  });
  await repo.insertCards(db, missing);
}

/** Today's cards: due now, most overdue first, up to what is left of today's five. */
async function todaysQueue(ctx: RequestContext) {
  const { db, catalog, user } = ctx;
  const now = ctx.now ?? new Date();
  await addMissingCards(ctx);
  const dayStart = zonedTime(user.timeZone, dateIn(user.timeZone, now), 0);
  const [due, reviewedToday] = await Promise.all([
    repo.dueCards(db, user.id, now),
    repo.reviewsSince(db, user.id, dayStart),
  ]);
  // A card whose lesson or question left the curriculum is skipped, not shown broken.
  const known = due.filter((c) => {
    const lesson = catalog.lesson(c.course_slug, c.lesson_slug);
    return lesson && questionOfCard(lesson, c.card);
  });
  return todaysCards(known, reviewedToday);
}

/** For Today: how many review questions are waiting and about how long they take (none: null). */
export async function reviewSummary(ctx: RequestContext): Promise<{ questions: number; seconds: number } | null> {
  const queue = await todaysQueue(ctx);
  return queue.length ? { questions: queue.length, seconds: queue.length * SECONDS_PER_REVIEW } : null;
}

/** The next question to review, with a fresh review id for its form; null when done for today. */
export async function nextReview(ctx: RequestContext) {
  const queue = await todaysQueue(ctx);
  const first = queue[0];
  if (!first) return null;
  const lesson = ctx.catalog.lesson(first.course_slug, first.lesson_slug)!;
  const question = questionOfCard(lesson, first.card)!;
  return {
    left: queue.length,
    reviewId: randomUUID(),
    courseSlug: lesson.courseSlug,
    lessonSlug: lesson.slug,
    lessonTitle: lesson.title,
    courseTitle: ctx.catalog.course(lesson.courseSlug)?.title ?? '',
    card: first.card,
    question: question.question,
    // Only the texts, in the lesson's fixed shuffled order with their authored numbers:
    // whether an option is right is decided on the server.
    options: optionOrder(question.question, question.options).map((index) => ({
      index,
      text: question.options[index]!.text,
    })),
  };
}

export interface AnswerInput {
  reviewId: string;
  courseSlug: string;
  lessonSlug: string;
  card: string;
  option: number;
  /** Asked after a right answer; a wrong answer needs none. */
  confidence?: Confidence;
}

/**
 * Grades a review answer on the server. A wrong answer is recorded at once (Again); a right
 * one once the learner says how sure they were (Hard or Good). The review id makes a retry
 * or double tap apply once, and a card that is no longer due is not rescheduled again.
 */
export async function answerReview(ctx: RequestContext, input: AnswerInput) {
  const { catalog, user } = ctx;
  const now = ctx.now ?? new Date();
  const lesson = catalog.lesson(input.courseSlug, input.lessonSlug);
  const question = lesson && questionOfCard(lesson, input.card);
  if (!question) throw new FieldError('card', UNKNOWN_CARD);
  const chosen = question.options[input.option];
  if (!chosen) throw new FieldError('option', 'Choose one of the answers shown.');
  const key = { userId: user.id, courseSlug: input.courseSlug, lessonSlug: input.lessonSlug, card: input.card };
  const answer = {
    correct: chosen.correct,
    feedback: chosen.feedback,
    rightAnswer: question.options.find((o) => o.correct)!.text,
    question: question.question,
    option: input.option,
  };
  return ctx.db.transaction().execute(async (tx) => {
    const card = await repo.lockCard(tx, key);
    if (!card) throw new FieldError('card', UNKNOWN_CARD);
    const earlier = await repo.findReview(tx, input.reviewId);
    if (earlier) {
      const same =
        earlier.user_id === user.id &&
        earlier.course_slug === key.courseSlug &&
        earlier.lesson_slug === key.lessonSlug &&
        earlier.card === key.card;
      if (!same) throw new FieldError('card', UNKNOWN_CARD);
      // The same submission again: its first outcome stands.
      const first = question.options[earlier.chosen_option]!;
      return {
        ...answer,
        correct: first.correct,
        feedback: first.feedback,
        recorded: true,
        nextDue: earlier.due_after,
      };
    }
    if (answer.correct && !input.confidence) return { ...answer, recorded: false, nextDue: card.due };
    // Answered already from another page or tab: not rescheduled twice.
    if (card.due > now) return { ...answer, recorded: true, nextDue: card.due };
    const rating = ratingFor(answer.correct, input.confidence ?? 'unsure');
    const after = nextState(card, rating, now);
    await repo.recordReview(tx, key, {
      reviewId: input.reviewId,
      chosenOption: input.option,
      correct: answer.correct,
      rating,
      before: card,
      after,
      at: now,
    });
    return { ...answer, recorded: true, nextDue: after.due };
  });
}

/** Whether the learner has mastered a course (every card right twice in a row, a week apart). */
export async function courseMastered({ db, catalog, user }: RequestContext, courseSlug: string): Promise<boolean> {
  const course = catalog.course(courseSlug);
  if (!course) throw new NotFoundError('That course does not exist (any more).');
  const log = await repo.reviewsOfCourse(db, user.id, courseSlug);
  return isMastered(
    course,
    log.map((r) => ({ lessonSlug: r.lesson_slug, card: r.card, correct: r.correct, reviewedAt: r.reviewed_at })),
  );
}

/** Mastery per learner and course, from their last two reviews per card (one query). */
async function masteryOf(db: Executor, catalog: Catalog, userIds: readonly string[], courseSlugs: readonly string[]) {
  const recent = await repo.lastTwoReviewsPerCard(db, userIds, courseSlugs);
  const logs = new Map<string, ReviewOutcome[]>();
  for (const r of recent) {
    const key = `${r.user_id}/${r.course_slug}`;
    const log = logs.get(key) ?? [];
    log.push({ lessonSlug: r.lesson_slug, card: r.card, correct: r.correct, reviewedAt: r.reviewed_at });
    logs.set(key, log);
  }
  /** How many of the learners mastered the course. */
  return (courseSlug: string) => {
    const course = catalog.course(courseSlug);
    return course ? userIds.filter((id) => isMastered(course, logs.get(`${id}/${courseSlug}`) ?? [])).length : 0;
  };
}

/** Which of these courses the learner has mastered (for Today's completed courses). */
export async function masteredCourses({ db, catalog, user }: RequestContext, courseSlugs: readonly string[]) {
  const mastered = await masteryOf(db, catalog, [user.id], courseSlugs);
  return new Set(courseSlugs.filter((slug) => mastered(slug) === 1));
}

export type TeamCourseReview =
  | { shown: false; learners: number }
  | {
      shown: true;
      learners: number;
      /** How many of the team's learners mastered the course. */
      mastered: number;
      mostMissed: { question: string; lessonTitle: string; wrong: number; answers: number }[];
    };

/**
 * A team's review numbers per course: counts only, and nothing for a course until at
 * least TEAM_REVIEW_MIN_LEARNERS of its learners have answered (decision 0029). The same
 * three queries however many learners and courses. The caller has checked that the
 * person asking may see the team's dashboard.
 */
export async function teamReview(
  db: Executor,
  catalog: Catalog,
  learnerIds: readonly string[],
  courseSlugs: readonly string[],
): Promise<Map<string, TeamCourseReview>> {
  const learners = await repo.learnersWhoReviewed(db, learnerIds, courseSlugs);
  const count = (slug: string) => learners.get(slug) ?? 0;
  const shown = courseSlugs.filter((slug) => catalog.course(slug) && count(slug) >= TEAM_REVIEW_MIN_LEARNERS);
  const [mastered, missed] = await Promise.all([
    masteryOf(db, catalog, learnerIds, shown),
    repo.missedCards(db, learnerIds, shown),
  ]);
  const result = new Map<string, TeamCourseReview>(
    courseSlugs.map((slug) => [slug, { shown: false, learners: count(slug) }]),
  );
  for (const slug of shown) {
    const mostMissed = missed
      .filter((m) => m.courseSlug === slug)
      .flatMap(({ lessonSlug, card, wrong, answers }) => {
        const lesson = catalog.lesson(slug, lessonSlug);
        const question = lesson && questionOfCard(lesson, card);
        // A question that left the curriculum is skipped.
        return question ? [{ question: question.question, lessonTitle: lesson.title, wrong, answers }] : [];
      })
      .slice(0, MOST_MISSED_SHOWN);
    result.set(slug, { shown: true, learners: count(slug), mastered: mastered(slug), mostMissed });
  }
  return result;
}
