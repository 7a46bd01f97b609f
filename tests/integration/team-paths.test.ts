// Issue 17 §1: learning paths. Each member's due dates count from their own start (the later
// of the path's start and the calendar day they joined, in their own time zone); a refused
// path saves nothing; removing a path keeps everyone's progress.
import type { PublicUser } from '#server/kernel/context.ts';
import { FieldError, ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { caught } from '../support/caught.ts';
import { createUser, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import * as progress from '#server/progress/repo.ts';
import * as learning from '#server/learning/learning.ts';
import * as teams from '#server/teams/teams.ts';
import * as paths from '#server/teams/paths.ts';
import * as reminders from '#server/teams/reminders.ts';
import { formatCalendarDate } from '#lib/time-format.ts';
import { addDays } from '#lib/team-rules.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { CatalogLesson } from '#lib/catalog.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const [first, second, third] = ['patient-connection', 'team-huddles', 'servant-leadership'];

async function person(name: string, timeZone = 'UTC'): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  await markEmailVerified(database.db, created!.id, created!.email);
  await database.db.updateTable('users').set({ time_zone: timeZone }).where('id', '=', created!.id).execute();
  return (await findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });

async function team() {
  const leader = await person('Lena Leader');
  const { teamId } = await teams.createTeam(ctx(leader), { name: 'Ward 7', description: '' });
  const { code } = await teams.createInvite(ctx(leader), { teamId, days: 30, maxUses: null });
  const join = async (user: PublicUser, joinedAt?: string) => {
    await teams.joinTeam(ctx(user), { code });
    if (joinedAt)
      await sql`update team_members set joined_at = ${joinedAt}::timestamptz
        where team_id = ${teamId} and user_id = ${user.id}`.execute(database.db);
  };
  return { leader, teamId, join };
}

const threeCourses = [
  { courseSlug: first, offsetDays: 7 },
  { courseSlug: second, offsetDays: 14 },
  { courseSlug: third, offsetDays: 30 },
];

async function completeCourse(userId: string, slug: string) {
  for (const lesson of catalog.course(slug)!.lessons)
    await progress.completeLesson(database.db, { userId, courseSlug: slug, lessonSlug: lesson.slug }, '1.0.0');
}

/** As if the path had been made on `startsOn`: its start and its courses' dates for those there from the start. */
async function backdatePath(pathId: string, startsOn: string) {
  await database.db.updateTable('team_paths').set({ starts_on: startsOn }).where('id', '=', pathId).execute();
  await sql`update team_assignments set due_on = ${startsOn}::date + due_offset_days where path_id = ${pathId}`.execute(
    database.db,
  );
}

/** The right option of each of a lesson's questions, as the check form sends them. */
const rightAnswers = (lesson: CatalogLesson) =>
  Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));

const dueDates = async (user: PublicUser, now?: Date) =>
  Object.fromEntries((await teams.myAssignments(ctx(user, now))).map((a) => [a.course!.slug, [a.dueOn, a.state]]));

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('a path assigned to a team', () => {
  it('gives everyone in the team now its courses from the start date, and a later joiner from the day they join', async () => {
    const { leader, teamId, join } = await team();
    const early = await person('Early Erin');
    // In the team for a month already.
    await join(early, new Date(Date.now() - 30 * 86_400_000).toISOString());
    const today = teams.teamToday();
    const { pathId } = await paths.createPath(ctx(leader), {
      teamId,
      name: 'New starter onboarding',
      startsOn: null,
      inOrder: false,
      steps: [...threeCourses, null],
    });
    expect(await dueDates(early)).toEqual({
      [first]: [addDays(today, 7), 'not-started'],
      [second]: [addDays(today, 14), 'not-started'],
      [third]: [addDays(today, 30), 'not-started'],
    });

    // Ten days on (the path began ten days ago): Erin's first course is overdue; Lou, joining now, is not behind.
    await backdatePath(pathId, addDays(today, -10));
    const late = await person('Late Lou');
    await join(late);
    expect(await dueDates(early)).toMatchObject({ [first]: [addDays(today, -3), 'overdue'] });
    expect(await dueDates(late)).toEqual({
      [first]: [addDays(today, 7), 'not-started'],
      [second]: [addDays(today, 14), 'not-started'],
      [third]: [addDays(today, 30), 'not-started'],
    });

    // The dashboard shows both, each with their own date, and the path's place and days.
    const view = await teams.dashboard(ctx(leader), teamId);
    const firstCourse = view.assignments.find((a) => a.courseSlug === first)!;
    expect(firstCourse.path).toEqual({ id: pathId, name: 'New starter onboarding', position: 1, offsetDays: 7 });
    const cellOf = (user: PublicUser) => view.members.find((m) => m.userId === user.id)!.cells[firstCourse.id]!;
    expect(cellOf(early)).toMatchObject({ dueOn: addDays(today, -3), state: 'overdue' });
    expect(cellOf(late)).toMatchObject({ dueOn: addDays(today, 7), state: 'not-started' });

    // A personal date still works for one member.
    await teams.setMemberDueDate(ctx(leader), {
      teamId,
      assignmentId: firstCourse.id,
      userId: early.id,
      dueOn: addDays(today, 4),
    });
    expect(await dueDates(early)).toMatchObject({ [first]: [addDays(today, 4), 'not-started'] });

    // Completing the course shows on the path and on the dashboard.
    await completeCourse(late.id, first);
    const [lousPath] = await paths.myPaths(ctx(late));
    expect(lousPath).toMatchObject({ name: 'New starter onboarding', done: 1 });
    expect(lousPath!.next!.course!.slug).toBe(second);
    const after = await teams.dashboard(ctx(leader), teamId);
    expect(after.members.find((m) => m.userId === late.id)!.cells[firstCourse.id]!.state).toBe('completed');

    const audit = await listAuditEntries(database.db, { action: 'team.create-path' });
    expect(audit.some((e) => e.target === `team:${teamId}`)).toBe(true);
  });

  it('reminds a late joiner of their own date, not the date of those there from the start', async () => {
    const { leader, teamId, join } = await team();
    const { pathId } = await paths.createPath(ctx(leader), {
      teamId,
      name: 'Reminded',
      startsOn: null,
      inOrder: false,
      steps: [{ courseSlug: first, offsetDays: 7 }],
    });
    const today = teams.teamToday();
    await backdatePath(pathId, addDays(today, -5));
    const late = await person('Late Lou');
    await join(late);
    await reminders.savePreferences(ctx(late), { quietStart: 0, quietEnd: 0, remindersOn: true });
    const [assignment] = await teams.myAssignments(ctx(late));
    await reminders.sendReminders(ctx(leader), { teamId, assignmentId: assignment!.assignmentId });
    await reminders.runDueReminders(database.db, catalog);
    const [mail] = await database.db.selectFrom('outbox').selectAll().where('to_address', '=', late.email).execute();
    expect(mail!.text_body).toContain(`due ${formatCalendarDate(addDays(today, 7))}`);
  });

  it('counts from the calendar day the member joined in their own time zone, across daylight saving', async () => {
    const { leader, teamId, join } = await team();
    const { pathId } = await paths.createPath(ctx(leader), {
      teamId,
      name: 'Zones',
      startsOn: null,
      inOrder: false,
      steps: [{ courseSlug: first, offsetDays: 7 }],
    });
    await backdatePath(pathId, '2026-01-01');
    // 23:30 UTC on 29 March is already 30 March in Auckland (and still 29 March in London).
    const auckland = await person('Ana Auckland', 'Pacific/Auckland');
    await join(auckland, '2026-03-29T23:30:00Z');
    const london = await person('Lee London', 'Europe/London');
    await join(london, '2026-03-29T22:30:00Z');
    // 09:30 UTC on the morning US clocks went forward (8 March 2026) is 01:30 in Los Angeles, still the 8th.
    const angeles = await person('Alex Angeles', 'America/Los_Angeles');
    await join(angeles, '2026-03-08T09:30:00Z');
    // 07:30 UTC on 8 March is the evening of 7 March there.
    const evening = await person('Eve Angeles', 'America/Los_Angeles');
    await join(evening, '2026-03-08T07:30:00Z');
    const now = new Date('2026-03-01T12:00:00Z');
    expect((await dueDates(auckland, now))[first]![0]).toBe('2026-04-06');
    expect((await dueDates(london, now))[first]![0]).toBe('2026-04-05');
    expect((await dueDates(angeles, now))[first]![0]).toBe('2026-03-15');
    expect((await dueDates(evening, now))[first]![0]).toBe('2026-03-14');
  });

  it('opens each course only when the one before is finished, when the leader asks for that order', async () => {
    const { leader, teamId, join } = await team();
    const member = await person('Mo Member');
    await join(member);
    await paths.createPath(ctx(leader), {
      teamId,
      name: 'In order',
      startsOn: null,
      inOrder: true,
      steps: threeCourses,
    });
    const locked = async () =>
      Object.fromEntries((await paths.myPaths(ctx(member)))[0]!.steps.map((s) => [s.course!.slug, s.locked]));
    expect(await locked()).toEqual({ [first]: false, [second]: true, [third]: true });

    // The held course can be read, not completed: the lesson, its course page and a completion say why.
    const lesson = catalog.course(second)!.lessons[0]!;
    const key = { courseSlug: second, lessonSlug: lesson.slug };
    const why = `In your path “In order” this course opens when you finish “${catalog.course(first)!.title}”. You can read it now; marking it complete waits until then.`;
    expect((await learning.lessonState(ctx(member), key)).locked).toBe(why);
    expect((await learning.courseProgress(ctx(member), second)).lockedByPath).toBe(why);
    const refusal = await caught(learning.completeLesson(ctx(member), { ...key, answers: rightAnswers(lesson) }));
    expect(refusal).toBeInstanceOf(FieldError);
    expect((refusal as FieldError).message).toBe(why);
    expect(await progress.progressOfUser(database.db, member.id)).toEqual([]);
    // Someone outside the team is not held back by it.
    const outsider = await person('Ola Outsider');
    expect((await learning.lessonState(ctx(outsider), key)).locked).toBeNull();

    await completeCourse(member.id, first);
    expect(await locked()).toEqual({ [first]: false, [second]: false, [third]: true });
    expect((await learning.lessonState(ctx(member), key)).locked).toBeNull();
    expect((await learning.courseProgress(ctx(member), second)).lockedByPath).toBeUndefined();
    const done = await learning.completeLesson(ctx(member), { ...key, answers: rightAnswers(lesson) });
    expect(done.completedAt).toBeInstanceOf(Date);
  });

  it('keeps everyone’s progress when the path is removed', async () => {
    const { leader, teamId, join } = await team();
    const member = await person('Mo Member');
    await join(member);
    const { pathId } = await paths.createPath(ctx(leader), {
      teamId,
      name: 'Short',
      startsOn: null,
      inOrder: false,
      steps: [{ courseSlug: first, offsetDays: 0 }],
    });
    await completeCourse(member.id, first);
    await paths.removePath(ctx(leader), { teamId, pathId });
    expect(await teams.myAssignments(ctx(member))).toEqual([]);
    expect(await paths.myPaths(ctx(member))).toEqual([]);
    const kept = await progress.progressOfUser(database.db, member.id);
    expect(kept.filter((p) => p.course_slug === first && p.completed_at)).toHaveLength(
      catalog.course(first)!.lessons.length,
    );
    expect(await caught(paths.removePath(ctx(leader), { teamId, pathId }))).toBeInstanceOf(FieldError);
    // The member's path page is gone with it.
    expect(await caught(paths.myPath(ctx(member), pathId))).toBeInstanceOf(NotFoundError);
  });
});

describe('refusals: a message beside the field, nothing half-saved', () => {
  async function refused(input: Partial<Parameters<typeof paths.createPath>[1]>, who?: PublicUser) {
    const setup = await team();
    const error = await caught(
      paths.createPath(ctx(who ?? setup.leader), {
        teamId: setup.teamId,
        name: 'Onboarding',
        startsOn: null,
        inOrder: false,
        steps: threeCourses,
        ...input,
      }),
    );
    const saved = await database.db
      .selectFrom('team_paths')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('team_id', '=', setup.teamId)
      .executeTakeFirstOrThrow();
    return { error, savedPaths: saved.n, setup };
  }

  it('refuses a path with no course', async () => {
    const { error, savedPaths } = await refused({ steps: [null, null] });
    expect(error).toMatchObject({ field: 'course1', message: 'Choose at least one course for the path.' });
    expect(savedPaths).toBe(0);
  });

  it('refuses the same course twice, naming its place', async () => {
    const { error, savedPaths } = await refused({
      steps: [{ courseSlug: first, offsetDays: 7 }, null, { courseSlug: first, offsetDays: 14 }],
    });
    expect(error).toMatchObject({ field: 'course3', message: 'This course is already course 1 of the path.' });
    expect(savedPaths).toBe(0);
  });

  it('refuses a course that is not offered', async () => {
    const { error } = await refused({ steps: [{ courseSlug: 'no-such-course', offsetDays: 7 }] });
    expect(error).toMatchObject({ field: 'course1' });
  });

  it('refuses a start date in the past', async () => {
    const { error, savedPaths } = await refused({ startsOn: addDays(teams.teamToday(), -1) });
    expect(error).toMatchObject({ field: 'startsOn' });
    expect(savedPaths).toBe(0);
  });

  it('saves nothing when a later course is already assigned to the team on its own', async () => {
    const setup = await team();
    await teams.assignCourse(ctx(setup.leader), {
      teamId: setup.teamId,
      courseSlug: third,
      dueOn: addDays(teams.teamToday(), 9),
      note: '',
    });
    const error = await caught(
      paths.createPath(ctx(setup.leader), {
        teamId: setup.teamId,
        name: 'Onboarding',
        startsOn: null,
        inOrder: false,
        steps: threeCourses,
      }),
    );
    expect(error).toMatchObject({ field: 'course3' });
    const rows = await database.db
      .selectFrom('team_assignments')
      .select(['course_slug', 'path_id'])
      .where('team_id', '=', setup.teamId)
      .execute();
    expect(rows).toEqual([{ course_slug: third, path_id: null }]);
    expect(
      await database.db.selectFrom('team_paths').selectAll().where('team_id', '=', setup.teamId).execute(),
    ).toEqual([]);
  });

  it('refuses a second path of the same name', async () => {
    const setup = await team();
    const input = { teamId: setup.teamId, name: 'Onboarding', startsOn: null, inOrder: false };
    await paths.createPath(ctx(setup.leader), { ...input, steps: [{ courseSlug: first, offsetDays: 1 }] });
    const error = await caught(
      paths.createPath(ctx(setup.leader), { ...input, steps: [{ courseSlug: second, offsetDays: 1 }] }),
    );
    expect(error).toMatchObject({ field: 'name' });
  });

  it('lets only the team’s leaders compose or remove a path', async () => {
    const setup = await team();
    const member = await person('Mo Member');
    await setup.join(member);
    const outsider = await person('Olu Outsider');
    const input = { teamId: setup.teamId, name: 'Mine', startsOn: null, inOrder: false, steps: threeCourses };
    expect(await caught(paths.createPath(ctx(member), input))).toBeInstanceOf(ForbiddenError);
    expect(await caught(paths.createPath(ctx(outsider), input))).toBeInstanceOf(NotFoundError);
    const { pathId } = await paths.createPath(ctx(setup.leader), input);
    expect(await caught(paths.removePath(ctx(member), { teamId: setup.teamId, pathId }))).toBeInstanceOf(
      ForbiddenError,
    );
    // An outsider cannot open a member's path page either.
    expect(await caught(paths.myPath(ctx(outsider), pathId))).toBeInstanceOf(NotFoundError);
  });
});

describe('an administrator publishes a path to every team', () => {
  it('reaches every active team and its later joiners; a team with one of its courses, an archived team and non-admins are left out', async () => {
    const admin = await person('Ada Admin');
    await setAdmin(database.db, admin.email);
    const adminNow = (await findUserById(database.db, admin.id))!;
    // Teams of earlier tests in this file exist too: count only these.
    const plain = await team();
    const busy = await team();
    await teams.assignCourse(ctx(busy.leader), {
      teamId: busy.teamId,
      courseSlug: second,
      dueOn: addDays(teams.teamToday(), 5),
      note: '',
    });
    const archived = await team();
    await teams.setTeamArchived(ctx(archived.leader), { teamId: archived.teamId, archived: true });
    const input = {
      name: `Symposium follow-up ${Math.random().toString(36).slice(2, 7)}`,
      startsOn: null,
      inOrder: false,
      steps: [
        { courseSlug: second, offsetDays: 14 },
        { courseSlug: third, offsetDays: 30 },
      ],
    };
    expect(await caught(paths.publishPathToEveryTeam(ctx(plain.leader), input))).toBeInstanceOf(ForbiddenError);

    const result = await paths.publishPathToEveryTeam(ctx(adminNow), input);
    expect(result.leftOut).toContain('Ward 7');
    const pathOf = (teamId: string) =>
      database.db.selectFrom('team_paths').select('id').where('team_id', '=', teamId).where('name', '=', input.name);
    expect(await pathOf(plain.teamId).execute()).toHaveLength(1);
    expect(await pathOf(busy.teamId).execute()).toHaveLength(0);
    expect(await pathOf(archived.teamId).execute()).toHaveLength(0);

    // Someone joining the team afterwards gets it from their own day.
    const newcomer = await person('Nia Newcomer');
    await plain.join(newcomer);
    const today = teams.teamToday();
    expect(await dueDates(newcomer)).toEqual({
      [second]: [addDays(today, 14), 'not-started'],
      [third]: [addDays(today, 30), 'not-started'],
    });
    const [entry] = await listAuditEntries(database.db, { action: 'admin.publish-path', limit: 1 });
    expect(entry).toMatchObject({ actorId: admin.id, target: 'teams:all' });

    // Again: every team now has the name or the courses, so nothing is published twice.
    expect(await caught(paths.publishPathToEveryTeam(ctx(adminNow), input))).toMatchObject({ field: 'course1' });
    expect(await pathOf(plain.teamId).execute()).toHaveLength(1);
  });
});
