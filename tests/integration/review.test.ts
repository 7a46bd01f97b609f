import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { caught } from '../support/caught.ts';
import { createUser, findUserById } from '#server/accounts/users-repo.ts';
import * as learning from '#server/learning/learning.ts';
import * as progress from '#server/progress/index.ts';
import * as review from '#server/review/index.ts';
import { FieldError } from '#server/kernel/errors.ts';
import { cardsOfLesson, DAILY_REVIEW_CAP } from '#lib/review-rules.ts';
import { optionOrder } from '#lib/option-order.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import type { CatalogLesson } from '#lib/catalog.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const course = catalog.courses.find((c) => c.slug === 'patient-connection')!;
const [first, second, third] = course.lessons as [CatalogLesson, CatalogLesson, CatalogLesson];
// Lessons get review questions from another change; here the first has two, so cards of both kinds are covered.
first.review = [second.check[0]!, third.check[0]!];

const DAY = 86_400_000;
const T0 = new Date('2026-12-01T08:00:00Z');
const later = (days: number) => new Date(T0.getTime() + days * DAY);

async function newLearner(): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name: 'Learner', passwordHash: 'x' });
  return (await findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now });

const rightAnswers = (lesson: CatalogLesson) =>
  Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
const complete = (user: PublicUser, lesson: CatalogLesson, now = T0) =>
  learning.completeLesson(ctx(user, now), {
    courseSlug: course.slug,
    lessonSlug: lesson.slug,
    answers: rightAnswers(lesson),
  });

async function cardsOf(user: PublicUser) {
  return database.db
    .selectFrom('review_cards')
    .selectAll()
    .where('user_id', '=', user.id)
    .orderBy('lesson_slug')
    .orderBy('card')
    .execute();
}
async function logOf(user: PublicUser) {
  return database.db
    .selectFrom('review_log')
    .selectAll()
    .where('user_id', '=', user.id)
    .orderBy('reviewed_at')
    .execute();
}

/** An answer to a card as the review form sends it: right or wrong, a fresh review id. */
function answerFor(card: { courseSlug: string; lessonSlug: string; card: string }, right: boolean) {
  const lesson = catalog.lesson(card.courseSlug, card.lessonSlug)!;
  const question = cardsOfLesson(lesson).find((c) => c.card === card.card)!.question;
  return {
    reviewId: crypto.randomUUID(),
    courseSlug: card.courseSlug,
    lessonSlug: card.lessonSlug,
    card: card.card,
    option: question.options.findIndex((o) => o.correct === right),
  };
}

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('cards', () => {
  it('are created once when a lesson is completed (check and review questions), first due a day later', async () => {
    const learner = await newLearner();
    await complete(learner, first);
    await Promise.all([complete(learner, first), complete(learner, first)]);
    const cards = await cardsOf(learner);
    expect(cards.map((c) => c.card).sort()).toEqual([...first.check, ...first.review].map((q) => q.id).sort());
    expect(cards.every((c) => c.due.getTime() === later(1).getTime() && c.reps === 0)).toBe(true);
    expect(await review.reviewSummary(ctx(learner, later(0.9))), 'not due within the day').toBeNull();
    expect(await review.reviewSummary(ctx(learner, later(1)))).toEqual({
      questions: cards.length,
      seconds: cards.length * 30,
    });
  });

  it('are made for lessons completed before spaced review existed, when the review is first looked at', async () => {
    const learner = await newLearner();
    await progress.completeLesson(
      database.db,
      { userId: learner.id, courseSlug: course.slug, lessonSlug: second.slug },
      '1',
    );
    expect(await cardsOf(learner)).toHaveLength(0);
    const summary = await review.reviewSummary(ctx(learner, later(400)));
    const cards = cardsOfLesson(second).length; // its check and its review questions
    expect(summary?.questions).toBe(Math.min(DAILY_REVIEW_CAP, cards));
    expect(await cardsOf(learner)).toHaveLength(cards);
    await review.reviewSummary(ctx(learner, later(400)));
    expect(await cardsOf(learner), 'looked at again: nothing twice').toHaveLength(cards);
  });
});

describe('today', () => {
  it('offers at most five a day, the most overdue first, counting what was already reviewed today', async () => {
    const learner = await newLearner();
    await complete(learner, second, T0);
    await complete(learner, first, later(1));
    await complete(learner, third, later(2));
    const now = later(10);
    const next = await review.nextReview(ctx(learner, now));
    expect(next?.left).toBe(5);
    expect(next?.lessonSlug, 'most overdue: the lesson completed first').toBe(second.slug);
    // The lesson's shuffled order, each option with its authored number (what the form sends).
    const shown = second.check[0]!.options;
    expect(next?.options).toEqual(
      optionOrder(second.check[0]!.question, shown).map((index) => ({ index, text: shown[index]!.text })),
    );
    await review.answerReview(ctx(learner, now), answerFor(next!, false));
    expect((await review.reviewSummary(ctx(learner, now)))?.questions).toBe(4);
    // The next day the cap starts again.
    expect((await review.reviewSummary(ctx(learner, later(11))))?.questions).toBe(5);
  });
});

describe('answering', () => {
  it('records a wrong answer as Again at once, a right one only with how sure, and schedules by it', async () => {
    const learner = await newLearner();
    await complete(learner, second);
    const now = later(1);
    const [wrongCard, rightCard] = (await cardsOf(learner)).map((c) => ({
      courseSlug: c.course_slug,
      lessonSlug: c.lesson_slug,
      card: c.card,
    }));
    const wrong = await review.answerReview(ctx(learner, now), answerFor(wrongCard!, false));
    expect(wrong).toMatchObject({ correct: false, recorded: true });
    const right = answerFor(rightCard!, true);
    const unsure = await review.answerReview(ctx(learner, now), right);
    expect(unsure).toMatchObject({ correct: true, recorded: false });
    expect(await logOf(learner)).toHaveLength(1);
    const rated = await review.answerReview(ctx(learner, now), { ...right, confidence: 'unsure' });
    expect(rated).toMatchObject({ correct: true, recorded: true });
    const log = await logOf(learner);
    expect(log.map((l) => [l.card, l.correct, l.rating])).toEqual([
      [wrongCard!.card, false, 1],
      [rightCard!.card, true, 2],
    ]);
    const cards = await cardsOf(learner);
    const dueOf = (card: string) => cards.find((c) => c.card === card)!.due;
    expect(dueOf(wrongCard!.card).getTime()).toBeGreaterThan(now.getTime());
    expect(dueOf(rightCard!.card).getTime()).toBeGreaterThan(dueOf(wrongCard!.card).getTime());
    expect(rated.nextDue).toEqual(dueOf(rightCard!.card));
  });

  it('applies the same submission once, however often and however concurrently it arrives', async () => {
    const learner = await newLearner();
    await complete(learner, second);
    const now = later(1);
    const card = { courseSlug: course.slug, lessonSlug: second.slug, card: second.check[0]!.id };
    const submission = { ...answerFor(card, true), confidence: 'sure' as const };
    const results = await Promise.all(
      Array.from({ length: 4 }, () => review.answerReview(ctx(learner, now), submission)),
    );
    expect(new Set(results.map((r) => r.nextDue.getTime())).size).toBe(1);
    const retried = await review.answerReview(ctx(learner, later(5)), submission);
    expect(retried.nextDue).toEqual(results[0]!.nextDue);
    const log = await logOf(learner);
    expect(log).toHaveLength(1);
    const row = (await cardsOf(learner)).find((c) => c.card === second.check[0]!.id)!;
    expect(row.reps).toBe(1);
    expect(row.due).toEqual(results[0]!.nextDue);
    // The same answer from a second tab (another review id) does not reschedule it again.
    await review.answerReview(ctx(learner, now), { ...answerFor(card, true), confidence: 'sure' });
    expect(await logOf(learner)).toHaveLength(1);
  });

  it('refuses another learner’s card, a tampered card id, an option that is not there, and a borrowed review id', async () => {
    const owner = await newLearner();
    const other = await newLearner();
    await complete(owner, second);
    const now = later(1);
    const card = { courseSlug: course.slug, lessonSlug: second.slug, card: second.check[0]!.id };
    const theirs = await caught(review.answerReview(ctx(other, now), { ...answerFor(card, false) }));
    expect(theirs).toBeInstanceOf(FieldError);
    expect((theirs as FieldError).field).toBe('card');
    const tampered = await caught(
      review.answerReview(ctx(owner, now), { ...answerFor(card, false), card: 'no-such-question' }),
    );
    expect((tampered as FieldError).field).toBe('card');
    const noOption = await caught(review.answerReview(ctx(owner, now), { ...answerFor(card, false), option: 8 }));
    expect((noOption as FieldError).field).toBe('option');
    expect(await logOf(owner)).toHaveLength(0);

    // The other learner completes the lesson too, then replays the owner's review id on their own card.
    const recorded = answerFor(card, false);
    await review.answerReview(ctx(owner, now), recorded);
    await complete(other, second);
    const borrowed = await caught(review.answerReview(ctx(other, later(2)), { ...recorded }));
    expect((borrowed as FieldError).field).toBe('card');
    expect(await logOf(other)).toHaveLength(0);
    expect((await cardsOf(other)).every((c) => c.reps === 0)).toBe(true);
  });
});

describe('mastery', () => {
  it('is not reached while a card of the course was never reviewed', async () => {
    const learner = await newLearner();
    await complete(learner, second);
    expect(await review.courseMastered(ctx(learner, later(1)), course.slug)).toBe(false);
  });
});
