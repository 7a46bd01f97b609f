import type { PublicUser } from '#server/kernel/context.ts';
import { FieldError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { createUser, findUserById, hasAnyUser, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import { recordAudit } from '#server/audit/repo.ts';
import { saveReflection } from '#server/learning/reflections-repo.ts';
import { createSession } from '#server/accounts/sessions.ts';
import * as learning from '#server/learning/learning.ts';
import { sendVerificationMail } from '#server/accounts/accounts.ts';
import { deleteMyAccount, exportMyData } from '#server/my-data/my-data.ts';
import * as accounts from '#server/accounts/accounts.ts';
import * as teams from '#server/teams/teams.ts';
import { trainingRecordCsv } from '#server/teams/record.ts';
import * as reminders from '#server/teams/reminders.ts';
import * as events from '#server/events/events.ts';
import { findCertificateView, issueEarnedCertificates } from '#server/certificates/certificates.ts';
import { sendMail, UndeliverableAddressError } from '#server/platform/mail.ts';
import { completeLesson as completeProgress } from '#server/progress/repo.ts';
import { validateSessionToken } from '#server/accounts/sessions.ts';
import { hashPassword, verifyPassword } from '#server/accounts/passwords.ts';
import { addDays } from '#lib/team-rules.ts';
import * as creditRecords from '#server/credit/records-repo.ts';

const catalog = testCatalog();
const course = catalog.courses.find((c) => c.slug === 'patient-connection')!;
const lesson = course.lessons[0]!;
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const CHROME_ANDROID =
  'Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36';
const PERSONAL_TABLES = ['sessions', 'email_tokens', 'lesson_progress', 'check_attempts', 'reflections'] as const;
// A course the leaving learner finishes (for a certificate) and one they do not (for a reminder and the event).
const finished = catalog.courses.find((c) => c.slug === 'the-practice-you-hoped-for')!;
const unfinished = catalog.courses.find((c) => c.slug === 'team-huddles')!;
const PASSWORD = 'violet harbour tractor quilt 92';

let database: RoundsDatabase;
let learnerHash: string;

beforeAll(async () => {
  database = await freshDatabase();
  learnerHash = await hashPassword(PASSWORD);
  // Without SMTP_URL, mail is printed as well as stored; keep the test output readable.
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await database?.close();
});

/** A learner who has done a bit of everything: sessions, a wrong and a right answer, a completed lesson, a reflection, a pending email token, an audit entry. */
async function activeLearner(label: string) {
  const email = uniqueEmail(label);
  const user = (await createUser(database.db, { email, name: `Learner ${label}`, passwordHash: learnerHash }))!;
  const laptop = await createSession(database.db, user.id, FIREFOX_LINUX);
  const phone = await createSession(database.db, user.id, CHROME_ANDROID);
  const wrong = lesson.check[0]!.options.findIndex((o) => !o.correct);
  const right = lesson.check[0]!.options.findIndex((o) => o.correct);
  const lessonKey = { courseSlug: course.slug, lessonSlug: lesson.slug };
  expect(
    (await learning.answerQuestion({ db: database.db, catalog, user }, { ...lessonKey, question: 0, option: wrong }))
      .correct,
  ).toBe(false);
  expect(
    (await learning.answerQuestion({ db: database.db, catalog, user }, { ...lessonKey, question: 0, option: right }))
      .correct,
  ).toBe(true);
  const answers = Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
  await learning.completeLesson({ db: database.db, catalog, user }, { ...lessonKey, answers });
  const reflection = `What ${label} took from the first minute: ${crypto.randomUUID()}`;
  await saveReflection(database.db, user.id, { ...lessonKey, body: reflection, revision: 1 });
  await sendVerificationMail(database.db, user);
  await recordAudit(database.db, {
    actorId: user.id,
    action: 'test.action',
    target: `target-of-${label}`,
    details: { why: 'test' },
  });
  return { user, email, reflection, tokens: [laptop.token, phone.token], wrong, right };
}

/** The rows about a person outside PERSONAL_TABLES: certificates, reminders and nudges, reminder settings, mail to their address. */
async function personalExtras(userId: string, email: string): Promise<Record<string, number>> {
  const n = (row: { n: number | string | bigint }) => Number(row.n);
  return {
    certificates: n(
      await database.db
        .selectFrom('certificates')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        // A certificate stays as a tombstone without name or credential (decision 0023).
        .where((eb) => eb.or([eb('holder_name', 'is not', null), eb('credential_jwt', 'is not', null)]))
        .executeTakeFirstOrThrow(),
    ),
    team_reminders: n(
      await database.db
        .selectFrom('team_reminders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
    ),
    event_nudges: n(
      await database.db
        .selectFrom('event_nudges')
        .innerJoin('event_enrollments', 'event_enrollments.id', 'event_nudges.enrollment_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('event_enrollments.user_id', '=', userId)
        .executeTakeFirstOrThrow(),
    ),
    reminder_preferences: n(
      await database.db
        .selectFrom('reminder_preferences')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
    ),
    outbox: n(
      await database.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('to_address', '=', email)
        .executeTakeFirstOrThrow(),
    ),
  };
}

const teamCtx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });

/**
 * Puts `me` (confirmed) in a team led by someone else, with a reminder queued, and in an
 * event with one nudge sent; `me` finishes a course (certificate issued) and keeps
 * reminder settings. The event is in 2030, so its first lesson unlocks after enrolment.
 */
async function teamAndEvent(me: PublicUser) {
  await markEmailVerified(database.db, me.id, me.email);
  const verified = (await findUserById(database.db, me.id))!;
  const leader = (await createUser(database.db, {
    email: uniqueEmail('leader'),
    name: 'Team Leader',
    passwordHash: 'x',
  }))!;
  await markEmailVerified(database.db, leader.id, leader.email);
  const organiserRow = (await createUser(database.db, {
    email: uniqueEmail('organiser'),
    name: 'Organiser',
    passwordHash: 'x',
  }))!;
  await setAdmin(database.db, organiserRow.email);
  const organiser = (await findUserById(database.db, organiserRow.id))!;
  const leaderUser = (await findUserById(database.db, leader.id))!;

  for (const l of finished.lessons)
    await completeProgress(
      database.db,
      { userId: me.id, courseSlug: finished.slug, lessonSlug: l.slug },
      finished.version,
    );
  const [issued] = await issueEarnedCertificates({ db: database.db, catalog, user: me });
  const certificate = await database.db
    .selectFrom('certificates')
    .select('id')
    .where('user_id', '=', me.id)
    .executeTakeFirstOrThrow();
  expect(issued).toBeDefined();

  const { teamId } = await teams.createTeam(teamCtx(leaderUser), { name: 'Night shift', description: '' });
  const { code } = await teams.createInvite(teamCtx(leaderUser), { teamId, days: 7, maxUses: null });
  await teams.joinTeam(teamCtx(verified), { code });
  // Made co-leader, so deleting shows the role going back to member.
  await teams.setMemberRole(teamCtx(leaderUser), { teamId, userId: me.id, role: 'leader' });
  await teams.assignCourse(teamCtx(leaderUser), {
    teamId,
    courseSlug: finished.slug,
    dueOn: addDays(teams.teamToday(), 5),
    note: '',
  });
  const { assignmentId } = await teams.assignCourse(teamCtx(leaderUser), {
    teamId,
    courseSlug: unfinished.slug,
    dueOn: addDays(teams.teamToday(), 5),
    note: '',
  });
  await reminders.savePreferences(
    { db: database.db, catalog, user: verified },
    { quietStart: 0, quietEnd: 0, remindersOn: true },
  );
  // Far in the future, so it is still waiting when the account is deleted.
  await database.db
    .insertInto('team_reminders')
    .values({
      assignment_id: assignmentId,
      user_id: me.id,
      requested_by: leader.id,
      deliver_after: new Date('2099-01-01T00:00:00Z'),
    })
    .execute();

  const event = await events.createEvent(teamCtx(organiser), {
    name: `Symposium ${Math.random().toString(36).slice(2, 6)}`,
    slug: '',
    eventDate: '2030-01-01',
    timeZone: 'UTC',
    location: '',
    welcomeMessage: '',
    courses: [unfinished.slug],
    unlockMinute: 7 * 60,
    firstUnlockDays: 1,
    intervalDays: 2,
    dayOffsets: null,
  });
  await events.joinEvent(teamCtx(verified), { code: event.code });
  expect(await events.runEventNudges(database.db, catalog, new Date('2030-01-02T12:00:00Z'))).toMatchObject({
    sent: 1,
  });
  return {
    leader: leaderUser,
    organiser,
    teamId,
    assignmentId,
    eventId: event.eventId,
    eventSlug: event.slug,
    certificateId: certificate.id,
  };
}

async function countFor(userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of PERSONAL_TABLES) {
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const user = await database.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  counts.users = Number(user.n);
  return counts;
}

describe('exporting my data', () => {
  it('contains my profile, sessions, progress, check attempts and reflections, and nobody else’s', async () => {
    const other = await activeLearner('other');
    const me = await activeLearner('me');
    const data = await exportMyData({ db: database.db, catalog, user: me.user });

    const stored = await database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', me.user.id)
      .executeTakeFirstOrThrow();
    expect(data.profile).toEqual({
      name: 'Learner me',
      email: me.email,
      emailVerifiedAt: null,
      isAdmin: stored.is_admin,
      createdAt: stored.created_at,
      timeZone: 'UTC',
    });

    expect(data.sessions).toHaveLength(2);
    expect(data.sessions.map((s) => s.userAgent).sort()).toEqual([CHROME_ANDROID, FIREFOX_LINUX].sort());
    expect(data.sessions.map((s) => s.device).sort()).toEqual(['Chrome on Android', 'Firefox on Linux']);
    for (const s of data.sessions) expect(s.expiresAt.getTime()).toBeGreaterThan(Date.now());

    expect(data.progress).toHaveLength(1);
    expect(data.progress[0]).toMatchObject({ course: course.slug, lesson: lesson.slug, courseVersion: course.version });
    expect(data.progress[0]!.completedAt).toBeInstanceOf(Date);
    expect(data.progress[0]!.startedAt).toBeInstanceOf(Date);

    // One wrong and one right answer by hand, then the whole check graded on completion; numbered from 1 for people.
    expect(data.checkAttempts).toHaveLength(2 + lesson.check.length);
    expect(
      data.checkAttempts
        .slice(0, 2)
        .map((a) => ({ question: a.question, chosenOption: a.chosenOption, correct: a.correct })),
    ).toEqual([
      { question: 1, chosenOption: me.wrong + 1, correct: false },
      { question: 1, chosenOption: me.right + 1, correct: true },
    ]);
    expect(
      data.checkAttempts.slice(2).every((a) => a.correct && a.course === course.slug && a.lesson === lesson.slug),
    ).toBe(true);

    expect(data.reflections).toEqual([
      expect.objectContaining({ course: course.slug, lesson: lesson.slug, text: me.reflection }),
    ]);

    const json = JSON.stringify(data);
    expect(JSON.parse(json).profile.email).toBe(me.email);
    expect(json).not.toContain(other.email);
    expect(json).not.toContain(other.reflection);
    for (const token of me.tokens) expect(json).not.toContain(token.split('.')[1]);
  });

  it('contains my continuing-education records (attempts with scores, evaluation receipts, claims) but never the evaluation answers, and nobody else’s', async () => {
    const creditCourse = catalog.courses.find((c) => c.credit)!;
    /** A failed then a passed post-test, an evaluation with a comment only this learner wrote, and a claim. */
    async function creditRecordsFor(userId: string, label: string) {
      const base = { userId, courseSlug: creditCourse.slug, courseVersion: creditCourse.version, questions: 5 };
      await creditRecords.insertPostTestAttempt(database.db, {
        ...base,
        attemptId: crypto.randomUUID(),
        answers: [0, 1, 2, 0, 1],
        correct: 3,
        score: 60,
        passed: false,
      });
      await creditRecords.insertPostTestAttempt(database.db, {
        ...base,
        attemptId: crypto.randomUUID(),
        answers: [1, 1, 1, 0, 1],
        correct: 5,
        score: 100,
        passed: true,
      });
      const comment = `Evaluation comment by ${label} ${crypto.randomUUID()}`;
      await creditRecords.insertEvaluation(database.db, {
        userId,
        courseSlug: creditCourse.slug,
        activityId: creditCourse.credit!.activityId,
        formVersion: 1,
        completedOn: '2026-12-07',
        answers: { outcomes: [4], changePractice: 'yes', biasFree: 'yes', comments: comment },
      });
      await creditRecords.insertCreditClaim(database.db, {
        userId,
        courseSlug: creditCourse.slug,
        activityId: creditCourse.credit!.activityId,
        creditType: 'nursing-contact-hours',
        hoursClaimed: 0.75,
        postTestScore: 100,
      });
      return comment;
    }
    const other = await activeLearner('credit-other');
    const me = await activeLearner('credit-me');
    const otherComment = await creditRecordsFor(other.user.id, 'other');
    const myComment = await creditRecordsFor(me.user.id, 'me');

    const data = await exportMyData({ db: database.db, catalog, user: me.user });
    // Both attempts, in any order: written back to back, they can share a timestamp.
    expect(data.credit.postTestAttempts).toHaveLength(2);
    expect(data.credit.postTestAttempts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          course: creditCourse.slug,
          courseVersion: creditCourse.version,
          chosenOptions: [1, 2, 3, 1, 2],
          correct: 3,
          questions: 5,
          scorePercent: 60,
          passed: false,
        }),
        expect.objectContaining({ chosenOptions: [2, 2, 2, 1, 2], correct: 5, scorePercent: 100, passed: true }),
      ]),
    );
    for (const a of data.credit.postTestAttempts) expect(a.attemptedAt).toBeInstanceOf(Date);
    expect(data.credit.evaluationsCompleted).toEqual([
      { course: creditCourse.slug, formVersion: 1, completedOn: '2026-12-07' },
    ]);
    expect(data.credit.claims).toEqual([
      {
        course: creditCourse.slug,
        activityId: creditCourse.credit!.activityId,
        creditType: 'nursing-contact-hours',
        hoursClaimed: 0.75,
        postTestScorePercent: 100,
        attestedAt: expect.any(Date),
      },
    ]);

    // The evaluation answers are stored without the learner, so they are nobody's to export.
    const json = JSON.stringify(data);
    expect(json).not.toContain(myComment);
    expect(json).not.toContain(otherComment);
    expect(json).not.toContain(other.email);
  });
});

describe('deleting my account', () => {
  it('refuses the wrong confirmation email and deletes nothing', async () => {
    const other = await activeLearner('bystander');
    const me = await activeLearner('careful');
    const before = await countFor(me.user.id);
    expect(before).toMatchObject({ users: 1, sessions: 2, lesson_progress: 1, reflections: 1, email_tokens: 1 });

    for (const attempt of [other.email, '', `${me.email}x`, me.email.replace('@', '@@')]) {
      const error = await deleteMyAccount(
        { db: database.db, catalog, user: me.user },
        { confirmEmail: attempt, currentPassword: PASSWORD },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `confirming with ${JSON.stringify(attempt)}`).toBeInstanceOf(FieldError);
      expect((error as FieldError).field).toBe('confirmEmail');
    }
    expect(await countFor(me.user.id)).toEqual(before);
    expect(await countFor(other.user.id)).toMatchObject({ users: 1 });
  });

  it('refuses without the password (a session left open on a shared computer is not enough) and deletes nothing', async () => {
    const me = await activeLearner('unattended');
    const before = await countFor(me.user.id);
    for (const attempt of ['', 'not my password', `${PASSWORD} `]) {
      const error = await deleteMyAccount(
        { db: database.db, catalog, user: me.user },
        { confirmEmail: me.email, currentPassword: attempt },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `password ${JSON.stringify(attempt)}`).toBeInstanceOf(FieldError);
      expect((error as FieldError).field).toBe('currentPassword');
    }
    expect(await countFor(me.user.id)).toEqual(before);
  });

  it('with my email in any case removes everything personal in one go, and keeps what teams and events count under a name that is nobody', async () => {
    const other = await activeLearner('neighbour');
    const me = await activeLearner('leaving');
    const world = await teamAndEvent(me.user);
    const mine = await countFor(me.user.id);
    expect(mine).toEqual({
      users: 1,
      sessions: 2,
      email_tokens: 1,
      lesson_progress: 1 + finished.lessons.length,
      check_attempts: 2 + lesson.check.length,
      reflections: 1,
    });
    const extras = await personalExtras(me.user.id, me.email);
    expect(extras).toEqual({ certificates: 1, team_reminders: 1, event_nudges: 1, reminder_preferences: 1, outbox: 2 }); // outbox: the confirmation link and the nudge
    const theirs = await countFor(other.user.id);
    const audit = await database.db.selectFrom('audit_log').select('id').where('actor_id', '=', me.user.id).execute();
    expect(audit).toHaveLength(1);
    // The password works until the account is deleted (so the refusals below are about deletion).
    await accounts.signIn(
      database.db,
      { email: me.email, password: PASSWORD },
      { ip: '198.51.100.199', userAgent: '' },
    );
    // An entry about the account that names its address (grant-admin does).
    await accounts.grantAdmin(database.db, me.email, null);
    const teamBefore = await teams.dashboard(teamCtx(world.leader), world.teamId);
    const eventBefore = await events.dashboard(teamCtx(world.organiser), world.eventSlug);

    await deleteMyAccount(
      { db: database.db, catalog, user: me.user },
      { confirmEmail: `  ${me.email.toUpperCase()}  `, currentPassword: PASSWORD },
    );

    // Gone: everything personal.
    expect(await countFor(me.user.id)).toEqual({
      users: 1,
      sessions: 0,
      email_tokens: 0,
      lesson_progress: mine.lesson_progress,
      check_attempts: 0,
      reflections: 0,
    });
    expect(await personalExtras(me.user.id, me.email)).toEqual({
      certificates: 0,
      team_reminders: 0,
      event_nudges: 0,
      reminder_preferences: 0,
      outbox: 0,
    });
    // The certificate's status stays public; the name does not (decision 0023).
    expect(await findCertificateView(database.db, world.certificateId)).toMatchObject({
      status: 'valid',
      holderName: null,
      holderErased: true,
    });
    for (const token of me.tokens) expect(await validateSessionToken(database.db, token)).toBeNull();
    // Kept: one row that names nobody and can never sign in or be mailed.
    const tombstone = await database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', me.user.id)
      .executeTakeFirstOrThrow();
    expect(tombstone).toMatchObject({
      name: 'Deleted account',
      email: `deleted-${me.user.id}@deleted.invalid`,
      email_verified_at: null,
      is_admin: false,
    });
    expect(tombstone.deleted_at).toBeInstanceOf(Date);
    expect(await verifyPassword(tombstone.password_hash, PASSWORD)).toBe(false);
    expect(JSON.stringify(tombstone)).not.toContain(me.email);
    expect(JSON.stringify(tombstone)).not.toContain('Learner leaving');
    expect(
      await database.db.selectFrom('users').select('id').where('email', '=', me.email).executeTakeFirst(),
    ).toBeUndefined();
    // ...and what teams and events count: progress, membership (no longer leading), enrolment (nudges off).
    expect(
      await database.db
        .selectFrom('team_members')
        .select(['team_id', 'role'])
        .where('user_id', '=', me.user.id)
        .execute(),
    ).toEqual([{ team_id: world.teamId, role: 'member' }]);
    const enrolment = await database.db
      .selectFrom('event_enrollments')
      .select(['event_id', 'nudges_off_at'])
      .where('user_id', '=', me.user.id)
      .executeTakeFirstOrThrow();
    expect(enrolment.event_id).toBe(world.eventId);
    expect(enrolment.nudges_off_at).toBeInstanceOf(Date);
    expect(await countFor(other.user.id)).toEqual(theirs);

    const kept = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '=', audit[0]!.id)
      .executeTakeFirstOrThrow();
    expect(kept.actor_id).toBeNull();
    expect(kept.target).toBe('target-of-leaving');
    expect(kept.details).toEqual({ why: 'test' });
    const grant = await database.db
      .selectFrom('audit_log')
      .select('target')
      .where('action', '=', 'grant-admin')
      .where('target', 'in', [me.email, `user:${me.user.id}`])
      .execute();
    expect(grant).toEqual([{ target: `user:${me.user.id}` }]);
    const othersAudit = await database.db
      .selectFrom('audit_log')
      .select('actor_id')
      .where('target', '=', 'target-of-neighbour')
      .executeTakeFirstOrThrow();
    expect(othersAudit.actor_id).toBe(other.user.id);

    // The leader's dashboard and CSV: the same counts, the member shown as "Deleted account" with no address.
    const teamAfter = await teams.dashboard(teamCtx(world.leader), world.teamId);
    expect(teamAfter.assignments.map((a) => a.counts)).toEqual(teamBefore.assignments.map((a) => a.counts));
    expect(teamAfter.members).toHaveLength(teamBefore.members.length);
    expect(teamAfter.members.find((m) => m.userId === me.user.id)).toMatchObject({
      name: 'Deleted account',
      email: '',
      role: 'member',
    });
    const teamCsv = (await trainingRecordCsv(teamCtx(world.leader), world.teamId)).body;
    expect(teamCsv).toContain('Deleted account');
    for (const text of [me.email, 'Learner leaving', 'deleted.invalid']) expect(teamCsv).not.toContain(text);
    expect(
      (await teams.manageView(teamCtx(world.leader), world.teamId)).members.find((m) => m.user_id === me.user.id),
    ).toMatchObject({ name: 'Deleted account', email: '', account_deleted: true });

    // The organiser's dashboard and CSV: the same numbers, nobody named.
    const eventAfter = await events.dashboard(teamCtx(world.organiser), world.eventSlug);
    expect({ enrolled: eventAfter.enrolled, funnel: eventAfter.funnel.map((f) => f.completed) }).toEqual({
      enrolled: eventBefore.enrolled,
      funnel: eventBefore.funnel.map((f) => f.completed),
    });
    expect(eventAfter.people).toEqual([
      expect.objectContaining({ name: 'Deleted account', email: '', lessonsDone: eventBefore.people[0]!.lessonsDone }),
    ]);
    const eventCsv = (await events.exportCsv(teamCtx(world.organiser), world.eventSlug)).body;
    for (const text of [me.email, 'Learner leaving', 'deleted.invalid']) expect(eventCsv).not.toContain(text);

    // Nothing is ever mailed to it: reminders say why not, nudges skip it, and the mail layer refuses the address.
    const plan = await reminders.planReminders(teamCtx(world.leader, new Date(Date.now() + 2 * 86_400_000)), {
      teamId: world.teamId,
      assignmentId: world.assignmentId,
    });
    expect(plan.recipients.map((r) => r.userId)).not.toContain(me.user.id);
    expect(plan.notReminded).toContainEqual({ userId: me.user.id, name: 'Deleted account', reason: 'Account deleted' });
    await events.runEventNudges(database.db, catalog, new Date('2030-01-04T12:00:00Z'));
    await reminders.runDueReminders(database.db, catalog, new Date(Date.now() + 3 * 86_400_000));
    await expect(
      sendMail(database.db, { to: tombstone.email, subject: 'x', text: 'x', html: 'x' }),
    ).rejects.toBeInstanceOf(UndeliverableAddressError);
    expect(await personalExtras(me.user.id, tombstone.email)).toMatchObject({ outbox: 0, event_nudges: 0 });

    // Nobody reaches it: not by the old address, not by the tombstone's.
    for (const email of [me.email, tombstone.email]) {
      await expect(
        accounts.signIn(database.db, { email, password: PASSWORD }, { ip: '198.51.100.200', userAgent: '' }),
      ).rejects.toBeInstanceOf(FieldError);
      await accounts.requestPasswordReset(database.db, email, { ip: '198.51.100.201', userAgent: '' });
      expect(await setAdmin(database.db, email)).toBe(false);
    }
    expect(await personalExtras(me.user.id, me.email)).toMatchObject({ outbox: 0 });
    expect(
      await database.db.selectFrom('email_tokens').select('token_hash').where('user_id', '=', me.user.id).execute(),
    ).toEqual([]);

    // Deleting again (a retried request reaches here only without its session) changes nothing.
    await expect(
      deleteMyAccount(
        { db: database.db, catalog, user: me.user },
        { confirmEmail: me.email, currentPassword: PASSWORD },
      ),
    ).rejects.toBeInstanceOf(FieldError);
    expect(await countFor(me.user.id)).toEqual({
      users: 1,
      sessions: 0,
      email_tokens: 0,
      lesson_progress: mine.lesson_progress,
      check_attempts: 0,
      reflections: 0,
    });
  });

  it('a deleted account does not count as an account: the next sign-up on an install whose only account left becomes its administrator', async () => {
    const install = await freshDatabase();
    try {
      const first = (await createUser(install.db, {
        email: uniqueEmail('first'),
        name: 'First',
        passwordHash: learnerHash,
      }))!;
      expect(first.is_admin).toBe(true);
      await deleteMyAccount(
        { db: install.db, catalog, user: first },
        { confirmEmail: first.email, currentPassword: PASSWORD },
      );
      expect(await hasAnyUser(install.db)).toBe(false);
      const next = (await createUser(install.db, { email: uniqueEmail('next'), name: 'Next', passwordHash: 'x' }))!;
      expect(next.is_admin).toBe(true);
      expect(await hasAnyUser(install.db)).toBe(true);
      const later = (await createUser(install.db, { email: uniqueEmail('later'), name: 'Later', passwordHash: 'x' }))!;
      expect(later.is_admin).toBe(false);
    } finally {
      await install.close();
    }
  });
});
