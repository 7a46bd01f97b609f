import { toCsv } from '#lib/csv.ts';
import { CREDIT_TYPE_LABELS, creditRequirements, type CreditType } from '#lib/credit-rules.ts';
import { dateIn, serverTimeZone } from '#lib/team-rules.ts';
import { requireAdmin, type RequestContext } from '#server/kernel/context.ts';
import { NotFoundError } from '#server/kernel/errors.ts';
import { courseActivity, type CreditActivity } from './activity.ts';
import * as records from './records-repo.ts';

// The provider's records of an activity (issue 21 §3): the activity report an accreditor's
// audit asks for (CSV), and the evaluation summary, which names nobody.

const ADMINS_ONLY = 'Only administrators can read continuing-education records.';

/** A course's activity by its slug, or an event's as the caller resolved it (decision 0045). */
function activityOf(ctx: RequestContext, ref: string | CreditActivity): CreditActivity {
  if (typeof ref !== 'string') return ref;
  const course = ctx.catalog.course(ref);
  const activity = course && courseActivity(course);
  if (!activity) throw new NotFoundError('No course with credit has this address.');
  return activity;
}

/** The activity report as CSV: one row per learner who sat the post-test (cells made safe for spreadsheets). */
export async function activityReport(ctx: RequestContext, of: string | CreditActivity) {
  requireAdmin(ctx, ADMINS_ONLY);
  const activity = activityOf(ctx, of);
  const rows = await records.activityReportRows(ctx.db, activity.key);
  const requires = creditRequirements(activity.credit.requires);
  const NOT_REQUIRED = 'not required';
  const body = toCsv(
    [
      'Learner',
      'Email',
      'Completed on',
      'Post-test attempts',
      'Best post-test score (%)',
      'Passed',
      'Evaluation completed on',
      'Credit',
      'Hours claimed',
      'Attested on',
      'Certificate',
    ],
    rows.map((row) => [
      row.deleted ? 'Deleted account' : row.name,
      row.deleted ? '' : row.email,
      row.completed_on,
      requires.postTest ? Number(row.attempts) : NOT_REQUIRED,
      requires.postTest ? row.best_score : NOT_REQUIRED,
      requires.postTest ? (row.passed ? 'yes' : 'no') : NOT_REQUIRED,
      requires.evaluation ? row.evaluation_on : NOT_REQUIRED,
      row.credit_type ? (CREDIT_TYPE_LABELS[row.credit_type as CreditType] ?? row.credit_type) : '',
      row.hours_claimed === null ? '' : Number(row.hours_claimed),
      row.attested_at ? dateIn(serverTimeZone(), row.attested_at) : '',
      row.certificate_code,
    ]),
  );
  return { filename: `${activity.credit.activityId}-activity-report.csv`, body };
}

export interface EvaluationSummary {
  count: number;
  /** Per learning outcome, how many chose 1 to 5. */
  outcomes: { outcome: string; counts: number[] }[];
  changePractice: { yes: number; no: number };
  biasFree: { yes: number; no: number };
  biasComments: string[];
  changes: string[];
  comments: string[];
}

/** Counts per answer and the comments, sorted, with no name, account or date beyond the month. */
export async function evaluationSummary(ctx: RequestContext, of: string | CreditActivity): Promise<EvaluationSummary> {
  requireAdmin(ctx, ADMINS_ONLY);
  const activity = activityOf(ctx, of);
  const evaluations = await records.evaluationsOf(ctx.db, activity.key);
  const answers = evaluations.map((e) => e.answers as Record<string, unknown>);
  const texts = (key: string) =>
    answers
      .map((a) => a[key])
      .filter((v): v is string => typeof v === 'string' && v.length > 0)
      .sort((a, b) => a.localeCompare(b));
  const count = (key: string, value: string) => answers.filter((a) => a[key] === value).length;
  return {
    count: answers.length,
    outcomes: activity.outcomes.map((outcome, index) => ({
      outcome,
      counts: [1, 2, 3, 4, 5].map(
        (value) => answers.filter((a) => (a.outcomes as number[] | undefined)?.[index] === value).length,
      ),
    })),
    changePractice: { yes: count('changePractice', 'yes'), no: count('changePractice', 'no') },
    biasFree: { yes: count('biasFree', 'yes'), no: count('biasFree', 'no') },
    biasComments: texts('biasComment'),
    changes: texts('changeHow'),
    comments: texts('comments'),
  };
}
