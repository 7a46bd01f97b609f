// An event's own continuing-education activity on a real database (issue 21 §1, decision
// 0045): the organiser states it (each bad field refused beside it, administrators only,
// audit-logged); attendees only; no certificate before every requirement — each missing in
// turn; the evaluation not linkable to the learner; deletion keeps what decision 0036 says;
// the provider's report and the event dashboard count it apart from the courses' credit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { CatalogCourse } from '#lib/catalog.ts';
import { createUser, eraseAccount, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import { ConflictError, FieldError, ForbiddenError } from '#server/kernel/errors.ts';
import * as learning from '#server/learning/learning.ts';
import * as certificates from '#server/certificates/certificates.ts';
import * as credit from '#server/credit/index.ts';
import * as events from '#server/events/index.ts';
import { addDays, dateIn } from '#lib/team-rules.ts';

// The integration project runs with the time floor off (vitest.config.ts); credit needs it on.
const previousFloor = process.env.LESSON_TIME_FLOOR;
process.env.LESSON_TIME_FLOOR = '0.25';

const catalog = testCatalog();
// Two courses without credit of their own: the event is the activity.
const courses = catalog.courses.filter((c) => !c.credit).slice(0, 2);
const STATEMENT = 'Example Health Education is a demonstration provider, not an accredited one.';
const OUTCOMES = ['Run a ten-minute huddle.', 'Use teach-back with a patient.'];
let database: RoundsDatabase;
let organiser: Awaited<ReturnType<typeof ctxOf>>;
let eventId: string;
let joinCode: string;
const slug = `symposium-${crypto.randomUUID().slice(0, 8)}`;

async function person(options: { admin?: boolean; verified?: boolean } = {}) {
  const user = (await createUser(database.db, { email: uniqueEmail('ev'), name: 'Tomás Ruiz', passwordHash: 'x' }))!;
  if (options.verified !== false) await markEmailVerified(database.db, user.id, user.email);
  if (options.admin) await setAdmin(database.db, user.email);
  return (await findUserById(database.db, user.id))!;
}
const ctxOf = async (id: string) => ({ db: database.db, catalog, user: (await findUserById(database.db, id))! });

async function complete(id: string, only: CatalogCourse[] = courses) {
  for (const course of only)
    for (const lesson of course.lessons)
      await learning.completeLesson(await ctxOf(id), {
        courseSlug: course.slug,
        lessonSlug: lesson.slug,
        answers: Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)])),
      });
}
async function spendTime(id: string) {
  for (const course of courses)
    for (const lesson of course.lessons)
      await database.db
        .updateTable('lesson_progress')
        .set({ seconds_spent: lesson.minutes * 60 })
        .where('user_id', '=', id)
        .where('course_slug', '=', course.slug)
        .where('lesson_slug', '=', lesson.slug)
        .execute();
}
const join = async (id: string) =>
  events.joinEvent({ ...(await ctxOf(id)), clientIp: '127.0.0.1' }, { code: joinCode });
const activityOf = async (id: string) => events.attendeeCreditActivity(await ctxOf(id), slug);
const postTest = async (id: string, right: boolean) => {
  const activity = await activityOf(id);
  return credit.submitPostTest(await ctxOf(id), {
    activity,
    attemptId: crypto.randomUUID(),
    answers: credit
      .postTestQuestions(activity)
      .map(({ question }) => question.options.findIndex((o) => Boolean(o.correct) === right)),
  });
};
const evaluate = async (id: string) =>
  credit.submitEvaluation(await ctxOf(id), {
    activity: await activityOf(id),
    outcomes: [5, 4],
    changePractice: 'yes',
    changeHow: 'Teach-back at every discharge.',
    biasFree: 'yes',
    biasComment: '',
    comments: 'The symposium follow-up was worth it.',
  });
const attest = async (id: string, input: { hours?: number; attest?: boolean } = {}) =>
  certificates.attestAndIssue(await ctxOf(id), {
    activity: await activityOf(id),
    creditType: 'nursing-contact-hours',
    hours: input.hours ?? 0.5,
    attest: input.attest ?? true,
  });
const certificateOf = (id: string) =>
  database.db
    .selectFrom('certificates')
    .selectAll()
    .where('user_id', '=', id)
    .where('course_slug', '=', `event:${slug}`)
    .executeTakeFirst();
const creditInput = () => ({
  eventId,
  activityId: 'SYMP-2026',
  creditTypes: ['nursing-contact-hours' as const],
  hours: 0.5,
  disclosures: 'none',
  outcomes: OUTCOMES.join('\n'),
  starts: addDays(dateIn('UTC'), -90),
  expires: addDays(dateIn('UTC'), 365),
  passMark: 80,
});

beforeAll(async () => {
  database = await freshDatabase();
  await person(); // the first account of an install is an administrator
  organiser = await ctxOf((await person({ admin: true })).id);
  await credit.saveCreditProvider(organiser, {
    name: 'Example Health Education',
    accreditationStatement: STATEMENT,
    approverStatement: '',
    enabledTypes: ['nursing-contact-hours'],
  });
  const created = await events.createEvent(organiser, {
    name: 'Clinician Experience Symposium',
    slug,
    // Long past, one lesson a day: every lesson is open.
    eventDate: addDays(dateIn('UTC'), -60),
    timeZone: 'UTC',
    location: 'Hall C',
    welcomeMessage: '',
    courses: courses.map((c) => c.slug),
    unlockMinute: 0,
    firstUnlockDays: 0,
    intervalDays: 1,
    dayOffsets: null,
  });
  eventId = created.eventId;
  joinCode = created.code;
});
afterAll(async () => {
  await database?.close();
  if (previousFloor === undefined) delete process.env.LESSON_TIME_FLOOR;
  else process.env.LESSON_TIME_FLOOR = previousFloor;
});

describe('the organiser states the event’s credit', () => {
  it('refuses each bad field beside it, lets only administrators, and audit-logs the save', async () => {
    expect(courses).toHaveLength(2);
    const refusal = (input: Partial<ReturnType<typeof creditInput>>) =>
      events.saveEventCredit(organiser, { ...creditInput(), ...input }).catch((error: unknown) => error);
    const most = courses.reduce((sum, c) => sum + c.contactHours, 0);
    expect(await refusal({ hours: most + 0.25 })).toMatchObject({ field: 'hours' });
    expect(await refusal({ hours: 0.3 })).toMatchObject({ field: 'hours' });
    expect(await refusal({ hours: null as unknown as number })).toMatchObject({ field: 'hours' });
    expect(await refusal({ creditTypes: [] })).toMatchObject({ field: 'creditTypes' });
    expect(await refusal({ disclosures: '' })).toMatchObject({ field: 'disclosures' });
    expect(await refusal({ disclosures: 'Dr Ade Bello, speaker' })).toMatchObject({ field: 'disclosures' });
    expect(await refusal({ outcomes: '' })).toMatchObject({ field: 'outcomes' });
    expect(await refusal({ outcomes: 'a\nb\nc\nd\ne\nf' })).toMatchObject({ field: 'outcomes' });
    expect(await refusal({ starts: '' })).toMatchObject({ field: 'starts' });
    expect(await refusal({ expires: addDays(dateIn('UTC'), -100) })).toMatchObject({ field: 'expires' });
    expect(await refusal({})).toMatchObject({ slug });
    expect(await refusal({ hours: 0.3 })).toBeInstanceOf(FieldError);

    const learner = await ctxOf((await person()).id);
    await expect(events.saveEventCredit(learner, creditInput())).rejects.toBeInstanceOf(ForbiddenError);

    // A list of disclosures is kept as given.
    await events.saveEventCredit(organiser, {
      ...creditInput(),
      disclosures: 'Dr Ade Bello | speaker | honoraria from Example Pharma',
    });
    const offer = (await events.eventCreditOffer(database.db, (await events.eventCredit(organiser, slug)).event))!;
    expect(offer.offer.disclosures).toEqual([
      { name: 'Dr Ade Bello', role: 'speaker', relationship: 'honoraria from Example Pharma' },
    ]);
    expect(offer.outcomes).toEqual(OUTCOMES);
    expect(offer.offer.types).toEqual([{ type: 'nursing-contact-hours', hours: 0.5 }]);
    await events.saveEventCredit(organiser, creditInput());

    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'event.credit.save')
      .where('target', '=', `event:${eventId}`)
      .execute();
    expect(audit.length).toBe(3);
    expect(audit.every((row) => row.actor_id === organiser.user.id)).toBe(true);
  });
});

describe('earning the event’s credit', () => {
  it('is for attendees: someone who did not join is refused', async () => {
    const { id } = await person();
    await complete(id);
    await expect(activityOf(id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('issues no certificate before every requirement is met, each missing in turn', async () => {
    const { id } = await person();
    await join(id);
    // Not every course complete: no post-test (one of the two done).
    await complete(id, [courses[0]!]);
    await expect(postTest(id, true)).rejects.toThrow(/Complete every lesson/);
    await complete(id, [courses[1]!]);
    // Engagement time missing (the lessons were completed in seconds).
    await expect(attest(id)).rejects.toThrow(/Spend the time/);
    await spendTime(id);
    // Post-test not passed: the questions are those of both courses.
    const questions = credit.postTestQuestions(await activityOf(id)).length;
    expect(questions).toBe(courses.reduce((n, c) => n + c.lessons.reduce((m, l) => m + l.check.length, 0), 0));
    expect(await postTest(id, false)).toEqual({ score: 0, passed: false });
    await expect(attest(id)).rejects.toThrow(/Pass the post-test/);
    expect(await postTest(id, true)).toEqual({ score: 100, passed: true });
    // Evaluation missing.
    await expect(attest(id)).rejects.toThrow(/Complete the evaluation/);
    await evaluate(id);
    // The attestation: hours within the event's, the box ticked.
    expect(await attest(id, { hours: 0.75 }).catch((e: unknown) => e)).toMatchObject({ field: 'hours' });
    expect(await attest(id, { attest: false }).catch((e: unknown) => e)).toMatchObject({ field: 'attest' });
    expect(await certificateOf(id)).toBeUndefined();

    const outcome = await attest(id);
    expect('certificate' in outcome).toBe(true);
    const row = (await certificateOf(id))!;
    expect(row).toMatchObject({
      course_title: 'Clinician Experience Symposium',
      credit_type: 'nursing-contact-hours',
      credit_activity_id: 'SYMP-2026',
      accreditation_statement: STATEMENT,
      issuer_name: 'Example Health Education',
    });
    expect(Number(row.credit_hours)).toBe(0.5);
    expect(Number(row.contact_hours)).toBe(0.5);
    // The event's credit is its own: the courses' certificates carry none.
    const own = await database.db
      .selectFrom('certificates')
      .select(['course_slug', 'credit_type'])
      .where('user_id', '=', id)
      .where(
        'course_slug',
        'in',
        courses.map((c) => c.slug),
      )
      .execute();
    expect(own.every((c) => c.credit_type === null)).toBe(true);
    await expect(attest(id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('waits to take the attestation while the certificate could not be issued (an unconfirmed email)', async () => {
    const { id } = await person({ verified: false });
    await join(id);
    await complete(id);
    await spendTime(id);
    await postTest(id, true);
    await evaluate(id);
    await expect(attest(id)).rejects.toThrow(/confirm your email/);
    expect(await database.db.selectFrom('credit_claims').where('user_id', '=', id).select('user_id').execute()).toEqual(
      [],
    );
  });
});

describe('the records of the event’s activity', () => {
  it('reports it, keeps evaluation answers unlinkable, and keeps the de-identified record on deletion', async () => {
    const learner = await person();
    await join(learner.id);
    await complete(learner.id);
    await spendTime(learner.id);
    await postTest(learner.id, true);
    await evaluate(learner.id);
    await attest(learner.id);

    // The answers carry no user; the summary names nobody.
    const answers = await database.db
      .selectFrom('credit_evaluations')
      .selectAll()
      .where('course_slug', '=', `event:${slug}`)
      .execute();
    expect(answers.length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(answers[0]!)).not.toContain('user_id');
    const [activity] = (await events.eventCreditActivities(organiser)).filter((a) => a.key === `event:${slug}`);
    const summary = await credit.evaluationSummary(organiser, activity!);
    expect(summary.outcomes.map((o) => o.outcome)).toEqual(OUTCOMES);
    expect(summary.comments).toContain('The symposium follow-up was worth it.');
    expect(JSON.stringify(summary)).not.toContain(learner.id);
    expect(JSON.stringify(summary)).not.toContain(learner.email);
    await expect(events.eventCreditActivities(await ctxOf(learner.id))).rejects.toBeInstanceOf(ForbiddenError);

    const { filename, body } = await credit.activityReport(organiser, activity!);
    expect(filename).toBe('SYMP-2026-activity-report.csv');
    expect(body).toContain(learner.email);
    expect(body).toMatch(/,2,100,yes,\d{4}-\d{2}-\d{2},Nursing contact hours,0\.5,/);

    // The dashboard counts the event's own activity apart from its courses.
    const board = await events.dashboard(organiser, slug);
    expect(board.eventCredit).toEqual([
      expect.objectContaining({ type: 'nursing-contact-hours', learners: 2, hours: 1 }),
    ]);

    await database.db.transaction().execute((tx) => eraseAccount(tx, learner.id));
    const claims = await database.db
      .selectFrom('credit_claims')
      .selectAll()
      .where('user_id', '=', learner.id)
      .execute();
    expect(claims.map((c) => [c.course_slug, Number(c.hours_claimed)])).toEqual([[`event:${slug}`, 0.5]]);
    expect(await certificateOf(learner.id)).toMatchObject({
      holder_name: null,
      credential_jwt: null,
      credit_type: 'nursing-contact-hours',
    });
    const after = await credit.activityReport(organiser, activity!);
    expect(after.body).not.toContain(learner.email);
    expect(after.body).toContain('Deleted account');
  });
});

describe('requirements the organiser unticks', () => {
  it('keeps only the ticked ones: no evaluation nor recorded time asked, the certificate issues without them', async () => {
    await events.saveEventCredit(organiser, { ...creditInput(), requires: ['postTest'] });
    try {
      const offer = (await events.eventCreditOffer(database.db, (await events.eventCredit(organiser, slug)).event))!;
      expect(offer.offer.requires).toEqual({ postTest: true, engagementTime: false, evaluation: false });
      const { id } = await person();
      await join(id);
      await complete(id); // in seconds: below the floor, which this activity does not ask for
      await expect(attest(id)).rejects.toThrow(/post-test/);
      await postTest(id, true);
      await expect(evaluate(id)).rejects.toBeInstanceOf(ConflictError);
      const outcome = await attest(id);
      expect(outcome).toMatchObject({ certificate: { course_slug: `event:${slug}` } });
      expect(await certificateOf(id)).toBeDefined();
    } finally {
      // Saved without `requires` (as before they were optional): every one applies again.
      await events.saveEventCredit(organiser, creditInput());
    }
    const again = (await events.eventCreditOffer(database.db, (await events.eventCredit(organiser, slug)).event))!;
    expect(again.offer.requires).toEqual({ postTest: true, engagementTime: true, evaluation: true });
  });
});
