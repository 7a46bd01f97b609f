import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { CatalogCourse } from '#lib/catalog.ts';
import { summarizeCourse } from '#lib/course-progress.ts';
import {
  claimedHoursProblem,
  CREDIT_TYPE_LABELS,
  engagementFloorSeconds,
  passesPostTest,
  postTestScore,
  type CreditType,
} from '#lib/credit-rules.ts';
import { dateIn, serverTimeZone } from '#lib/team-rules.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { ConflictError, FieldError, NotFoundError } from '#server/kernel/errors.ts';
import { settings } from '#server/platform/settings.ts';
import { progressOfUser } from '#server/progress/index.ts';
import { creditOffer, creditProvider, type CourseCreditOffer } from './credit.ts';
import { courseActivity, type ActivityRef, type CreditActivity } from './activity.ts';
import * as records from './records-repo.ts';

// Earning continuing-education credit (issue 21): every lesson completed, the time the
// lessons need, a post-test passed (retakes allowed, each attempt kept), an evaluation,
// then an attestation of the hours claimed. Only then is the certificate issued with credit.

/** The evaluation form's version: answers are stored with it, so a changed form is reported apart. */
export const EVALUATION_FORM_VERSION = 1;

export const LIKERT = ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'];

/** The post-test: every check question of the course (or of each of an event's courses), lesson by lesson. */
export function postTestQuestions(of: CatalogCourse | CreditActivity) {
  const courses = 'courses' in of ? of.courses : [of];
  return courses.flatMap((course) =>
    course.lessons.flatMap((lesson) => lesson.check.map((question) => ({ course, lesson, question }))),
  );
}

export interface CreditStatus {
  offer: CourseCreditOffer;
  lessonsDone: number;
  lessonsTotal: number;
  completedAt: Date | null;
  engagementSeconds: number;
  engagementFloorSeconds: number;
  attempts: records.PostTestAttemptRow[];
  /** The best attempt's score, or null before the first. */
  bestScore: number | null;
  passed: boolean;
  evaluationDone: boolean;
  claim: records.CreditClaimRow | undefined;
  /** What still stands between the learner and the attestation, in their words and in order. */
  missing: string[];
}

async function statusOf(
  db: Kysely<Database>,
  userId: string,
  activity: CreditActivity,
  now: Date,
): Promise<CreditStatus | undefined> {
  const offer = await creditOffer(db, activity.credit, now);
  if (!offer) return undefined;
  const [progress, attempts, receipt, claim] = await Promise.all([
    progressOfUser(db, userId),
    records.postTestAttempts(db, userId, activity.key),
    records.evaluationReceipt(db, userId, activity.key),
    records.creditClaim(db, userId, activity.key),
  ]);
  // An event's activity covers every one of its courses: done when the last is.
  const summaries = activity.courses.map((course) => summarizeCourse(course, progress));
  const complete = summaries.length > 0 && summaries.every((s) => s.complete);
  const completedAt = complete ? new Date(Math.max(...summaries.map((s) => s.completedAt?.getTime() ?? 0))) : null;
  const lessonsDone = summaries.reduce((sum, s) => sum + s.done, 0);
  const lessonsTotal = summaries.reduce((sum, s) => sum + s.total, 0);
  const lessons = new Set(activity.courses.flatMap((c) => c.lessons.map((l) => `${c.slug}/${l.slug}`)));
  const engagementSeconds = progress
    .filter((row) => lessons.has(`${row.course_slug}/${row.lesson_slug}`) && row.completed_at)
    .reduce((sum, row) => sum + row.seconds_spent, 0);
  const floor = engagementFloorSeconds(
    activity.courses.flatMap((c) => c.lessons),
    settings().LESSON_TIME_FLOOR,
  );
  const passed = attempts.some((a) => a.passed);
  const missing: string[] = [];
  if (!offer.open) missing.push('Credit for this activity is not open now.');
  const { requires } = offer;
  if (!complete) missing.push(`Complete every lesson (${lessonsDone} of ${lessonsTotal} done).`);
  else if (requires.engagementTime && engagementSeconds < floor)
    missing.push('Spend the time the lessons need: open each lesson again and read it through.');
  if (requires.postTest && !passed) missing.push(`Pass the post-test (${offer.passMark}% or more).`);
  if (requires.evaluation && !receipt) missing.push('Complete the evaluation.');
  return {
    offer,
    lessonsDone,
    lessonsTotal,
    completedAt,
    engagementSeconds,
    engagementFloorSeconds: floor,
    attempts,
    bestScore: attempts.length ? Math.max(...attempts.map((a) => a.score)) : null,
    passed,
    evaluationDone: Boolean(receipt),
    claim,
    missing,
  };
}

/** The signed-in learner's way to credit for a course or an event; undefined when it offers none. */
export function creditStatus(
  ctx: RequestContext,
  of: CatalogCourse | CreditActivity,
): Promise<CreditStatus | undefined> {
  const activity = 'courses' in of ? of : courseActivity(of);
  if (!activity) return Promise.resolve(undefined);
  return statusOf(ctx.db, ctx.user.id, activity, ctx.now ?? new Date());
}

/** The activity a service is asked about: a course's from the catalog, or the one its caller resolved. */
function activityOf(ctx: RequestContext, ref: ActivityRef): CreditActivity {
  if ('activity' in ref) return ref.activity;
  const course = ctx.catalog.course(ref.courseSlug);
  if (!course) throw new NotFoundError('There is no such course.');
  const activity = courseActivity(course);
  if (!activity) throw new NotFoundError('This course offers no continuing-education credit.');
  return activity;
}

async function requireOpenStatus(ctx: RequestContext, activity: CreditActivity): Promise<CreditStatus> {
  const status = await creditStatus(ctx, activity);
  if (!status) throw new NotFoundError('This activity offers no continuing-education credit.');
  if (status.claim) throw new ConflictError('You have already claimed credit for this activity.');
  if (!status.offer.open) throw new ConflictError('Credit for this activity is not open now.');
  if (status.completedAt === null) throw new ConflictError('Complete every lesson first.');
  return status;
}

/** Grades and records one post-test attempt (once per `attemptId`). */
export async function submitPostTest(
  ctx: RequestContext,
  input: ActivityRef & { attemptId: string; answers: (number | null | undefined)[] },
): Promise<{ score: number; passed: boolean }> {
  const activity = activityOf(ctx, input);
  const recorded = await records.postTestAttemptOwner(ctx.db, input.attemptId);
  if (recorded && (recorded.user_id !== ctx.user.id || recorded.course_slug !== activity.key))
    throw new ConflictError('This form was already used: reload the page and answer again.');
  const status = await requireOpenStatus(ctx, activity);
  if (!status.offer.requires.postTest) throw new ConflictError('This activity asks for no post-test.');
  if (recorded) {
    const attempt = status.attempts.find((a) => a.attempt_id === input.attemptId)!;
    return { score: attempt.score, passed: attempt.passed };
  }
  const questions = postTestQuestions(activity);
  const answers = questions.map(({ question }, index) => {
    const answer = input.answers[index];
    if (answer === null || answer === undefined || !question.options[answer])
      throw new FieldError(`q${index}`, 'Choose an answer.');
    return answer;
  });
  const correct = questions.filter(({ question }, index) => question.options[answers[index]!]!.correct).length;
  const score = postTestScore(correct, questions.length);
  const passed = passesPostTest(correct, questions.length, status.offer.passMark);
  await records.insertPostTestAttempt(ctx.db, {
    attemptId: input.attemptId,
    userId: ctx.user.id,
    courseSlug: activity.key,
    courseVersion: activity.version,
    answers,
    correct,
    questions: questions.length,
    score,
    passed,
  });
  return { score, passed };
}

export type EvaluationInput = ActivityRef & {
  /** 1–5 per learning outcome (the course's objectives, or the event's outcomes), in order. */
  outcomes: (number | null | undefined)[];
  changePractice: 'yes' | 'no';
  changeHow: string;
  biasFree: 'yes' | 'no';
  biasComment: string;
  comments: string;
};

/** Records the evaluation: a receipt with the learner, the answers without (once per learner and course). */
export async function submitEvaluation(ctx: RequestContext, input: EvaluationInput): Promise<void> {
  const activity = activityOf(ctx, input);
  const status = await requireOpenStatus(ctx, activity);
  if (!status.offer.requires.evaluation) throw new ConflictError('This activity asks for no evaluation.');
  if (status.evaluationDone) return;
  const outcomes = activity.outcomes.map((_, index) => {
    const value = input.outcomes[index];
    if (!value) throw new FieldError(`outcome${index}`, 'Choose how far the activity met this outcome.');
    return value;
  });
  if (input.biasFree === 'no' && !input.biasComment)
    throw new FieldError('biasComment', 'Say what seemed biased, so the provider can look into it.');
  await ctx.db.transaction().execute((tx) =>
    records.insertEvaluation(tx, {
      userId: ctx.user.id,
      courseSlug: activity.key,
      activityId: status.offer.activityId,
      formVersion: EVALUATION_FORM_VERSION,
      completedOn: dateIn(serverTimeZone(), ctx.now ?? new Date()),
      answers: {
        outcomes,
        changePractice: input.changePractice,
        changeHow: input.changeHow,
        biasFree: input.biasFree,
        biasComment: input.biasComment,
        comments: input.comments,
      },
    }),
  );
}

/**
 * The attestation: every requirement met, a kind of credit the course offers, hours no
 * more than it allows. Returns when the course was completed, for the certificate.
 */
export async function recordAttestation(
  ctx: RequestContext,
  input: ActivityRef & { creditType: CreditType; hours: number; attest: boolean },
): Promise<{ activity: CreditActivity; completedAt: Date }> {
  const activity = activityOf(ctx, input);
  const status = await requireOpenStatus(ctx, activity);
  if (status.missing.length > 0) throw new ConflictError(`Not yet: ${status.missing[0]}`);
  const offered = status.offer.types.find((t) => t.type === input.creditType);
  if (!offered) throw new FieldError('creditType', 'Choose a kind of credit this activity offers.');
  const problem = claimedHoursProblem(input.hours, offered.hours);
  if (problem) throw new FieldError('hours', problem);
  if (!input.attest) throw new FieldError('attest', 'Tick the attestation to claim credit.');
  await records.insertCreditClaim(ctx.db, {
    userId: ctx.user.id,
    courseSlug: activity.key,
    activityId: status.offer.activityId,
    creditType: offered.type,
    hoursClaimed: input.hours,
    // The column is required: without a post-test it keeps 0, and the report says "not required".
    postTestScore: status.bestScore ?? 0,
  });
  return { activity, completedAt: status.completedAt! };
}

/** The credit a certificate carries, as the certificate domain needs it. */
export type CertificateCredit =
  | { state: 'none' }
  | { state: 'pending'; reason: string }
  | {
      state: 'claimed';
      type: string;
      typeLabel: string;
      hours: number;
      activityId: string;
      statement: string;
      providerName: string;
    };

/**
 * Whether a completed course's certificate carries credit: none (no credit offered or the
 * activity closed before a claim), pending (a credit activity the learner has not yet
 * attested: the certificate waits), or claimed.
 */
export async function certificateCredit(
  db: Kysely<Database>,
  userId: string,
  of: CatalogCourse | CreditActivity,
  now = new Date(),
): Promise<CertificateCredit> {
  const activity = 'courses' in of ? of : courseActivity(of);
  if (!activity) return { state: 'none' };
  const claim = await records.creditClaim(db, userId, activity.key);
  if (claim) {
    // The statement in force when the certificate is issued; the certificate keeps it.
    const provider = await creditProvider(db);
    return {
      state: 'claimed',
      type: claim.credit_type,
      typeLabel: CREDIT_TYPE_LABELS[claim.credit_type as CreditType] ?? claim.credit_type,
      hours: Number(claim.hours_claimed),
      activityId: claim.activity_id,
      statement: provider.accreditationStatement,
      providerName: provider.name,
    };
  }
  const offer = await creditOffer(db, activity.credit, now);
  if (!offer?.open) return { state: 'none' };
  const steps = [
    offer.requires.postTest && 'the post-test',
    offer.requires.evaluation && 'a short evaluation',
    'your attestation',
  ].filter((step): step is string => Boolean(step));
  const follows = steps.length === 1 ? steps[0] : `${steps.slice(0, -1).join(', ')} and ${steps.at(-1)}`;
  return {
    state: 'pending',
    reason: `“${activity.title}” offers continuing-education credit: your certificate, with the credit, follows ${follows}. Go to ${activity.url} to finish ${steps.length === 1 ? 'it' : 'them'}.`,
  };
}
