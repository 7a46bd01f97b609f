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

/** Records one answer, and the lesson's first opening if this is it, in one statement. */
export async function recordAnswer(
  db: Executor,
  key: LessonKey,
  attempt: { question: number; chosenOption: number; correct: boolean },
): Promise<void> {
  const lesson = { user_id: key.userId, course_slug: key.courseSlug, lesson_slug: key.lessonSlug };
  await db
    .with('started', (qb) =>
      qb
        .insertInto('lesson_progress')
        .values(lesson)
        .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'lesson_slug']).doNothing()),
    )
    .insertInto('check_attempts')
    .values({ ...lesson, question: attempt.question, chosen_option: attempt.chosenOption, correct: attempt.correct })
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
    // In the course's current term only (decision 0041).
    .where('answered_at', '>=', (eb) =>
      eb
        .selectFrom('course_terms')
        .select(sql<Date>`coalesce(max(opened_at), '-infinity')`.as('since'))
        .where('user_id', '=', key.userId)
        .where('course_slug', '=', key.courseSlug),
    )
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

/** A review card to create with the completion: its id and FSRS state (its due date is set by the statement). */
export interface NewCard {
  card: string;
  stability: number;
  difficulty: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  state: number;
  last_review: Date | null;
}

export interface CompletionOutcome {
  /**
   * The learner has joined an event with this course, or takes it as a later step of an
   * in-order path, and `locksChecked` was false: nothing was written.
   */
  mayBeLocked: boolean;
  /** Questions of the check not yet answered right (in this request or before); non-empty: not completed. */
  missing: number[];
  completed: { completed_at: Date; course_version: string | null; seconds_spent: number; started_at: Date } | null;
  /** The learner's other rows in this course, as they were before this statement. */
  otherRows: { lesson_slug: string; started_at: Date; completed_at: Date | null }[];
}

/**
 * A completion in one round trip (issue 23): records the answers sent, checks that every
 * question has now been answered right (in this request or earlier), completes the lesson
 * exactly as completeLesson does, creates its review cards (due a day after `cardsDueFrom`,
 * else after the completion) and returns the learner's other rows of the course, from which
 * the caller tells whether the course is complete. One statement, so it is also atomic.
 *
 * While the learner has joined an event that has this course, or takes it as a later step
 * of an in-order learning path, nothing is written unless `locksChecked`: whether the event
 * or the path still holds the lesson back is decided by those domains, and the caller then
 * runs this again.
 */
export async function completeWithCheck(
  db: Executor,
  key: LessonKey,
  input: {
    courseVersion: string;
    questionCount: number;
    attempts: { question: number; chosenOption: number; correct: boolean }[];
    cards: NewCard[];
    cardsDueFrom: Date | null;
    locksChecked: boolean;
  },
): Promise<CompletionOutcome> {
  const { userId, courseSlug, lessonSlug } = key;
  const attempts = input.attempts.map((a) => ({
    question: a.question,
    chosen_option: a.chosenOption,
    correct: a.correct,
  }));
  const { rows } = await sql<{
    may_be_locked: boolean;
    missing: number[];
    completed_at: Date | null;
    course_version: string | null;
    seconds_spent: number | null;
    started_at: Date | null;
    other_rows: { lesson_slug: string; started_at: string; completed_at: string | null }[];
  }>`
    with may_be_locked as (
      select not ${input.locksChecked}::boolean and (exists (
        select 1 from event_enrollments e join event_courses c on c.event_id = e.event_id
        where e.user_id = ${userId} and c.course_slug = ${courseSlug}) or exists (
        select 1 from team_assignments a join team_paths p on p.id = a.path_id
          join team_members m on m.team_id = a.team_id
        where m.user_id = ${userId} and a.course_slug = ${courseSlug} and p.in_order and a.path_position > 1)) as yes),
    attempts as (
      insert into check_attempts (user_id, course_slug, lesson_slug, question, chosen_option, correct)
      select ${userId}, ${courseSlug}, ${lessonSlug}, a.question, a.chosen_option, a.correct
      from jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb) as a(question int, chosen_option int, correct boolean)
      where not (select yes from may_be_locked)
      returning question, correct),
    -- Answers count in the course's current term only: a renewal answers the checks again (decision 0041).
    right_answers as (
      select question from check_attempts
      where user_id = ${userId} and course_slug = ${courseSlug} and lesson_slug = ${lessonSlug} and correct
        and answered_at >= (select coalesce(max(opened_at), '-infinity') from course_terms
          where user_id = ${userId} and course_slug = ${courseSlug})
      union select question from attempts where correct),
    missing as (
      select coalesce(array_agg(q order by q), '{}') as questions
      from generate_series(0, ${input.questionCount - 1}::int) q
      where q not in (select question from right_answers)),
    done as (
      insert into lesson_progress (user_id, course_slug, lesson_slug, completed_at, course_version)
      select ${userId}, ${courseSlug}, ${lessonSlug}, now(), ${input.courseVersion}
      where not (select yes from may_be_locked) and cardinality((select questions from missing)) = 0
      on conflict (user_id, course_slug, lesson_slug) do update set
        completed_at = coalesce(lesson_progress.completed_at, excluded.completed_at),
        course_version = coalesce(lesson_progress.course_version, excluded.course_version),
        seconds_spent = greatest(lesson_progress.seconds_spent, least(2147483647, floor(extract(epoch from
          now() - greatest(lesson_progress.started_at, (
            select max(other.completed_at) from lesson_progress other
            where other.user_id = lesson_progress.user_id and other.course_slug = lesson_progress.course_slug
              and other.lesson_slug <> lesson_progress.lesson_slug and other.completed_at <= now()
          ))))))::integer
      returning completed_at, course_version, seconds_spent, started_at),
    cards as (
      insert into review_cards (user_id, course_slug, lesson_slug, card, due, stability, difficulty,
                                scheduled_days, learning_steps, reps, lapses, state, last_review)
      select ${userId}, ${courseSlug}, ${lessonSlug}, c.card,
        coalesce(${input.cardsDueFrom?.toISOString() ?? null}::timestamptz, done.completed_at) + interval '1 day',
        c.stability, c.difficulty, c.scheduled_days, c.learning_steps, c.reps, c.lapses, c.state, c.last_review
      from done, jsonb_to_recordset(${JSON.stringify(input.cards)}::jsonb) as c(card text, stability float8,
        difficulty float8, scheduled_days int, learning_steps int, reps int, lapses int, state smallint,
        last_review timestamptz)
      on conflict (user_id, course_slug, lesson_slug, card) do nothing)
    select (select yes from may_be_locked) as may_be_locked, (select questions from missing) as missing,
      done.completed_at, done.course_version, done.seconds_spent, done.started_at,
      (select coalesce(json_agg(json_build_object('lesson_slug', p.lesson_slug, 'started_at', p.started_at,
          'completed_at', p.completed_at)), '[]')
        from lesson_progress p
        where p.user_id = ${userId} and p.course_slug = ${courseSlug} and p.lesson_slug <> ${lessonSlug}) as other_rows
    from (select 1) as one left join done on true`.execute(db);
  const row = rows[0]!;
  return {
    mayBeLocked: row.may_be_locked,
    missing: row.missing,
    completed: row.completed_at
      ? {
          completed_at: row.completed_at,
          course_version: row.course_version,
          seconds_spent: row.seconds_spent!,
          started_at: row.started_at!,
        }
      : null,
    otherRows: row.other_rows.map((other) => ({
      lesson_slug: other.lesson_slug,
      started_at: new Date(other.started_at),
      completed_at: other.completed_at ? new Date(other.completed_at) : null,
    })),
  };
}

// ---------------------------------------------------------------- renewal terms (decision 0041)

export interface CourseTerm {
  course_slug: string;
  term: number;
  opened_at: Date;
  due_on: string;
  previous_completed_at: Date;
}

/** The latest renewal term of each course the learner renewed (none: every course is in term 1). */
export async function latestTerms(db: Executor, userId: string): Promise<CourseTerm[]> {
  const rows = await db
    .selectFrom('course_terms')
    .select(['course_slug', 'term', 'opened_at', 'due_on', 'previous_completed_at'])
    .distinctOn('course_slug')
    .where('user_id', '=', userId)
    .orderBy('course_slug')
    .orderBy('term', 'desc')
    .execute();
  return rows.map((row) => ({ ...row, due_on: dateText(row.due_on) }));
}

/** Every renewal term of the learner, oldest first, with the previous term's lessons (their record). */
export function termsOfUser(db: Executor, userId: string) {
  return db
    .selectFrom('course_terms')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('course_slug')
    .orderBy('term')
    .execute();
}

// pg returns a date column as text here (the driver's date parser is off); PGlite may give a Date.
const dateText = (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value));

/**
 * Opens the next term of a course for the learner: the course's lesson rows move into the
 * new term's row (kept as they were) so the course is taken afresh. Serialised per learner
 * and course; only when every one of `lessonSlugs` is completed, so a double submit opens
 * one term. Returns the new term, or undefined when nothing was opened.
 */
export async function openNextTerm(
  db: Executor,
  key: { userId: string; courseSlug: string; lessonSlugs: string[]; dueOn: string },
): Promise<number | undefined> {
  await sql`select pg_advisory_xact_lock(hashtext('rounds.course-term'), hashtext(${key.userId} || '/' || ${key.courseSlug}))`.execute(
    db,
  );
  const { rows } = await sql<{ term: number | null }>`
    with done as (
      select max(completed_at) as last_completed, count(*) as n from lesson_progress
      where user_id = ${key.userId} and course_slug = ${key.courseSlug}
        and completed_at is not null
        and lesson_slug in (select jsonb_array_elements_text(${JSON.stringify(key.lessonSlugs)}::jsonb))),
    eligible as (select last_completed from done where n = ${key.lessonSlugs.length} and n > 0),
    moved as (
      delete from lesson_progress
      where user_id = ${key.userId} and course_slug = ${key.courseSlug} and exists (select 1 from eligible)
      returning lesson_slug, started_at, completed_at, course_version, seconds_spent),
    inserted as (
      insert into course_terms (user_id, course_slug, term, due_on, previous_completed_at, previous_lessons)
      select ${key.userId}, ${key.courseSlug},
        coalesce((select max(term) from course_terms where user_id = ${key.userId} and course_slug = ${key.courseSlug}), 1) + 1,
        ${key.dueOn}::date, eligible.last_completed,
        (select coalesce(jsonb_agg(to_jsonb(moved)), '[]'::jsonb) from moved)
      from eligible
      returning term)
    select (select term from inserted) as term`.execute(db);
  return rows[0]?.term ?? undefined;
}
