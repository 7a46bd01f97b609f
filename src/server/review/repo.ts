import type { Executor } from '#server/platform/db.ts';
import type { CardState } from './scheduler.ts';

export interface CardKey {
  userId: string;
  courseSlug: string;
  lessonSlug: string;
  card: string;
}

/** Creates cards; those that exist already are left as they are (a retry creates nothing twice). */
export async function insertCards(db: Executor, cards: (CardKey & { state: CardState })[]): Promise<void> {
  if (cards.length === 0) return;
  await db
    .insertInto('review_cards')
    .values(
      cards.map(({ userId, courseSlug, lessonSlug, card, state }) => ({
        user_id: userId,
        course_slug: courseSlug,
        lesson_slug: lessonSlug,
        card,
        ...state,
      })),
    )
    .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'lesson_slug', 'card']).doNothing())
    .execute();
}

/** Which cards a learner has (course, lesson, card), to create only the missing ones. */
export async function cardKeysOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('review_cards')
    .select(['course_slug', 'lesson_slug', 'card'])
    .where('user_id', '=', userId)
    .execute();
}

/** The learner's cards due at `now`, most overdue first. */
export async function dueCards(db: Executor, userId: string, now: Date) {
  return db
    .selectFrom('review_cards')
    .select(['course_slug', 'lesson_slug', 'card', 'due'])
    .where('user_id', '=', userId)
    .where('due', '<=', now)
    .orderBy('due')
    .orderBy('course_slug')
    .orderBy('lesson_slug')
    .orderBy('card')
    .execute();
}

/** How many reviews the learner recorded since `since` (their day's start). */
export async function reviewsSince(db: Executor, userId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('review_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('reviewed_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One card, locked until the transaction ends so two submissions apply one after the other. */
export async function lockCard(db: Executor, key: CardKey) {
  return db
    .selectFrom('review_cards')
    .selectAll()
    .where('user_id', '=', key.userId)
    .where('course_slug', '=', key.courseSlug)
    .where('lesson_slug', '=', key.lessonSlug)
    .where('card', '=', key.card)
    .forUpdate()
    .executeTakeFirst();
}

export async function findReview(db: Executor, reviewId: string) {
  return db.selectFrom('review_log').selectAll().where('review_id', '=', reviewId).executeTakeFirst();
}

export async function recordReview(
  db: Executor,
  key: CardKey,
  review: {
    reviewId: string;
    chosenOption: number;
    correct: boolean;
    rating: number;
    before: CardState;
    after: CardState;
    at: Date;
  },
): Promise<void> {
  await db
    .insertInto('review_log')
    .values({
      review_id: review.reviewId,
      user_id: key.userId,
      course_slug: key.courseSlug,
      lesson_slug: key.lessonSlug,
      card: key.card,
      chosen_option: review.chosenOption,
      correct: review.correct,
      rating: review.rating,
      state_before: review.before.state,
      due_before: review.before.due,
      due_after: review.after.due,
      reviewed_at: review.at,
    })
    .execute();
  await db
    .updateTable('review_cards')
    .set({ ...review.after })
    .where('user_id', '=', key.userId)
    .where('course_slug', '=', key.courseSlug)
    .where('lesson_slug', '=', key.lessonSlug)
    .where('card', '=', key.card)
    .execute();
}

/** Every review of one course by one learner, oldest first (for mastery). */
export async function reviewsOfCourse(db: Executor, userId: string, courseSlug: string) {
  return db
    .selectFrom('review_log')
    .select(['lesson_slug', 'card', 'correct', 'reviewed_at'])
    .where('user_id', '=', userId)
    .where('course_slug', '=', courseSlug)
    .orderBy('reviewed_at')
    .execute();
}

/** Every review by one learner, oldest first (for their data export). */
export async function reviewsOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('review_log')
    .select(['course_slug', 'lesson_slug', 'card', 'chosen_option', 'correct', 'rating', 'reviewed_at', 'due_after'])
    .where('user_id', '=', userId)
    .orderBy('reviewed_at')
    .execute();
}

// ---------------------------------------------------------------- a team's aggregates
// Only counts leave these queries: no row names a learner (decision 0029).

/** Per course: how many of these learners answered a review question of it. */
export async function learnersWhoReviewed(db: Executor, userIds: readonly string[], courseSlugs: readonly string[]) {
  if (userIds.length === 0 || courseSlugs.length === 0) return new Map<string, number>();
  const rows = await db
    .selectFrom('review_log')
    .select((eb) => ['course_slug', eb.fn.count<string>('user_id').distinct().as('n')])
    .where('user_id', 'in', userIds)
    .where('course_slug', 'in', courseSlugs)
    .groupBy('course_slug')
    .execute();
  return new Map(rows.map((r) => [r.course_slug, Number(r.n)]));
}

/** Per question these learners missed at least once: wrong answers and all answers, most wrong first. */
export async function missedCards(db: Executor, userIds: readonly string[], courseSlugs: readonly string[]) {
  if (userIds.length === 0 || courseSlugs.length === 0) return [];
  const rows = await db
    .selectFrom('review_log')
    .select((eb) => [
      'course_slug',
      'lesson_slug',
      'card',
      eb.fn.countAll<string>().as('answers'),
      eb.fn.count<string>(eb.case().when('correct', '=', false).then(1).end()).as('wrong'),
    ])
    .where('user_id', 'in', userIds)
    .where('course_slug', 'in', courseSlugs)
    .groupBy(['course_slug', 'lesson_slug', 'card'])
    .having((eb) => eb.fn.count(eb.case().when('correct', '=', false).then(1).end()), '>', 0)
    .orderBy('wrong', 'desc')
    .orderBy('answers', 'desc')
    .orderBy('lesson_slug')
    .orderBy('card')
    .execute();
  return rows.map((r) => ({
    courseSlug: r.course_slug,
    lessonSlug: r.lesson_slug,
    card: r.card,
    answers: Number(r.answers),
    wrong: Number(r.wrong),
  }));
}

/**
 * The last two reviews of each card of these courses by each of these learners: all the
 * mastery rule needs, so the rule stays in one place (review-rules.ts) and rows stay few.
 */
export async function lastTwoReviewsPerCard(db: Executor, userIds: readonly string[], courseSlugs: readonly string[]) {
  if (userIds.length === 0 || courseSlugs.length === 0) return [];
  return db
    .selectFrom((qb) =>
      qb
        .selectFrom('review_log')
        .select((eb) => [
          'user_id',
          'course_slug',
          'lesson_slug',
          'card',
          'correct',
          'reviewed_at',
          eb.fn
            .agg<number>('row_number')
            .over((ob) =>
              ob.partitionBy(['user_id', 'course_slug', 'lesson_slug', 'card']).orderBy('reviewed_at', 'desc'),
            )
            .as('recency'),
        ])
        .where('user_id', 'in', userIds)
        .where('course_slug', 'in', courseSlugs)
        .as('ranked'),
    )
    .select(['user_id', 'course_slug', 'lesson_slug', 'card', 'correct', 'reviewed_at'])
    .where('recency', '<=', 2)
    .execute();
}
/** The learner's due cards in these courses, most overdue first (for a review question by email). */
export async function dueCardsInCourses(db: Executor, userId: string, courseSlugs: readonly string[], now: Date) {
  if (courseSlugs.length === 0) return [];
  return db
    .selectFrom('review_cards')
    .select(['course_slug', 'lesson_slug', 'card', 'due'])
    .where('user_id', '=', userId)
    .where('course_slug', 'in', courseSlugs)
    .where('due', '<=', now)
    .orderBy('due')
    .orderBy('course_slug')
    .orderBy('lesson_slug')
    .orderBy('card')
    .execute();
}

/** Whether an account may still answer by email: not deleted, not deactivated. */
export async function isActiveAccount(db: Executor, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('deleted_at', 'is', null)
    .where('deactivated_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
