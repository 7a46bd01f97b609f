// Spaced review (decision 0028): which questions become a learner's cards, how many come
// back a day, and when a course counts as mastered. Pure: no clock, no I/O.
import type { CatalogLesson } from './catalog.ts';

/** At most this many review questions a day, however many are due. */
export const DAILY_REVIEW_CAP = 5;
/** About how long one review question takes, for "about 90 s" on Today. */
export const SECONDS_PER_REVIEW = 30;
/** Mastery: two right answers in a row at least this many days apart. */
export const MASTERY_GAP_DAYS = 7;

/**
 * A team's review numbers (mastery, most-missed questions) are shown only once this many of
 * its learners have answered review questions of the course, so no one can be singled out.
 */
export const TEAM_REVIEW_MIN_LEARNERS = 5;
/** How many of a team's most-missed questions the dashboard lists per course. */
export const MOST_MISSED_SHOWN = 3;

export type ReviewQuestion = CatalogLesson['check'][number];

/**
 * A lesson's cards: its check questions and its review questions, each keyed by the
 * question's permanent id (decision 0030), so reordering or adding questions moves no one's schedule.
 */
export function cardsOfLesson(
  lesson: Pick<CatalogLesson, 'check' | 'review'>,
): { card: string; question: ReviewQuestion }[] {
  return [...lesson.check, ...(lesson.review ?? [])].map((question) => ({ card: question.id, question }));
}

/** The question behind a card id, or undefined when the id is unknown (or tampered with). */
export function questionOfCard(
  lesson: Pick<CatalogLesson, 'check' | 'review'>,
  card: string,
): ReviewQuestion | undefined {
  return cardsOfLesson(lesson).find((c) => c.card === card)?.question;
}

/** How many due cards to show today: the most overdue first, up to what is left of the cap. */
export function todaysCards<T extends { due: Date }>(due: readonly T[], reviewedToday: number): T[] {
  const left = Math.max(0, DAILY_REVIEW_CAP - reviewedToday);
  return [...due].sort((a, b) => a.due.getTime() - b.due.getTime()).slice(0, left);
}

export type Confidence = 'sure' | 'unsure';
/** ts-fsrs ratings: Again 1, Hard 2, Good 3. */
export const AGAIN = 1;
export const HARD = 2;
export const GOOD = 3;

/** Wrong → Again; right but not sure → Hard; right and sure → Good. */
export function ratingFor(correct: boolean, confidence: Confidence): 1 | 2 | 3 {
  if (!correct) return AGAIN;
  return confidence === 'sure' ? GOOD : HARD;
}

export interface ReviewOutcome {
  lessonSlug: string;
  card: string;
  correct: boolean;
  reviewedAt: Date;
}

/**
 * A course is mastered when every card of every lesson was answered right in its last two
 * reviews, and those two were at least seven days apart.
 */
export function isMastered(
  course: { lessons: readonly Pick<CatalogLesson, 'slug' | 'check' | 'review'>[] },
  log: readonly ReviewOutcome[],
): boolean {
  const byCard = new Map<string, ReviewOutcome[]>();
  for (const entry of log) {
    const key = `${entry.lessonSlug}/${entry.card}`;
    byCard.set(key, [...(byCard.get(key) ?? []), entry]);
  }
  const cards = course.lessons.flatMap((lesson) => cardsOfLesson(lesson).map((c) => `${lesson.slug}/${c.card}`));
  if (cards.length === 0) return false;
  return cards.every((key) => {
    const reviews = [...(byCard.get(key) ?? [])].sort((a, b) => a.reviewedAt.getTime() - b.reviewedAt.getTime());
    const [previous, last] = reviews.slice(-2);
    if (!previous || !last || !previous.correct || !last.correct) return false;
    return last.reviewedAt.getTime() - previous.reviewedAt.getTime() >= MASTERY_GAP_DAYS * 86_400_000;
  });
}

/** At most this many weeks of review questions by email after an event's drip. */
export const MAX_REVIEW_WEEKS = 12;
const WEEK_MS = 7 * 86_400_000;

/**
 * Which week of an event's review stream `now` falls in (1 to `weeks`), or undefined
 * outside it. Week k runs from k weeks after the last lesson opened until k + 1: a week
 * whose question could not go out (quiet hours, nothing due) is not made up later.
 */
export function reviewStreamWeek(dripEndedAt: Date, weeks: number, now: Date): number | undefined {
  const week = Math.floor((now.getTime() - dripEndedAt.getTime()) / WEEK_MS);
  return week >= 1 && week <= weeks ? week : undefined;
}

/** What a review link from an email says when it cannot be used: kindly, and where to go instead. */
export function refusalMessage(reason: 'expired' | 'invalid'): string {
  return reason === 'expired'
    ? 'This question’s link has expired (they work for two weeks). Your review questions are waiting in Daily review when you sign in.'
    : 'This link does not work: it may have been cut short when it was copied. Open it again from the email, or find your review questions in Daily review when you sign in.';
}
