// FSRS through ts-fsrs (decision 0028): desired retention 0.9, at most a year between
// reviews. Learning steps of minutes are off: a card comes back on a later day, never
// within the same short session. No fuzz, so the same answers always give the same dates.
import { createEmptyCard, fsrs, type Card, type Grade } from 'ts-fsrs';

const MAXIMUM_INTERVAL_DAYS = 365;
const scheduler = fsrs({
  request_retention: 0.9,
  maximum_interval: MAXIMUM_INTERVAL_DAYS,
  enable_fuzz: false,
  enable_short_term: false,
});

/** A card's FSRS state as the review_cards row keeps it. */
export interface CardState {
  due: Date;
  stability: number;
  difficulty: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  state: number;
  last_review: Date | null;
}

const DAY_MS = 86_400_000;

/** A new card, first due a day after the lesson was completed. */
export function newCardState(completedAt: Date): CardState {
  const card = createEmptyCard(completedAt);
  return { ...fromCard(card), due: new Date(completedAt.getTime() + DAY_MS) };
}

/** The card's state after one review with this rating (1 Again, 2 Hard, 3 Good) at `now`. */
export function nextState(current: CardState, rating: 1 | 2 | 3, now: Date): CardState {
  const card: Card = {
    due: current.due,
    stability: current.stability,
    difficulty: current.difficulty,
    elapsed_days: 0,
    scheduled_days: current.scheduled_days,
    learning_steps: current.learning_steps,
    reps: current.reps,
    lapses: current.lapses,
    state: current.state,
    last_review: current.last_review ?? undefined,
  };
  const next = fromCard(scheduler.next(card, now, rating as Grade).card);
  // ts-fsrs keeps Good a day beyond Hard even at the cap (366 days): the cap is ours to keep.
  if (next.scheduled_days > MAXIMUM_INTERVAL_DAYS) {
    next.scheduled_days = MAXIMUM_INTERVAL_DAYS;
    next.due = new Date(now.getTime() + MAXIMUM_INTERVAL_DAYS * DAY_MS);
  }
  return next;
}

function fromCard(card: Card): CardState {
  return {
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    scheduled_days: card.scheduled_days,
    learning_steps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state,
    last_review: card.last_review ?? null,
  };
}
