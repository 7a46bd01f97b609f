// Issue 17 §2: recurring training (decision 0041). A recurring course comes due again when
// its term ends (a controllable clock), a renewal opens a new term once, keeps the previous
// term's record, and issues one new certificate linked to the previous one.
import type { PublicUser } from '#server/kernel/context.ts';
import { FieldError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { caught } from '../support/caught.ts';
import { createUser, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import * as progress from '#server/progress/repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as paths from '#server/teams/paths.ts';
import { startRenewal } from '#server/teams/renewals.ts';
import * as certificates from '#server/certificates/certificates.ts';
import { myTranscript } from '#server/records/transcript.ts';
import { trainingRecord } from '#server/teams/record.ts';
import { addMonths } from '#lib/certificate-rules.ts';
import { addMonthsToDate } from '#lib/renewal-rules.ts';
import { addDays, dateIn } from '#lib/team-rules.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const slug = 'patient-connection';
const course = catalog.course(slug)!;

async function person(name: string, timeZone = 'UTC'): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  await markEmailVerified(database.db, created!.id, created!.email);
  await database.db.updateTable('users').set({ time_zone: timeZone }).where('id', '=', created!.id).execute();
  return (await findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });
/** A clock on a calendar date, for UTC and zones east of it (Auckland): its first minutes in UTC. */
const on = (date: string) => new Date(`${date}T00:30:00Z`);

async function teamWith(member: PublicUser, repeatMonths: number | null) {
  const leader = await person('Lena Leader');
  const { teamId } = await teams.createTeam(ctx(leader), { name: 'Ward 7', description: '' });
  const { code } = await teams.createInvite(ctx(leader), { teamId, days: 30, maxUses: null });
  await teams.joinTeam(ctx(member), { code });
  const { assignmentId } = await teams.assignCourse(ctx(leader), {
    teamId,
    courseSlug: slug,
    dueOn: addDays(teams.teamToday(), 14),
    note: '',
    repeatMonths,
  });
  return { leader, teamId, assignmentId };
}

async function completeCourse(userId: string) {
  for (const lesson of course.lessons)
    await progress.completeLesson(database.db, { userId, courseSlug: slug, lessonSlug: lesson.slug }, '1.0.0');
}

const mine = async (user: PublicUser, now?: Date) =>
  (await teams.myAssignments(ctx(user, now))).find((a) => a.course?.slug === slug)!;

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('a course assigned every 12 months', () => {
  it('comes due again when the term ends, renews once, and keeps the previous term in the record', async () => {
    const member = await person('Rita Renew', 'Pacific/Auckland');
    const { leader, teamId, assignmentId } = await teamWith(member, 12);
    await progress.recordAnswer(
      database.db,
      { userId: member.id, courseSlug: slug, lessonSlug: course.lessons[0]!.slug },
      { question: 0, chosenOption: 0, correct: true },
    );
    await completeCourse(member.id);
    const completedOn = dateIn('Pacific/Auckland', (await mine(member)).completedAt!);
    const expiry = addMonthsToDate(completedOn, 12);
    const [first] = (await certificates.issueEarnedCertificates(ctx(member))).filter((o) => o.course.slug === slug);
    const firstCertificate = 'certificate' in first! ? first.certificate : undefined;
    expect(firstCertificate).toMatchObject({ term: 1, renews: null });

    // Done, until the window opens 30 days before the expiry; then due for renewal by the expiry; then expired.
    expect(await mine(member)).toMatchObject({ state: 'completed', repeatMonths: 12 });
    expect(await mine(member, on(addDays(expiry, -31)))).toMatchObject({ state: 'completed' });
    expect(await mine(member, on(addDays(expiry, -30)))).toMatchObject({ state: 'renewal-due', dueOn: expiry });
    expect(await mine(member, on(addDays(expiry, 1)))).toMatchObject({ state: 'expired', dueOn: expiry });
    // The leader's dashboard says the same, counted apart from "completed".
    const inWindow = on(addDays(expiry, -10));
    const view = await teams.dashboard(ctx(leader, inWindow), teamId);
    const cell = view.members.find((m) => m.userId === member.id)!.cells[assignmentId]!;
    expect(cell).toMatchObject({ state: 'renewal-due', dueOn: expiry });
    expect(view.assignments[0]!.counts).toMatchObject({ completed: 0, 'renewal-due': 1, total: 1 });

    // Too early: refused with a message for the field, nothing moved.
    const early = await caught(startRenewal(ctx(member, on(addDays(expiry, -40))), { courseSlug: slug }));
    expect(early).toBeInstanceOf(FieldError);
    expect((early as FieldError).message).toMatch(/opens 30 days before/);

    // Two presses at once in the window open one term.
    const presses = await Promise.all([
      startRenewal(ctx(member, inWindow), { courseSlug: slug }),
      startRenewal(ctx(member, inWindow), { courseSlug: slug }),
    ]);
    expect(presses.map((p) => p.term).sort()).toEqual([2, undefined]);
    const terms = await progress.termsOfUser(database.db, member.id);
    expect(terms).toHaveLength(1);
    expect(terms[0]).toMatchObject({ course_slug: slug, term: 2 });
    expect(String(terms[0]!.due_on).slice(0, 10)).toBe(expiry);
    // The previous term's lessons are kept with the term, and the course is taken afresh.
    expect((terms[0]!.previous_lessons as { lesson_slug: string }[]).map((l) => l.lesson_slug).sort()).toEqual(
      course.lessons.map((l) => l.slug).sort(),
    );
    expect((await progress.progressOfUser(database.db, member.id)).filter((p) => p.course_slug === slug)).toEqual([]);
    // The checks are answered again in the new term.
    expect(
      await progress.correctlyAnswered(database.db, {
        userId: member.id,
        courseSlug: slug,
        lessonSlug: course.lessons[0]!.slug,
      }),
    ).toEqual([]);
    expect(await mine(member, inWindow)).toMatchObject({ state: 'renewal-due', dueOn: expiry, lessonsDone: 0 });
    expect(await mine(member, on(addDays(expiry, 2)))).toMatchObject({ state: 'expired', dueOn: expiry });
    const audit = await listAuditEntries(database.db, { action: 'course.start-renewal' });
    expect(audit.filter((e) => e.actorId === member.id)).toHaveLength(1);

    // Renewed before the expiry: the next term runs from the old expiry, not from today.
    await completeCourse(member.id);
    const nextExpiry = addMonthsToDate(expiry, 12);
    expect(await mine(member, inWindow)).toMatchObject({ state: 'completed' });
    expect(await mine(member, on(addDays(nextExpiry, -30)))).toMatchObject({
      state: 'renewal-due',
      dueOn: nextExpiry,
    });

    // Two completions reaching the certificate at once: one renewal certificate, linked to the first.
    const issued = await Promise.all([
      certificates.issueEarnedCertificates(ctx(member)),
      certificates.issueEarnedCertificates(ctx(member)),
    ]);
    const renewals = issued.map((outcomes) => {
      const outcome = outcomes.find((o) => o.course.slug === slug)!;
      return 'certificate' in outcome ? outcome.certificate : undefined;
    });
    expect(renewals[0]!.id).toBe(renewals[1]!.id);
    const renewal = renewals[0]!;
    expect(renewal).toMatchObject({ term: 2, renews: firstCertificate!.id });
    // Its term runs on from the first certificate's expiry (renewed early).
    expect(renewal.expires_at!.toISOString()).toBe(
      addMonths(firstCertificate!.expires_at!, course.recertifyMonths!).toISOString(),
    );
    const all = await database.db.selectFrom('certificates').selectAll().where('user_id', '=', member.id).execute();
    expect(all.filter((c) => c.course_slug === slug)).toHaveLength(2);

    // The old certificate still verifies, and each names the other.
    const old = await certificates.findCertificateView(database.db, firstCertificate!.id);
    expect(old).toMatchObject({ status: 'valid', renewedBy: { id: renewal.id, code: renewal.code } });
    const renewed = await certificates.findCertificateView(database.db, renewal.id);
    expect(renewed).toMatchObject({
      status: 'valid',
      renews: { id: firstCertificate!.id, code: firstCertificate!.code },
    });
    expect(certificates.verificationJson(renewed!)).toMatchObject({ renews: { code: firstCertificate!.code } });

    // The transcript keeps both terms; the team record shows the renewal and what it renews.
    const entries = (await myTranscript(ctx(member))).entries.filter((e) => e.courseSlug === slug);
    expect(entries.map((e) => [e.certificate?.code, e.renewal?.renewsCode]).sort()).toEqual(
      [
        [firstCertificate!.code, undefined],
        [renewal.code, firstCertificate!.code],
      ].sort(),
    );
    const record = await trainingRecord(ctx(leader), teamId);
    expect(record.rows.find((r) => r.email === member.email)).toMatchObject({
      certificateCode: renewal.code,
      renewals: 1,
      renewsCertificateCode: firstCertificate!.code,
    });
  });

  it('counts a renewal done after the expiry from its own day', async () => {
    const member = await person('Late Larry');
    await teamWith(member, 6);
    await completeCourse(member.id);
    const expiry = addMonthsToDate(dateIn('UTC', (await mine(member)).completedAt!), 6);
    const late = on(addDays(expiry, 3));
    expect(await mine(member, late)).toMatchObject({ state: 'expired', dueOn: expiry });
    expect((await startRenewal(ctx(member, late), { courseSlug: slug })).term).toBe(2);
    // The completion below happens today (the database's clock), which is before this test's expiry,
    // so move the term's due date back to stand for a renewal that came after it.
    await database.db
      .updateTable('course_terms')
      .set({ due_on: addDays(teams.teamToday(), -1) })
      .where('user_id', '=', member.id)
      .execute();
    await completeCourse(member.id);
    const next = addMonthsToDate(teams.teamToday(), 6);
    expect(await mine(member, on(addDays(next, -1)))).toMatchObject({ state: 'renewal-due', dueOn: next });
  });

  it('never comes due again when the assignment does not repeat, and cannot be renewed', async () => {
    const member = await person('Once Olga');
    await teamWith(member, null);
    await completeCourse(member.id);
    const years = on(addDays(teams.teamToday(), 800));
    expect(await mine(member, years)).toMatchObject({ state: 'completed', repeatMonths: null });
    expect(await caught(startRenewal(ctx(member, years), { courseSlug: slug }))).toBeInstanceOf(FieldError);
  });

  it('repeats every course of a path when the path does', async () => {
    const member = await person('Path Pat');
    const leader = await person('Lee Leader');
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'Ward 9', description: '' });
    const { code } = await teams.createInvite(ctx(leader), { teamId, days: 30, maxUses: null });
    await teams.joinTeam(ctx(member), { code });
    await paths.createPath(ctx(leader), {
      teamId,
      name: 'Yearly refresher',
      startsOn: null,
      inOrder: false,
      repeatMonths: 12,
      steps: [{ courseSlug: slug, offsetDays: 7 }],
    });
    await completeCourse(member.id);
    const expiry = addMonthsToDate(teams.teamToday(), 12);
    expect(await mine(member, on(addDays(expiry, -5)))).toMatchObject({ state: 'renewal-due', dueOn: expiry });
  });
});
