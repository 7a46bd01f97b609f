import { describe, expect, it } from 'vitest';
import {
  AGAIN,
  cardsOfLesson,
  DAILY_REVIEW_CAP,
  GOOD,
  HARD,
  isMastered,
  questionOfCard,
  ratingFor,
  reviewStreamWeek,
  todaysCards,
  type ReviewOutcome,
} from '#lib/review-rules.ts';
import { newCardState, nextState, type CardState } from '#server/review/scheduler.ts';
import { reviewWeeksField } from '#lib/event-validation.ts';

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);
const days = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / DAY);

const option = (text: string, correct = false) => ({ text, correct, feedback: `About ${text}.` });
const question = (text: string) => ({
  id: text.replaceAll(' ', '-'),
  question: text,
  options: [option('a', true), option('b'), option('c')],
});
const lesson = (slug: string, checks: number, reviews: number) => ({
  slug,
  check: Array.from({ length: checks }, (_, i) => question(`${slug} check ${i}`)),
  review: Array.from({ length: reviews }, (_, i) => question(`${slug} review ${i}`)),
});

/** Answers a card on each due date in turn; returns the interval in days after each answer. */
function intervalsFor(ratings: (1 | 2 | 3)[], completedAt = at('2026-12-01T08:00:00Z')) {
  let state: CardState = newCardState(completedAt);
  const intervals: number[] = [];
  for (const rating of ratings) {
    const now = state.due;
    state = nextState(state, rating, now);
    intervals.push(days(now, state.due));
  }
  return { intervals, state };
}

describe('cards of a lesson', () => {
  it('are its check questions, then its review questions, keyed by their ids', () => {
    const cards = cardsOfLesson(lesson('l', 2, 3));
    expect(cards.map((c) => c.card)).toEqual(['l-check-0', 'l-check-1', 'l-review-0', 'l-review-1', 'l-review-2']);
    expect(cards[3]!.question.question).toBe('l review 1');
  });

  it('keep their ids when questions are reordered or one is inserted', () => {
    const before = lesson('l', 2, 3);
    const after = { ...before, review: [question('l review new'), ...before.review].reverse() };
    const idOf = (l: typeof before, text: string) => cardsOfLesson(l).find((c) => c.question.question === text)!.card;
    for (const text of ['l review 0', 'l review 1', 'l review 2']) expect(idOf(after, text)).toBe(idOf(before, text));
  });

  it('are its check questions alone when it has no review questions yet', () => {
    expect(cardsOfLesson({ check: lesson('l', 3, 0).check, review: [] }).map((c) => c.card)).toEqual([
      'l-check-0',
      'l-check-1',
      'l-check-2',
    ]);
  });

  it('refuse an id that names no question', () => {
    const l = lesson('l', 2, 1);
    expect(questionOfCard(l, 'l-review-0')?.question).toBe('l review 0');
    for (const tampered of ['l-review-1', 'l-check-2', 'review:0', 'check:0', '', 'l-check-0 '])
      expect(questionOfCard(l, tampered)).toBeUndefined();
  });
});

describe('ratings', () => {
  it('wrong is Again, right but not sure is Hard, right and sure is Good', () => {
    expect(ratingFor(false, 'sure')).toBe(AGAIN);
    expect(ratingFor(false, 'unsure')).toBe(AGAIN);
    expect(ratingFor(true, 'unsure')).toBe(HARD);
    expect(ratingFor(true, 'sure')).toBe(GOOD);
  });
});

describe('the scheduler', () => {
  it('makes a new card due a day after the lesson was completed', () => {
    const completed = at('2026-12-01T08:00:00Z');
    const state = newCardState(completed);
    expect(state.due).toEqual(at('2026-12-02T08:00:00Z'));
    expect(state.reps).toBe(0);
  });

  it('spaces right-and-sure answers further and further apart', () => {
    const { intervals } = intervalsFor([GOOD, GOOD, GOOD, GOOD, GOOD]);
    expect(intervals).toEqual([3, 14, 57, 196, 365]);
  });

  it('brings a forgotten card back soon and counts the lapse', () => {
    const { intervals, state } = intervalsFor([GOOD, GOOD, AGAIN, GOOD]);
    expect(intervals.slice(0, 2)).toEqual([3, 14]);
    expect(intervals[2]).toBeLessThanOrEqual(3);
    expect(intervals[3]).toBeGreaterThan(intervals[2]!);
    expect(state.lapses).toBe(1);
    expect(state.reps).toBe(4);
  });

  it('gives "not sure" a shorter interval than "sure", and never a day less than one', () => {
    const sure = intervalsFor([GOOD, GOOD]).intervals;
    const unsure = intervalsFor([GOOD, HARD]).intervals;
    expect(unsure[1]).toBeLessThan(sure[1]!);
    expect(Math.min(...intervalsFor([AGAIN, AGAIN, HARD, AGAIN]).intervals)).toBeGreaterThanOrEqual(1);
  });

  it('never waits more than a year', () => {
    const { intervals } = intervalsFor(Array.from({ length: 14 }, () => GOOD));
    expect(Math.max(...intervals)).toBe(365);
  });

  it('schedules from when the learner actually answers, late or not', () => {
    const start = newCardState(at('2026-12-01T08:00:00Z'));
    const onTime = nextState(start, GOOD, start.due);
    const late = nextState(start, GOOD, at('2026-12-20T08:00:00Z'));
    expect(late.due.getTime()).toBeGreaterThan(onTime.due.getTime());
    expect(late.last_review).toEqual(at('2026-12-20T08:00:00Z'));
  });
});

describe("today's cards", () => {
  const due = (iso: string, id: string) => ({ due: at(iso), id });
  const cards = [
    due('2026-12-05T00:00:00Z', 'c'),
    due('2026-12-01T00:00:00Z', 'a'),
    due('2026-12-03T00:00:00Z', 'b'),
    due('2026-12-06T00:00:00Z', 'd'),
    due('2026-12-06T01:00:00Z', 'e'),
    due('2026-12-07T00:00:00Z', 'f'),
    due('2026-12-07T01:00:00Z', 'g'),
  ];

  it('are the most overdue first, at most five', () => {
    expect(DAILY_REVIEW_CAP).toBe(5);
    expect(todaysCards(cards, 0).map((c) => c.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('count the reviews already done today against the five', () => {
    expect(todaysCards(cards, 3).map((c) => c.id)).toEqual(['a', 'b']);
    expect(todaysCards(cards, 5)).toEqual([]);
    expect(todaysCards(cards, 9)).toEqual([]);
  });

  it('are all of them when fewer than five are due', () => {
    expect(todaysCards(cards.slice(0, 2), 0)).toHaveLength(2);
    expect(todaysCards([], 0)).toEqual([]);
  });
});

describe('mastery', () => {
  const course = { lessons: [lesson('one', 2, 0), lesson('two', 1, 1)] };
  const cardsOf = [
    ['one', 'one-check-0'],
    ['one', 'one-check-1'],
    ['two', 'two-check-0'],
    ['two', 'two-review-0'],
  ] as const;
  const review = (lessonSlug: string, card: string, correct: boolean, iso: string): ReviewOutcome => ({
    lessonSlug,
    card,
    correct,
    reviewedAt: at(iso),
  });
  const everyCard = (correct: boolean, iso: string) =>
    cardsOf.map(([lessonSlug, card]) => review(lessonSlug, card, correct, iso));

  it('needs every card right twice in a row, at least seven days apart', () => {
    const log = [...everyCard(true, '2026-12-01T08:00:00Z'), ...everyCard(true, '2026-12-08T08:00:00Z')];
    expect(isMastered(course, log)).toBe(true);
  });

  it('is not reached when the two right answers are less than seven days apart', () => {
    const log = [...everyCard(true, '2026-12-01T08:00:00Z'), ...everyCard(true, '2026-12-08T07:59:00Z')];
    expect(isMastered(course, log)).toBe(false);
  });

  it('is lost by a wrong last answer, and regained only by two right ones after it', () => {
    const twice = [...everyCard(true, '2026-12-01T08:00:00Z'), ...everyCard(true, '2026-12-08T08:00:00Z')];
    const missed = [...twice, review('two', 'two-review-0', false, '2026-12-20T08:00:00Z')];
    expect(isMastered(course, missed)).toBe(false);
    const once = [...missed, review('two', 'two-review-0', true, '2026-12-22T08:00:00Z')];
    expect(isMastered(course, once)).toBe(false);
    const again = [...once, review('two', 'two-review-0', true, '2026-12-29T08:00:00Z')];
    expect(isMastered(course, again)).toBe(true);
  });

  it('needs every card of the course, not only those reviewed', () => {
    const log = [...everyCard(true, '2026-12-01T08:00:00Z'), ...everyCard(true, '2026-12-08T08:00:00Z')].filter(
      (r) => r.card !== 'two-review-0',
    );
    expect(isMastered(course, log)).toBe(false);
    expect(isMastered({ lessons: [] }, [])).toBe(false);
  });

  it('reads the log in time order, however it arrives', () => {
    const log = [...everyCard(true, '2026-12-08T08:00:00Z'), ...everyCard(true, '2026-12-01T08:00:00Z')];
    expect(isMastered(course, log)).toBe(true);
  });
});

describe("an event's review stream", () => {
  const dripEnded = at('2030-01-07T07:00:00Z');
  it('runs week 1 from a week after the last lesson opened, for the chosen number of weeks, then stops', () => {
    expect(reviewStreamWeek(dripEnded, 2, at('2030-01-14T06:59:00Z'))).toBeUndefined();
    expect(reviewStreamWeek(dripEnded, 2, at('2030-01-14T07:00:00Z'))).toBe(1);
    expect(reviewStreamWeek(dripEnded, 2, at('2030-01-21T06:59:00Z'))).toBe(1);
    expect(reviewStreamWeek(dripEnded, 2, at('2030-01-21T07:00:00Z'))).toBe(2);
    expect(reviewStreamWeek(dripEnded, 2, at('2030-01-28T07:00:00Z'))).toBeUndefined();
    expect(reviewStreamWeek(dripEnded, 0, at('2030-01-14T07:00:00Z')), '0 weeks: off').toBeUndefined();
  });

  it('takes 0 to 12 whole weeks on the event form; empty is 0', () => {
    expect(reviewWeeksField.parse('')).toBe(0);
    expect(reviewWeeksField.parse(null)).toBe(0);
    expect(reviewWeeksField.parse(' 4 ')).toBe(4);
    for (const bad of ['13', '-1', '2.5', 'four'])
      expect(reviewWeeksField.safeParse(bad).error?.issues[0]?.message, bad).toMatch(/weeks/);
  });
});
