import { FieldError } from '#server/kernel/errors.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { confirmCurrentPassword, eraseAccount, findUserById, refuseToEraseLastAdmin } from '#server/accounts/index.ts';
import { listSessions } from '#server/accounts/index.ts';
import { checkAttemptsOfUser, progressOfUser, termsOfUser } from '#server/progress/index.ts';
import { myReflections } from '#server/learning/index.ts';
import { reviewsOfUser } from '#server/review/index.ts';
import { currentCertificatesOfUser } from '#server/certificates/index.ts';
import { creditRecordsOfUser } from '#server/credit/index.ts';
import { settings } from '#server/platform/settings.ts';

import { describeUserAgent } from '#lib/user-agent.ts';

/** Everything Rounds holds about one person, as one JSON-ready object. */
export async function exportMyData(ctx: RequestContext) {
  const { db } = ctx;
  const userId = ctx.user.id;
  const user = await findUserById(db, userId);
  if (!user) throw new Error('no such user');
  const [sessions, progress, terms, attempts, reviews, reflections, certificates, credit] = await Promise.all([
    listSessions(db, userId),
    progressOfUser(db, userId),
    termsOfUser(db, userId),
    checkAttemptsOfUser(db, userId),
    reviewsOfUser(db, userId),
    myReflections(ctx),
    currentCertificatesOfUser(db, userId),
    creditRecordsOfUser(db, userId),
  ]);
  return {
    exportedAt: new Date().toISOString(),
    profile: {
      name: user.name,
      email: user.email,
      emailVerifiedAt: user.email_verified_at,
      isAdmin: user.is_admin,
      createdAt: user.created_at,
      timeZone: user.timeZone,
    },
    sessions: sessions.map((s) => ({
      device: describeUserAgent(s.user_agent),
      userAgent: s.user_agent,
      createdAt: s.created_at,
      lastSeenAt: s.last_seen_at,
      expiresAt: s.expires_at,
    })),
    progress: progress.map((p) => ({
      course: p.course_slug,
      lesson: p.lesson_slug,
      startedAt: p.started_at,
      completedAt: p.completed_at,
      courseVersion: p.course_version,
    })),
    // Earlier terms of renewed courses (decision 0041), their lessons as they were.
    renewals: terms.map((t) => ({
      course: t.course_slug,
      term: t.term,
      openedAt: t.opened_at,
      dueOn: t.due_on,
      previousCompletedAt: t.previous_completed_at,
      previousLessons: t.previous_lessons,
    })),
    checkAttempts: attempts.map((a) => ({
      course: a.course_slug,
      lesson: a.lesson_slug,
      question: a.question + 1,
      chosenOption: a.chosen_option + 1,
      correct: a.correct,
      answeredAt: a.answered_at,
    })),
    reviews: reviews.map((r) => ({
      course: r.course_slug,
      lesson: r.lesson_slug,
      question: r.card,
      chosenOption: r.chosen_option + 1,
      correct: r.correct,
      reviewedAt: r.reviewed_at,
      comesBackOn: r.due_after,
    })),
    reflections: reflections.map((r) => ({
      course: r.course_slug,
      lesson: r.lesson_slug,
      text: r.body,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    certificates: certificates.map((c) => ({
      code: c.code,
      url: `${settings().PUBLIC_URL}/certificates/${c.id}`,
      course: c.course_slug,
      nameAsIssued: c.holder_name,
      completedOn: c.completed_on,
      issuedAt: c.issued_at,
      expiresAt: c.expires_at,
      revokedAt: c.revoked_at,
      credential: c.credential_jwt,
      credit: c.credit_type
        ? { type: c.credit_type, hours: Number(c.credit_hours), activityId: c.credit_activity_id }
        : null,
    })),
    // Continuing-education credit (issue 21). The evaluation answers are not here: they are
    // stored without the learner (decision 0036), so only the receipt is theirs.
    credit: {
      postTestAttempts: credit.attempts.map((a) => ({
        course: a.course_slug,
        courseVersion: a.course_version,
        chosenOptions: a.answers.map((option) => option + 1),
        correct: a.correct,
        questions: a.questions,
        scorePercent: Number(a.score),
        passed: a.passed,
        attemptedAt: a.attempted_at,
      })),
      evaluationsCompleted: credit.receipts.map((r) => ({
        course: r.course_slug,
        formVersion: r.form_version,
        completedOn: r.completed_on,
      })),
      claims: credit.claims.map((c) => ({
        course: c.course_slug,
        activityId: c.activity_id,
        creditType: c.credit_type,
        hoursClaimed: Number(c.hours_claimed),
        postTestScorePercent: Number(c.post_test_score),
        attestedAt: c.attested_at,
      })),
    },
  };
}

/**
 * Deletes an account after the person retypes their email and password, in one transaction:
 * their personal data, reflections, sessions and certificates go; what teams and
 * events count (progress, membership, enrolment) stays under an anonymous row
 * (see `eraseAccount`). Audit entries they made stay, without their name.
 */
export async function deleteMyAccount(
  ctx: RequestContext,
  input: { confirmEmail: string; currentPassword: string },
): Promise<void> {
  const { db } = ctx;
  const userId = ctx.user.id;
  const user = await findUserById(db, userId);
  if (!user) return;
  if (input.confirmEmail.trim().toLowerCase() !== user.email)
    throw new FieldError('confirmEmail', 'Type the email address of this account exactly to confirm.');
  // A session left open on a shared ward computer must not be enough to erase someone.
  await confirmCurrentPassword(ctx, input.currentPassword);
  await db.transaction().execute(async (tx) => {
    await refuseToEraseLastAdmin(tx, userId);
    await eraseAccount(tx, userId);
  });
}
