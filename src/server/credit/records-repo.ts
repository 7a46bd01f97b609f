import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';

// What learners show to earn credit: post-test attempts, evaluation receipts and answers
// (kept apart), and attestations.

export interface PostTestAttemptRow {
  attempt_id: string;
  score: number;
  passed: boolean;
  correct: number;
  questions: number;
  attempted_at: Date;
}

/** Records an attempt once per `attempt_id` (a retry or double submit inserts nothing). */
export async function insertPostTestAttempt(
  db: Executor,
  values: {
    attemptId: string;
    userId: string;
    courseSlug: string;
    courseVersion: string;
    answers: number[];
    correct: number;
    questions: number;
    score: number;
    passed: boolean;
  },
): Promise<void> {
  await db
    .insertInto('credit_post_test_attempts')
    .values({
      attempt_id: values.attemptId,
      user_id: values.userId,
      course_slug: values.courseSlug,
      course_version: values.courseVersion,
      answers: JSON.stringify(values.answers),
      correct: values.correct,
      questions: values.questions,
      score: values.score,
      passed: values.passed,
    })
    .onConflict((oc) => oc.column('attempt_id').doNothing())
    .execute();
}

/** A learner's attempts for a course, oldest first. */
export function postTestAttempts(db: Executor, userId: string, courseSlug: string): Promise<PostTestAttemptRow[]> {
  return db
    .selectFrom('credit_post_test_attempts')
    .select(['attempt_id', 'score', 'passed', 'correct', 'questions', 'attempted_at'])
    .where('user_id', '=', userId)
    .where('course_slug', '=', courseSlug)
    .orderBy('attempted_at')
    .orderBy('attempt_id')
    .execute();
}

/** Whose attempt this id is, if it was recorded (a retried form may reuse an id). */
export function postTestAttemptOwner(db: Executor, attemptId: string) {
  return db
    .selectFrom('credit_post_test_attempts')
    .select(['user_id', 'course_slug'])
    .where('attempt_id', '=', attemptId)
    .executeTakeFirst();
}

export function evaluationReceipt(db: Executor, userId: string, courseSlug: string) {
  return db
    .selectFrom('credit_evaluation_receipts')
    .select(['form_version', 'completed_on'])
    .where('user_id', '=', userId)
    .where('course_slug', '=', courseSlug)
    .executeTakeFirst();
}

/**
 * The receipt (who) and the answers (what, with no user and only the month) in one
 * transaction; when a receipt exists already nothing is written, so one learner's
 * evaluation counts once however often the form is sent.
 */
export async function insertEvaluation(
  tx: Executor,
  values: {
    userId: string;
    courseSlug: string;
    activityId: string;
    formVersion: number;
    completedOn: string;
    answers: Record<string, unknown>;
  },
): Promise<boolean> {
  const receipt = await tx
    .insertInto('credit_evaluation_receipts')
    .values({
      user_id: values.userId,
      course_slug: values.courseSlug,
      form_version: values.formVersion,
      completed_on: values.completedOn,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_slug']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (!receipt) return false;
  await tx
    .insertInto('credit_evaluations')
    .values({
      id: crypto.randomUUID(),
      course_slug: values.courseSlug,
      activity_id: values.activityId,
      form_version: values.formVersion,
      month: values.completedOn.slice(0, 7),
      answers: JSON.stringify(values.answers),
    })
    .execute();
  return true;
}

export interface CreditClaimRow {
  activity_id: string;
  credit_type: string;
  hours_claimed: number;
  post_test_score: number;
  attested_at: Date;
}

export function creditClaim(db: Executor, userId: string, courseSlug: string): Promise<CreditClaimRow | undefined> {
  return db
    .selectFrom('credit_claims')
    .select(['activity_id', 'credit_type', 'hours_claimed', 'post_test_score', 'attested_at'])
    .where('user_id', '=', userId)
    .where('course_slug', '=', courseSlug)
    .executeTakeFirst();
}

/** The attestation, once per learner and course: a second one changes nothing. */
export async function insertCreditClaim(
  db: Executor,
  values: {
    userId: string;
    courseSlug: string;
    activityId: string;
    creditType: string;
    hoursClaimed: number;
    postTestScore: number;
  },
): Promise<void> {
  await db
    .insertInto('credit_claims')
    .values({
      user_id: values.userId,
      course_slug: values.courseSlug,
      activity_id: values.activityId,
      credit_type: values.creditType,
      hours_claimed: values.hoursClaimed,
      post_test_score: values.postTestScore,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_slug']).doNothing())
    .execute();
}

export interface ActivityReportRow {
  name: string;
  email: string;
  deleted: boolean;
  attempts: number;
  best_score: number;
  passed: boolean;
  evaluation_on: string | null;
  credit_type: string | null;
  hours_claimed: number | null;
  attested_at: Date | null;
  certificate_code: string | null;
  completed_on: string | null;
}

/**
 * One row per learner who sat the activity's post-test or claimed its credit (without a
 * post-test, a claim is the first record): what an accreditor's audit asks for.
 */
export async function activityReportRows(db: Executor, courseSlug: string): Promise<ActivityReportRow[]> {
  const [sat, claimedOnly] = await Promise.all([
    postTestTakersRows(db, courseSlug),
    claimsWithoutAttemptsRows(db, courseSlug),
  ]);
  if (claimedOnly.length === 0) return sat;
  return [...sat, ...claimedOnly].sort((a, b) => a.name.localeCompare(b.name));
}

/** Learners who claimed credit without sitting a post-test (an activity that asks for none). */
function claimsWithoutAttemptsRows(db: Executor, courseSlug: string): Promise<ActivityReportRow[]> {
  return db
    .selectFrom('credit_claims as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .leftJoin('credit_evaluation_receipts as r', (join) =>
      join.onRef('r.user_id', '=', 'c.user_id').onRef('r.course_slug', '=', 'c.course_slug'),
    )
    .leftJoin('certificates as cert', (join) =>
      join
        .onRef('cert.user_id', '=', 'c.user_id')
        .onRef('cert.course_slug', '=', 'c.course_slug')
        .on('cert.replaced_by', 'is', null),
    )
    .where('c.course_slug', '=', courseSlug)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('credit_post_test_attempts as a')
            .select('a.attempt_id')
            .whereRef('a.user_id', '=', 'c.user_id')
            .whereRef('a.course_slug', '=', 'c.course_slug'),
        ),
      ),
    )
    .select([
      'u.name as name',
      'u.email as email',
      sql<boolean>`u.deleted_at is not null`.as('deleted'),
      sql<number>`0`.as('attempts'),
      sql<number>`0`.as('best_score'),
      sql<boolean>`false`.as('passed'),
      'r.completed_on as evaluation_on',
      'c.credit_type as credit_type',
      'c.hours_claimed as hours_claimed',
      'c.attested_at as attested_at',
      'cert.code as certificate_code',
      'cert.completed_on as completed_on',
    ])
    .execute();
}

function postTestTakersRows(db: Executor, courseSlug: string): Promise<ActivityReportRow[]> {
  return db
    .selectFrom('credit_post_test_attempts as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('credit_claims as c', (join) =>
      join.onRef('c.user_id', '=', 'a.user_id').onRef('c.course_slug', '=', 'a.course_slug'),
    )
    .leftJoin('credit_evaluation_receipts as r', (join) =>
      join.onRef('r.user_id', '=', 'a.user_id').onRef('r.course_slug', '=', 'a.course_slug'),
    )
    .leftJoin('certificates as cert', (join) =>
      join
        .onRef('cert.user_id', '=', 'a.user_id')
        .onRef('cert.course_slug', '=', 'a.course_slug')
        .on('cert.replaced_by', 'is', null),
    )
    .where('a.course_slug', '=', courseSlug)
    .groupBy([
      'u.id',
      'u.name',
      'u.email',
      'u.deleted_at',
      'c.credit_type',
      'c.hours_claimed',
      'c.attested_at',
      'r.completed_on',
      'cert.code',
      'cert.completed_on',
    ])
    .select((eb) => [
      'u.name as name',
      'u.email as email',
      sql<boolean>`u.deleted_at is not null`.as('deleted'),
      eb.fn.countAll<number>().as('attempts'),
      eb.fn.max('a.score').as('best_score'),
      eb.fn<boolean>('bool_or', ['a.passed']).as('passed'),
      'r.completed_on as evaluation_on',
      'c.credit_type as credit_type',
      'c.hours_claimed as hours_claimed',
      'c.attested_at as attested_at',
      'cert.code as certificate_code',
      'cert.completed_on as completed_on',
    ])
    .orderBy('u.name')
    .execute();
}

/** Every evaluation of a course: answers only, no learner, in a stable order that is not the order they came in. */
export function evaluationsOf(db: Executor, courseSlug: string) {
  return db
    .selectFrom('credit_evaluations')
    .select(['form_version', 'month', 'answers'])
    .where('course_slug', '=', courseSlug)
    .orderBy('id')
    .execute();
}

/**
 * Everything one learner showed to earn credit, for their data export: attempts with
 * scores, evaluation receipts and claims. Never the evaluation answers: they carry no
 * user, so they cannot be told apart (decision 0036).
 */
export async function creditRecordsOfUser(db: Executor, userId: string) {
  const [attempts, receipts, claims] = await Promise.all([
    db
      .selectFrom('credit_post_test_attempts')
      .select(['course_slug', 'course_version', 'answers', 'correct', 'questions', 'score', 'passed', 'attempted_at'])
      .where('user_id', '=', userId)
      .orderBy('attempted_at')
      .orderBy('attempt_id')
      .execute(),
    db
      .selectFrom('credit_evaluation_receipts')
      .select(['course_slug', 'form_version', 'completed_on'])
      .where('user_id', '=', userId)
      .orderBy('course_slug')
      .execute(),
    db
      .selectFrom('credit_claims')
      .select(['course_slug', 'activity_id', 'credit_type', 'hours_claimed', 'post_test_score', 'attested_at'])
      .where('user_id', '=', userId)
      .orderBy('course_slug')
      .execute(),
  ]);
  return { attempts, receipts, claims };
}

export interface EventCreditRow {
  course_slug: string;
  credit_type: string;
  learners: number;
  hours: number;
}

/**
 * Credit claimed for an event's courses by its attendees since they enrolled, per course
 * and credit type: counts and total hours only, never who.
 */
export async function creditClaimedForEvent(
  db: Executor,
  eventId: string,
  courseSlugs: string[],
): Promise<EventCreditRow[]> {
  if (courseSlugs.length === 0) return [];
  const rows = await db
    .selectFrom('credit_claims as c')
    .innerJoin('event_enrollments as e', 'e.user_id', 'c.user_id')
    .where('e.event_id', '=', eventId)
    .where('c.course_slug', 'in', courseSlugs)
    .whereRef('c.attested_at', '>=', 'e.enrolled_at')
    .groupBy(['c.course_slug', 'c.credit_type'])
    .select((eb) => [
      'c.course_slug as course_slug',
      'c.credit_type as credit_type',
      eb.fn.countAll<number | string>().as('learners'),
      eb.fn.sum<number | string>('c.hours_claimed').as('hours'),
    ])
    .orderBy('c.course_slug')
    .orderBy('c.credit_type')
    .execute();
  // PostgreSQL returns counts as bigint and sums of numeric as strings.
  return rows.map((r) => ({ ...r, learners: Number(r.learners), hours: Number(r.hours) }));
}
