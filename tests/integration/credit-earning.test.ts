// Earning continuing-education credit on a real database (issue 21): no certificate until
// every requirement is met — each one missing in turn — retakes recorded, the evaluation
// not linkable to the learner, and the certificate, its credential and its PDF carrying
// the credit claimed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { CatalogLesson } from '#lib/catalog.ts';
import { ALL_REQUIRED, type CreditType } from '#lib/credit-rules.ts';
import { createUser, eraseAccount, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import { ConflictError, FieldError, ForbiddenError } from '#server/kernel/errors.ts';
import * as learning from '#server/learning/learning.ts';
import * as certificates from '#server/certificates/certificates.ts';
import * as credit from '#server/credit/index.ts';
import * as events from '#server/events/events.ts';
import { addDays, dateIn } from '#lib/team-rules.ts';

// The integration project runs with the time floor off (vitest.config.ts); credit needs it on.
const previousFloor = process.env.LESSON_TIME_FLOOR;
process.env.LESSON_TIME_FLOOR = '0.25';

const catalog = testCatalog();
const course = catalog.courses.find((c) => c.credit)!;
const questions = credit.postTestQuestions(course);
const STATEMENT = 'Example Health Education is a demonstration provider, not an accredited one.';
let database: RoundsDatabase;

async function person(options: { admin?: boolean } = {}) {
  const user = (await createUser(database.db, { email: uniqueEmail('ce'), name: 'Amaka Obi', passwordHash: 'x' }))!;
  await markEmailVerified(database.db, user.id, user.email);
  if (options.admin) await setAdmin(database.db, user.email);
  return (await findUserById(database.db, user.id))!;
}
const ctxOf = async (id: string) => ({ db: database.db, catalog, user: (await findUserById(database.db, id))! });
const rightAnswers = (lesson: CatalogLesson) =>
  Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));

async function completeCourse(id: string) {
  for (const lesson of course.lessons)
    await learning.completeLesson(await ctxOf(id), {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      answers: rightAnswers(lesson),
    });
}
/** The time a learner over days would have recorded: each lesson's stated minutes. */
async function spendTime(id: string) {
  for (const lesson of course.lessons)
    await database.db
      .updateTable('lesson_progress')
      .set({ seconds_spent: lesson.minutes * 60 })
      .where('user_id', '=', id)
      .where('lesson_slug', '=', lesson.slug)
      .execute();
}
/** Right answers for the first `right` questions, a wrong one for the rest. */
const answersWith = (right: number) =>
  questions.map(({ question }, index) => question.options.findIndex((o) => (index < right ? o.correct : !o.correct)));
const postTest = async (id: string, right: number) =>
  credit.submitPostTest(await ctxOf(id), {
    courseSlug: course.slug,
    attemptId: crypto.randomUUID(),
    answers: answersWith(right),
  });
const evaluation = {
  courseSlug: course.slug,
  outcomes: course.objectives.map(() => 4),
  changePractice: 'yes' as const,
  changeHow: 'A huddle at 07:10 every day',
  biasFree: 'yes' as const,
  biasComment: '',
  comments: 'Short and useful.',
};
const attestation: { courseSlug: string; creditType: CreditType; hours: number; attest: boolean } = {
  courseSlug: course.slug,
  creditType: 'nursing-contact-hours',
  hours: 0.25,
  attest: true,
};
const attest = async (id: string, input: Partial<typeof attestation> = {}) =>
  certificates.attestAndIssue(await ctxOf(id), { ...attestation, ...input });
const certificateOf = (id: string) =>
  database.db.selectFrom('certificates').selectAll().where('user_id', '=', id).executeTakeFirst();

beforeAll(async () => {
  database = await freshDatabase();
  await person(); // the first account of an install is an administrator
  const admin = await person({ admin: true });
  await credit.saveCreditProvider(await ctxOf(admin.id), {
    name: 'Example Health Education',
    accreditationStatement: STATEMENT,
    approverStatement: '',
    enabledTypes: ['nursing-contact-hours', 'participation'],
  });
});
afterAll(async () => {
  await database?.close();
  if (previousFloor === undefined) delete process.env.LESSON_TIME_FLOOR;
  else process.env.LESSON_TIME_FLOOR = previousFloor;
});

describe('earning credit', () => {
  it('issues no certificate before every requirement is met, each missing in turn', async () => {
    const { id } = await person();
    // Lessons not complete: no post-test.
    await expect(postTest(id, questions.length)).rejects.toThrow(/Complete every lesson/);
    await completeCourse(id);
    expect(await certificateOf(id)).toBeUndefined();

    // Engagement time missing (the lessons were completed in seconds).
    await expect(attest(id)).rejects.toThrow(/Spend the time/);
    await spendTime(id);
    // Still held: credit pending, and the reason says where to go.
    expect((await certificates.issueEarnedCertificates(await ctxOf(id)))[0]).toMatchObject({
      held: expect.stringMatching(/post-test, a short evaluation and your attestation/),
    });

    // Post-test not passed.
    await expect(attest(id)).rejects.toThrow(/Pass the post-test/);
    // Evaluation missing.
    expect(await postTest(id, questions.length)).toEqual({ score: 100, passed: true });
    await expect(attest(id)).rejects.toThrow(/Complete the evaluation/);
    await credit.submitEvaluation(await ctxOf(id), evaluation);
    expect(await certificateOf(id)).toBeUndefined();

    // The attestation itself: hours within what is allowed, a kind offered, the box ticked.
    const refusal = (input: Partial<typeof attestation>) => attest(id, input).catch((error: unknown) => error);
    expect(await refusal({ hours: 0.5 })).toMatchObject({ field: 'hours' });
    expect(await refusal({ hours: 0.3 })).toMatchObject({ field: 'hours' });
    expect(await refusal({ creditType: 'ama-pra-category-1' })).toMatchObject({ field: 'creditType' });
    expect(await refusal({ attest: false })).toMatchObject({ field: 'attest' });
    expect(await refusal({ attest: false })).toBeInstanceOf(FieldError);
    expect(await certificateOf(id)).toBeUndefined();

    const outcome = await attest(id);
    expect('certificate' in outcome).toBe(true);
    const row = (await certificateOf(id))!;
    expect(row).toMatchObject({
      credit_type: 'nursing-contact-hours',
      credit_activity_id: course.credit!.activityId,
      accreditation_statement: STATEMENT,
      issuer_name: 'Example Health Education',
    });
    expect(Number(row.credit_hours)).toBe(0.25);
    // A second attestation changes nothing.
    await expect(attest(id)).rejects.toBeInstanceOf(ConflictError);
    expect(await database.db.selectFrom('certificates').where('user_id', '=', id).select('id').execute()).toHaveLength(
      1,
    );
  });

  it('records every post-test attempt, failed ones included, and a retried form once', async () => {
    const { id } = await person();
    await completeCourse(id);
    await spendTime(id);
    const mark = course.credit!.passMark;
    const failing = Math.ceil((questions.length * mark) / 100) - 1;
    expect(await postTest(id, failing)).toMatchObject({ passed: false });
    expect(await postTest(id, 0)).toEqual({ score: 0, passed: false });
    const attemptId = crypto.randomUUID();
    const retake = { courseSlug: course.slug, attemptId, answers: answersWith(questions.length) };
    const [first, again] = [
      await credit.submitPostTest(await ctxOf(id), retake),
      await credit.submitPostTest(await ctxOf(id), retake),
    ];
    expect(first).toEqual({ score: 100, passed: true });
    expect(again).toEqual(first);
    const status = (await credit.creditStatus(await ctxOf(id), course))!;
    expect(status.attempts.map((a) => a.passed)).toEqual([false, false, true]);
    expect(status.bestScore).toBe(100);
    // Someone else cannot reuse another learner's attempt id.
    const other = await person();
    await completeCourse(other.id);
    await expect(
      credit.submitPostTest(await ctxOf(other.id), { ...retake, answers: answersWith(0) }),
    ).rejects.toBeInstanceOf(ConflictError);
    // An unanswered question is named beside itself.
    const missing = answersWith(questions.length).map((a, i) => (i === 2 ? undefined : a));
    const refusal = await credit
      .submitPostTest(await ctxOf(other.id), {
        courseSlug: course.slug,
        attemptId: crypto.randomUUID(),
        answers: missing,
      })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ field: 'q2' });
  });

  it('stores evaluation answers apart from the learner, once, and asks for a comment on bias', async () => {
    const { id } = await person();
    await completeCourse(id);
    await spendTime(id);
    await postTest(id, questions.length);
    const noComment = await credit
      .submitEvaluation(await ctxOf(id), { ...evaluation, biasFree: 'no' })
      .catch((error: unknown) => error);
    expect(noComment).toMatchObject({ field: 'biasComment' });
    const unanswered = await credit
      .submitEvaluation(await ctxOf(id), { ...evaluation, outcomes: [5] })
      .catch((error: unknown) => error);
    expect(unanswered).toMatchObject({ field: 'outcome1' });

    const before = await database.db.selectFrom('credit_evaluations').select('id').execute();
    const marker = `Marker ${crypto.randomUUID()}`;
    await credit.submitEvaluation(await ctxOf(id), { ...evaluation, comments: marker });
    await credit.submitEvaluation(await ctxOf(id), { ...evaluation, comments: `${marker} again` });
    const added = await database.db
      .selectFrom('credit_evaluations')
      .selectAll()
      .where('id', 'not in', before.length ? before.map((r) => r.id) : [crypto.randomUUID()])
      .execute();
    expect(added).toHaveLength(1);
    expect(added[0]!.answers).toMatchObject({ comments: marker });
    // Nothing in the stored answers names, identifies or dates the learner finer than the month.
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'credit_evaluations'`.execute(database.db);
    expect(columns.rows.map((c) => c.column_name).sort()).toEqual(
      ['activity_id', 'answers', 'course_slug', 'form_version', 'id', 'month'].sort(),
    );
    expect(JSON.stringify(added[0])).not.toContain(id);
    expect(added[0]!.month).toMatch(/^\d{4}-\d{2}$/);
    // The receipt says who completed one, not what they answered.
    const receipt = await database.db
      .selectFrom('credit_evaluation_receipts')
      .selectAll()
      .where('user_id', '=', id)
      .execute();
    expect(receipt).toHaveLength(1);
    expect(JSON.stringify(receipt)).not.toContain(marker);
  });

  it('puts the credit on the PDF, the verification facts and the signed credential', async () => {
    const { id } = await person();
    await completeCourse(id);
    await spendTime(id);
    await postTest(id, questions.length);
    await credit.submitEvaluation(await ctxOf(id), evaluation);
    const outcome = await attest(id, { creditType: 'participation', hours: 0.25 });
    if (!('certificate' in outcome)) throw new Error(outcome.held);
    const view = (await certificates.findCertificateView(database.db, outcome.certificate.id))!;
    expect(certificates.verificationJson(view).credit).toEqual({
      type: 'participation',
      name: 'Certificate of participation (hours)',
      hoursClaimed: 0.25,
      activityId: course.credit!.activityId,
      accreditationStatement: STATEMENT,
    });
    const payload = decodeJwt(outcome.certificate.credential_jwt!) as {
      credentialSubject: {
        creditsEarned: number;
        achievement: { creditsAvailable: number; otherIdentifier: unknown[] };
      };
    };
    expect(payload.credentialSubject.creditsEarned).toBe(0.25);
    expect(payload.credentialSubject.achievement.otherIdentifier).toEqual([
      { type: 'IdentifierEntry', identifier: course.credit!.activityId, identifierType: 'identifier' },
    ]);

    const { pdf } = (await certificates.certificatePdf(database.db, outcome.certificate.id))!;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'credit-pdf-'));
    try {
      writeFileSync(path.join(dir, 'c.pdf'), pdf!);
      const text = spawnSync('pdftotext', ['-raw', path.join(dir, 'c.pdf'), '-'], { encoding: 'utf8' }).stdout.replace(
        /\s+/g,
        ' ',
      );
      expect(text).toContain('Certificate of participation (hours): 0.25');
      expect(text).toContain(`Activity ID ${course.credit!.activityId}`);
      expect(text).toContain(STATEMENT);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a course without credit its completion certificate', async () => {
    const plain = catalog.courses.find((c) => !c.credit)!;
    const { id } = await person();
    for (const lesson of plain.lessons)
      await learning.completeLesson(await ctxOf(id), {
        courseSlug: plain.slug,
        lessonSlug: lesson.slug,
        answers: rightAnswers(lesson),
      });
    for (const lesson of plain.lessons)
      await database.db
        .updateTable('lesson_progress')
        .set({ seconds_spent: lesson.minutes * 60 })
        .where('user_id', '=', id)
        .where('lesson_slug', '=', lesson.slug)
        .execute();
    const [outcome] = await certificates.issueEarnedCertificates(await ctxOf(id));
    expect(outcome).toMatchObject({ certificate: { course_slug: plain.slug, credit_type: null } });
  });
});

describe('deleting an account', () => {
  it('keeps the credit record de-identified, as decision 0036 says', async () => {
    const { id } = await person();
    await completeCourse(id);
    await spendTime(id);
    await postTest(id, 0);
    await postTest(id, questions.length);
    await credit.submitEvaluation(await ctxOf(id), evaluation);
    await attest(id);
    await database.db.transaction().execute((tx) => eraseAccount(tx, id));

    const user = (await findUserById(database.db, id))!;
    expect(user.email).toMatch(/@deleted\.invalid$/);
    // The claim, each attempt's score and the receipt stay; the answers chosen go.
    const claim = await database.db.selectFrom('credit_claims').selectAll().where('user_id', '=', id).execute();
    expect(claim).toHaveLength(1);
    expect(Number(claim[0]!.hours_claimed)).toBe(0.25);
    const attempts = await database.db
      .selectFrom('credit_post_test_attempts')
      .selectAll()
      .where('user_id', '=', id)
      .orderBy('attempted_at')
      .execute();
    expect(attempts.map((a) => [a.score, a.passed, a.answers])).toEqual([
      [0, false, []],
      [100, true, []],
    ]);
    expect(
      await database.db.selectFrom('credit_evaluation_receipts').selectAll().where('user_id', '=', id).execute(),
    ).toHaveLength(1);
    // The certificate is a tombstone: credit and status kept, name and credential gone.
    expect(await certificateOf(id)).toMatchObject({
      holder_name: null,
      credential_jwt: null,
      credit_type: 'nursing-contact-hours',
    });
  });
});

describe('the provider’s records', () => {
  it('reports the activity as CSV and summarises evaluations without naming anyone; administrators only', async () => {
    const named = await person();
    await database.db.updateTable('users').set({ name: '=HYPERLINK("x")' }).where('id', '=', named.id).execute();
    await completeCourse(named.id);
    await spendTime(named.id);
    await postTest(named.id, 0);
    await postTest(named.id, questions.length);
    await credit.submitEvaluation(await ctxOf(named.id), {
      ...evaluation,
      biasFree: 'no',
      biasComment: 'One product was named twice.',
    });
    await attest(named.id);

    const learner = await ctxOf(named.id);
    await expect(credit.activityReport(learner, course.slug)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(credit.evaluationSummary(learner, course.slug)).rejects.toBeInstanceOf(ForbiddenError);

    const admin = await ctxOf((await person({ admin: true })).id);
    const { filename, body } = await credit.activityReport(admin, course.slug);
    expect(filename).toBe(`${course.credit!.activityId}-activity-report.csv`);
    const line = body.split('\r\n').find((l) => l.includes('HYPERLINK'))!;
    // The name cannot run as a formula; two attempts, best 100, evaluated, hours claimed, certificate code.
    expect(line.startsWith(`"'=HYPERLINK(""x"")"`)).toBe(true);
    expect(line).toMatch(/,2,100,yes,\d{4}-\d{2}-\d{2},Nursing contact hours,0\.25,\d{4}-\d{2}-\d{2},RND-/);

    const summary = await credit.evaluationSummary(admin, course.slug);
    expect(summary.count).toBeGreaterThanOrEqual(1);
    expect(summary.biasFree.no).toBeGreaterThanOrEqual(1);
    expect(summary.biasComments).toContain('One product was named twice.');
    expect(summary.outcomes).toHaveLength(course.objectives.length);
    const text = JSON.stringify(summary);
    expect(text).not.toContain(named.id);
    expect(text).not.toContain(named.email);
    expect(text).not.toContain('HYPERLINK');
  });
});

describe('the event dashboard', () => {
  it('counts, per course and credit type, the attendees who claimed credit since joining and the hours; nobody else', async () => {
    const organiser = await ctxOf((await person({ admin: true })).id);
    const otherCourse = catalog.courses.find((c) => !c.credit)!;
    const code = (slug: string) =>
      events
        .createEvent(organiser, {
          name: 'Credit Symposium',
          slug,
          // Long past, one lesson a day: every lesson is open, so locks do not get in the way.
          eventDate: addDays(dateIn('UTC'), -60),
          timeZone: 'UTC',
          location: 'Hall C',
          welcomeMessage: 'Welcome!',
          courses: [course.slug, otherCourse.slug],
          unlockMinute: 0,
          firstUnlockDays: 0,
          intervalDays: 1,
          dayOffsets: null,
        })
        .then((e) => e.code);
    const slug = `credit-${crypto.randomUUID().slice(0, 8)}`;
    const joinCode = await code(slug);
    const otherSlug = `credit-${crypto.randomUUID().slice(0, 8)}`;
    const otherCode = await code(otherSlug);
    const join = async (id: string, c: string) =>
      events.joinEvent({ ...(await ctxOf(id)), clientIp: '127.0.0.1' }, { code: c });
    const earn = async (id: string, creditType: CreditType, hours: number) => {
      await completeCourse(id);
      await spendTime(id);
      await postTest(id, questions.length);
      await credit.submitEvaluation(await ctxOf(id), evaluation);
      const outcome = await attest(id, { creditType, hours });
      if (!('certificate' in outcome)) throw new Error(outcome.held);
    };

    // Before anyone claims, the kinds the course offers show with zeros; a course without credit shows none.
    const before = await events.dashboard(organiser, slug);
    expect(before.coursesDone.find((c) => c.courseSlug === otherCourse.slug)!.credit).toEqual([]);
    expect(before.coursesDone.find((c) => c.courseSlug === course.slug)!.credit).toEqual([
      { type: 'nursing-contact-hours', label: 'Nursing contact hours', learners: 0, hours: 0 },
      { type: 'participation', label: 'Certificate of participation (hours)', learners: 0, hours: 0 },
    ]);

    const [nurseA, nurseB, participant, idle] = [await person(), await person(), await person(), await person()];
    for (const p of [nurseA, nurseB, participant, idle]) await join(p.id, joinCode);
    await earn(nurseA.id, 'nursing-contact-hours', 0.25);
    await earn(nurseB.id, 'nursing-contact-hours', 0.25);
    await earn(participant.id, 'participation', 0.25);
    // Not counted: a claim by someone in another event only, and one made before joining.
    const elsewhere = await person();
    await join(elsewhere.id, otherCode);
    await earn(elsewhere.id, 'nursing-contact-hours', 0.25);
    const early = await person();
    await join(early.id, otherCode);
    await earn(early.id, 'participation', 0.25);
    await join(early.id, joinCode);

    const view = await events.dashboard(organiser, slug);
    expect(view.enrolled).toBe(5);
    expect(view.coursesDone.find((c) => c.courseSlug === course.slug)!.credit).toEqual([
      { type: 'nursing-contact-hours', label: 'Nursing contact hours', learners: 2, hours: 0.5 },
      { type: 'participation', label: 'Certificate of participation (hours)', learners: 1, hours: 0.25 },
    ]);
    expect(view.coursesDone.find((c) => c.courseSlug === otherCourse.slug)!.credit).toEqual([]);
    // Counts only: the dashboard's credit names nobody.
    const text = JSON.stringify(view.coursesDone);
    for (const p of [nurseA, nurseB, participant, early]) {
      expect(text).not.toContain(p.id);
      expect(text).not.toContain(p.email);
    }
    // The other event counts its own attendees' claims.
    const other = await events.dashboard(organiser, otherSlug);
    expect(other.coursesDone.find((c) => c.courseSlug === course.slug)!.credit).toEqual([
      { type: 'nursing-contact-hours', label: 'Nursing contact hours', learners: 1, hours: 0.25 },
      { type: 'participation', label: 'Certificate of participation (hours)', learners: 1, hours: 0.25 },
    ]);

    // A kind the provider stops offering still shows where it was claimed, and not where it was not.
    const provider = {
      name: 'Example Health Education',
      accreditationStatement: STATEMENT,
      approverStatement: '',
    };
    await credit.saveCreditProvider(organiser, { ...provider, enabledTypes: ['nursing-contact-hours'] });
    try {
      const unclaimedSlug = `credit-${crypto.randomUUID().slice(0, 8)}`;
      await code(unclaimedSlug);
      expect(
        (await events.dashboard(organiser, unclaimedSlug)).coursesDone.find((c) => c.courseSlug === course.slug)!
          .credit,
      ).toEqual([{ type: 'nursing-contact-hours', label: 'Nursing contact hours', learners: 0, hours: 0 }]);
      expect(
        (await events.dashboard(organiser, slug)).coursesDone
          .find((c) => c.courseSlug === course.slug)!
          .credit.map((c) => c.type),
      ).toEqual(['nursing-contact-hours', 'participation']);
    } finally {
      await credit.saveCreditProvider(organiser, {
        ...provider,
        enabledTypes: ['nursing-contact-hours', 'participation'],
      });
    }
  });
});

describe('requirements the provider switched off (content file `credit.requires`)', () => {
  /** Runs `body` with the course's credit asking only for what `requires` says; restores it after. */
  async function withRequires(requires: Partial<typeof ALL_REQUIRED>, body: () => Promise<void>) {
    const stated = course.credit!.requires;
    course.credit!.requires = { ...ALL_REQUIRED, ...requires };
    try {
      await body();
    } finally {
      course.credit!.requires = stated;
    }
  }
  const reportLine = async (email: string) => {
    const admin = await ctxOf((await person({ admin: true })).id);
    const { body } = await credit.activityReport(admin, course.slug);
    return body.split('\r\n').find((line) => line.includes(email));
  };

  it('by default asks for every one: no certificate without the evaluation', async () => {
    expect(course.credit!.requires).toEqual(ALL_REQUIRED);
    const { id } = await person();
    await completeCourse(id);
    await spendTime(id);
    await postTest(id, questions.length);
    await expect(attest(id)).rejects.toThrow(/evaluation/);
    expect(await certificateOf(id)).toBeUndefined();
  });

  it('issues the certificate without the evaluation when it is not required, and refuses one', async () => {
    await withRequires({ evaluation: false }, async () => {
      const { id, email } = await person();
      await completeCourse(id);
      await spendTime(id);
      await expect(attest(id)).rejects.toThrow(/post-test/);
      await postTest(id, questions.length);
      const status = (await credit.creditStatus(await ctxOf(id), course))!;
      expect(status.missing).toEqual([]);
      await expect(credit.submitEvaluation(await ctxOf(id), evaluation)).rejects.toBeInstanceOf(ConflictError);
      const outcome = await attest(id);
      if (!('certificate' in outcome)) throw new Error(outcome.held);
      expect(outcome.certificate).toMatchObject({ course_slug: course.slug, credit_type: 'nursing-contact-hours' });
      // The report: one attempt, best 100, passed; the evaluation "not required".
      expect(await reportLine(email)).toMatch(/,1,100,yes,not required,Nursing contact hours,0\.25,/);
    });
  });

  it('issues the certificate without a post-test when it is not required, and the report lists the learner', async () => {
    await withRequires({ postTest: false }, async () => {
      const { id, email } = await person();
      await completeCourse(id);
      await spendTime(id);
      await expect(attest(id)).rejects.toThrow(/evaluation/);
      await expect(postTest(id, questions.length)).rejects.toBeInstanceOf(ConflictError);
      await credit.submitEvaluation(await ctxOf(id), evaluation);
      const outcome = await attest(id);
      if (!('certificate' in outcome)) throw new Error(outcome.held);
      expect(outcome.certificate).toMatchObject({ course_slug: course.slug, credit_type: 'nursing-contact-hours' });
      expect(await reportLine(email)).toMatch(
        /,not required,not required,not required,\d{4}-\d{2}-\d{2},Nursing contact hours,0\.25,\d{4}-\d{2}-\d{2},RND-/,
      );
    });
  });

  it('drops the recorded time from the credit checklist, but a course certificate keeps the platform time rule', async () => {
    await withRequires({ engagementTime: false, postTest: false, evaluation: false }, async () => {
      const { id } = await person();
      await expect(attest(id)).rejects.toThrow(/Complete every lesson/);
      await completeCourse(id); // in seconds: below the floor
      const status = (await credit.creditStatus(await ctxOf(id), course))!;
      expect(status.missing).toEqual([]);
      // The claim is accepted; the course certificate itself waits on LESSON_TIME_FLOOR (decision 0024).
      expect(await attest(id)).toMatchObject({ held: expect.stringMatching(/time we recorded/) });
      await spendTime(id);
      const [issued] = await certificates.issueEarnedCertificates(await ctxOf(id));
      expect(issued).toMatchObject({ certificate: { course_slug: course.slug, credit_type: 'nursing-contact-hours' } });
    });
  });
});
