import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog, CatalogLesson } from '#lib/catalog.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import { optionOrder } from '#lib/option-order.ts';
import { questionOfCard, type ReviewQuestion } from '#lib/review-rules.ts';
import { findUserById } from '#server/accounts/index.ts';
import { signExpiringLink, verifyExpiringLink } from '#server/platform/signed-links.ts';
import * as repo from './repo.ts';
import { answerReview } from './review.ts';

// A review question by email (decision 0029): the mail's link names the learner, the card
// and a review id, signed and good for two weeks. Opening it shows the question (no
// change); one tap on an answer records it through answerReview, with the link's review
// id, so the same tap again, or from a second device, is applied once. No sign-in: mail
// apps open links in a fresh browser.

const PURPOSE = 'review-by-email';
export const EMAIL_LINK_DAYS = 14;
const DAY = 86_400_000;

export interface CardToReview {
  courseSlug: string;
  lessonSlug: string;
  card: string;
}

/** The learner's most overdue card in these courses whose question still exists, or undefined when none is due. */
export async function mostOverdueCard(
  db: Kysely<Database>,
  catalog: Catalog,
  userId: string,
  courseSlugs: readonly string[],
  now: Date,
): Promise<CardToReview | undefined> {
  const due = await repo.dueCardsInCourses(db, userId, courseSlugs, now);
  const card = due.find((c) => {
    const lesson = catalog.lesson(c.course_slug, c.lesson_slug);
    return lesson && questionOfCard(lesson, c.card);
  });
  return card && { courseSlug: card.course_slug, lessonSlug: card.lesson_slug, card: card.card };
}

/** The token for the mail's link to answer this card. */
export function emailReviewToken(db: Kysely<Database>, userId: string, card: CardToReview, now: Date) {
  return signExpiringLink(
    db,
    PURPOSE,
    { user: userId, course: card.courseSlug, lesson: card.lessonSlug, card: card.card, review: randomUUID() },
    new Date(now.getTime() + EMAIL_LINK_DAYS * DAY),
  );
}

export type EmailReviewRefusal = 'expired' | 'invalid';
type Refused = { refused: EmailReviewRefusal };

interface OpenedLink {
  user: PublicUser;
  lesson: CatalogLesson;
  question: ReviewQuestion;
  key: CardToReview;
  reviewId: string;
}

async function openLink(
  db: Kysely<Database>,
  catalog: Catalog,
  token: string,
  now: Date,
): Promise<OpenedLink | Refused> {
  const link = await verifyExpiringLink(db, PURPOSE, token, now);
  if (!link) return { refused: 'invalid' };
  if ('expired' in link) return { refused: 'expired' };
  const { user: userId, course, lesson: lessonSlug, card, review: reviewId } = link.fields;
  if (!userId || !course || !lessonSlug || !card || !reviewId) return { refused: 'invalid' };
  const lesson = catalog.lesson(course, lessonSlug);
  const question = lesson && questionOfCard(lesson, card);
  const user = (await repo.isActiveAccount(db, userId)) ? await findUserById(db, userId) : undefined;
  // A question that left the curriculum, or an account closed since the mail was sent.
  if (!lesson || !question || !user) return { refused: 'expired' };
  return { user, lesson, question, key: { courseSlug: course, lessonSlug, card }, reviewId };
}

/** What the link's page shows: the question to answer, or a kind refusal. Changes nothing. */
export async function emailReviewPage(db: Kysely<Database>, catalog: Catalog, token: string, now = new Date()) {
  const opened = await openLink(db, catalog, token, now);
  if ('refused' in opened) return opened;
  const { lesson, question } = opened;
  // Opened again after answering: the first outcome, not the question a second time.
  const earlier = await repo.findReview(db, opened.reviewId);
  const chosen = earlier?.user_id === opened.user.id ? question.options[earlier.chosen_option] : undefined;
  const answered = chosen && {
    correct: chosen.correct,
    feedback: chosen.feedback,
    rightAnswer: question.options.find((o) => o.correct)!.text,
    nextDue: earlier!.due_after,
    timeZone: opened.user.timeZone,
  };
  return {
    answered,
    lessonTitle: lesson.title,
    courseTitle: catalog.course(lesson.courseSlug)?.title ?? '',
    question: question.question,
    options: optionOrder(question.question, question.options).map((index) => ({
      index,
      text: question.options[index]!.text,
    })),
  };
}

/**
 * One tap on an answer in the mail's page. A tap cannot also say how sure the learner
 * was, so a right answer counts as "right, not sure" (Hard): a lucky guess comes back
 * sooner rather than a year later.
 */
export async function answerFromEmail(
  db: Kysely<Database>,
  catalog: Catalog,
  input: { token: string; option: number },
  now = new Date(),
) {
  const opened = await openLink(db, catalog, input.token, now);
  if ('refused' in opened) return opened;
  const result = await answerReview(
    { db, catalog, user: opened.user, now },
    { reviewId: opened.reviewId, ...opened.key, option: input.option, confidence: 'unsure' },
  );
  return { ...result, timeZone: opened.user.timeZone };
}
