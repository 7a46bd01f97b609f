import { ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, markEmailVerified, findUserById, setAdmin } from '#server/accounts/users-repo.ts';
import * as progress from '#server/progress/repo.ts';
import { saveReflection } from '#server/learning/reflections-repo.ts';
import * as teams from '#server/teams/teams.ts';
import { trainingRecordCsv } from '#server/teams/record.ts';
import { addDays } from '#lib/team-rules.ts';
import { parse } from 'csv-parse/sync';
import type { RoundsDatabase } from '#server/platform/db.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const course = catalog.course('team-huddles')!;
const other = catalog.course('patient-connection')!;

async function person(name = 'Member', verified = true): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  if (verified) await markEmailVerified(database.db, created!.id, created!.email);
  return (await findUserById(database.db, created!.id))!;
}

function ctx(user: PublicUser, now?: Date) {
  return { db: database.db, catalog, user, now, clientIp: '127.0.0.1' };
}

async function completeCourse(userId: string, slug = course.slug, lessons = catalog.course(slug)!.lessons) {
  for (const lesson of lessons)
    await progress.completeLesson(database.db, { userId, courseSlug: slug, lessonSlug: lesson.slug }, '1.0.0');
}

async function teamWithMembers(count: number) {
  const leader = await person('Lee Leader');
  const { teamId } = await teams.createTeam(ctx(leader), { name: 'Ward 4', description: '' });
  const { code } = await teams.createInvite(ctx(leader), { teamId, days: 7, maxUses: null });
  const members: PublicUser[] = [];
  for (let i = 0; i < count; i++) {
    const member = await person(`Member ${i}`);
    await teams.joinTeam(ctx(member), { code });
    members.push(member);
  }
  return { leader, teamId, code, members };
}

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('teams and membership', () => {
  it('makes the creator the leader and lets members join by code, once', async () => {
    const { leader, teamId, code, members } = await teamWithMembers(1);
    const again = await teams.joinTeam(ctx(members[0]!), { code });
    expect(again).toEqual({ teamId, alreadyMember: true });
    const view = await teams.manageView(ctx(leader), teamId);
    expect(view.members.map((m) => [m.name, m.role])).toEqual([
      ['Lee Leader', 'leader'],
      ['Member 0', 'member'],
    ]);
    expect(view.invites[0]!.uses).toBe(1);
  });

  it('requires a confirmed email to join', async () => {
    const { code } = await teamWithMembers(0);
    const unverified = await person('New', false);
    await expect(teams.joinTeam(ctx(unverified), { code })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('says plainly when a code is expired, revoked or used up', async () => {
    const leader = await person('Leader');
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'T', description: '' });
    const limited = await teams.createInvite(ctx(leader), { teamId, days: 1, maxUses: 1 });
    await teams.joinTeam(ctx(await person()), { code: limited.code });
    await expect(teams.joinTeam(ctx(await person()), { code: limited.code })).rejects.toThrow(/used as many times/);

    const expiring = await teams.createInvite(ctx(leader), { teamId, days: 1, maxUses: null });
    await expect(
      teams.joinTeam(ctx(await person(), new Date(Date.now() + 2 * 86_400_000)), { code: expiring.code }),
    ).rejects.toThrow(/expired/);

    const revoked = await teams.createInvite(ctx(leader), { teamId, days: 1, maxUses: null });
    const invite = (await teams.manageView(ctx(leader), teamId)).invites.find((i) => i.code === revoked.code)!;
    await teams.revokeInvite(ctx(leader), { teamId, inviteId: invite.id });
    await expect(teams.joinTeam(ctx(await person()), { code: revoked.code })).rejects.toThrow(/withdrawn/);
    await expect(teams.joinTeam(ctx(await person()), { code: 'ZZZZZZZZ' })).rejects.toThrow(/could not find/);
    const lookup = await teams.lookUpInvite(database.db, revoked.code, '10.0.0.1');
    expect(lookup).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('never lets a limited invite be used more often than allowed, under concurrency', async () => {
    const leader = await person('Leader');
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'Busy', description: '' });
    const { code } = await teams.createInvite(ctx(leader), { teamId, days: 1, maxUses: 3 });
    const people = await Promise.all(Array.from({ length: 8 }, () => person()));
    const results = await Promise.allSettled(people.map((p) => teams.joinTeam(ctx(p), { code })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const view = await teams.manageView(ctx(leader), teamId);
    expect(view.members).toHaveLength(4);
    expect(view.invites[0]!.uses).toBe(3);
  });

  it('keeps at least one leader; co-leaders can be made; members can leave', async () => {
    const { leader, teamId, members } = await teamWithMembers(2);
    await expect(teams.leaveTeam(ctx(leader), { teamId })).rejects.toThrow(/only leader/);
    await expect(teams.setMemberRole(ctx(leader), { teamId, userId: leader.id, role: 'member' })).rejects.toThrow(
      /at least one leader/,
    );
    await teams.setMemberRole(ctx(leader), { teamId, userId: members[0]!.id, role: 'leader' });
    await teams.leaveTeam(ctx(leader), { teamId });
    await teams.removeMember(ctx(members[0]!), { teamId, userId: members[1]!.id });
    const view = await teams.manageView(ctx(members[0]!), teamId);
    expect(view.members.map((m) => m.name)).toEqual(['Member 0']);
    await expect(teams.manageView(ctx(leader), teamId)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('assignments and states', () => {
  it('computes not started, in progress, completed (even before assignment), overdue, and extensions', async () => {
    const { leader, teamId, members } = await teamWithMembers(5);
    const [fresh, started, early, late, onLeave] = members as [
      PublicUser,
      PublicUser,
      PublicUser,
      PublicUser,
      PublicUser,
    ];
    await completeCourse(early.id); // before the assignment exists
    const today = teams.teamToday();
    const { assignmentId } = await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(today, 7),
      note: 'Before the January huddle',
    });
    await expect(
      teams.assignCourse(ctx(leader), { teamId, courseSlug: course.slug, dueOn: addDays(today, 7), note: '' }),
    ).rejects.toThrow(/already assigned/);
    await expect(
      teams.assignCourse(ctx(leader), { teamId, courseSlug: other.slug, dueOn: addDays(today, -1), note: '' }),
    ).rejects.toThrow(/today or a later/);
    // In progress from the first completed lesson; a lesson only opened is not progress.
    for (const member of [started, late])
      await progress.completeLesson(
        database.db,
        { userId: member.id, courseSlug: course.slug, lessonSlug: course.lessons[0]!.slug },
        course.version,
      );
    await progress.markStarted(database.db, {
      userId: fresh.id,
      courseSlug: course.slug,
      lessonSlug: course.lessons[0]!.slug,
    });

    const stateOf = async (userId: string, now?: Date) =>
      (await teams.dashboard(ctx(leader, now), teamId)).members.find((m) => m.userId === userId)!.cells[assignmentId]!;
    expect((await stateOf(fresh.id)).state).toBe('not-started');
    expect((await stateOf(started.id)).state).toBe('in-progress');
    const earlyCell = await stateOf(early.id);
    expect(earlyCell.state).toBe('completed');
    expect(earlyCell.completedAt).toBeInstanceOf(Date);

    await teams.setMemberDueDate(ctx(leader), { teamId, assignmentId, userId: onLeave.id, dueOn: addDays(today, 30) });
    const later = new Date(Date.now() + 10 * 86_400_000);
    const after = await teams.dashboard(ctx(leader, later), teamId);
    const cell = (id: string) => after.members.find((m) => m.userId === id)!.cells[assignmentId]!;
    expect(cell(late.id).state).toBe('overdue');
    expect(cell(fresh.id).state).toBe('overdue');
    expect(cell(early.id).state).toBe('completed');
    expect(cell(onLeave.id)).toMatchObject({ state: 'not-started', extended: true, dueOn: addDays(today, 30) });
    // Overdue: fresh, started and late. The leader is not counted: she has not chosen to take the course.
    expect(after.assignments[0]!.counts).toMatchObject({
      completed: 1,
      overdue: 3,
      'not-started': 1,
      'in-progress': 0,
      total: 5,
    });
    expect(after.members.map((m) => m.userId)).not.toContain(leader.id);
    expect(await teams.myAssignments(ctx(leader))).toEqual([]);
    // Once she takes the courses with her team, she counts, and sees the assignment on Today.
    await teams.learnWithTeam(ctx(leader), { teamId, learns: true });
    const withLeader = await teams.dashboard(ctx(leader, later), teamId);
    expect(withLeader.assignments[0]!.counts).toMatchObject({ overdue: 4, total: 6 });
    expect(await teams.myAssignments(ctx(leader))).toHaveLength(1);
    // The choice is a leader's: a member always takes the courses.
    await expect(teams.learnWithTeam(ctx(fresh), { teamId, learns: false })).rejects.toBeInstanceOf(ForbiddenError);

    // The member sees it on Today, with their own state.
    const mine = await teams.myAssignments(ctx(started));
    expect(mine).toMatchObject([{ teamId, assignmentId, state: 'in-progress', note: 'Before the January huddle' }]);

    await teams.changeDueDate(ctx(leader), { teamId, assignmentId, dueOn: addDays(today, 60) });
    const moved = await teams.dashboard(ctx(leader, later), teamId);
    expect(moved.members.find((m) => m.userId === late.id)!.cells[assignmentId]!.state).toBe('in-progress');
  });

  it('removes an assignment: gone from the dashboard and Today, progress kept; only a leader may', async () => {
    const { leader, teamId, members } = await teamWithMembers(2);
    const [member, bystander] = members as [PublicUser, PublicUser];
    const today = teams.teamToday();
    const { assignmentId } = await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(today, 7),
      note: '',
    });
    const kept = await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: other.slug,
      dueOn: addDays(today, 9),
      note: '',
    });
    await completeCourse(member.id, course.slug, course.lessons.slice(0, 2));
    const admin = await person('Ada Admin');
    await setAdmin(database.db, admin.email);

    // A member, an administrator (who sees every dashboard) and a stranger cannot remove it.
    await expect(teams.removeAssignment(ctx(bystander), { teamId, assignmentId })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      teams.removeAssignment(ctx((await findUserById(database.db, admin.id))!), { teamId, assignmentId }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      teams.removeAssignment(ctx(await person('Stranger')), { teamId, assignmentId }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await teams.myAssignments(ctx(member))).map((a) => a.assignmentId)).toContain(assignmentId);

    await teams.removeAssignment(ctx(leader), { teamId, assignmentId });
    const view = await teams.dashboard(ctx(leader), teamId);
    expect(view.assignments.map((a) => a.id)).toEqual([kept.assignmentId]);
    expect(view.members.every((m) => !(assignmentId in m.cells))).toBe(true);
    for (const someone of [member, bystander])
      expect((await teams.myAssignments(ctx(someone))).map((a) => a.assignmentId)).toEqual([kept.assignmentId]);
    // The member's lessons stay done.
    const done = (await progress.progressOfUser(database.db, member.id)).filter(
      (p) => p.course_slug === course.slug && p.completed_at,
    );
    expect(done.map((p) => p.lesson_slug).sort()).toEqual(
      course.lessons
        .slice(0, 2)
        .map((l) => l.slug)
        .sort(),
    );
    await expect(teams.removeAssignment(ctx(leader), { teamId, assignmentId })).rejects.toThrow(/already removed/);
    // Assigned again, it picks the progress up where it was.
    const again = await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(today, 7),
      note: '',
    });
    expect((await teams.myAssignments(ctx(member))).find((a) => a.assignmentId === again.assignmentId)).toMatchObject({
      state: 'in-progress',
      lessonsDone: 2,
    });
  });

  it('shows a person in two teams every team’s assignments on Today, each with its team', async () => {
    const first = await teamWithMembers(1);
    const member = first.members[0]!;
    const second = await teamWithMembers(0);
    await teams.updateTeam(ctx(second.leader), { teamId: second.teamId, name: 'Ward 5', description: '' });
    await teams.joinTeam(ctx(member), { code: second.code });
    const today = teams.teamToday();
    const a = await teams.assignCourse(ctx(first.leader), {
      teamId: first.teamId,
      courseSlug: course.slug,
      dueOn: addDays(today, 5),
      note: 'From Ward 4',
    });
    const b = await teams.assignCourse(ctx(second.leader), {
      teamId: second.teamId,
      courseSlug: other.slug,
      dueOn: addDays(today, 3),
      note: 'From Ward 5',
    });
    // The same course assigned by both teams shows twice: each team follows its own due date.
    const c = await teams.assignCourse(ctx(second.leader), {
      teamId: second.teamId,
      courseSlug: course.slug,
      dueOn: addDays(today, 10),
      note: '',
    });
    const mine = await teams.myAssignments(ctx(member));
    expect(mine.map((m) => [m.teamName, m.assignmentId, m.dueOn])).toEqual([
      ['Ward 5', b.assignmentId, addDays(today, 3)],
      ['Ward 4', a.assignmentId, addDays(today, 5)],
      ['Ward 5', c.assignmentId, addDays(today, 10)],
    ]);
  });

  it('counts only lessons the course has now', async () => {
    const { leader, teamId, members } = await teamWithMembers(1);
    const { assignmentId } = await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(teams.teamToday(), 3),
      note: '',
    });
    await completeCourse(members[0]!.id, course.slug, course.lessons.slice(0, -1));
    await progress.completeLesson(
      database.db,
      { userId: members[0]!.id, courseSlug: course.slug, lessonSlug: 'a-removed-lesson' },
      '0.9.0',
    );
    const cell = (await teams.dashboard(ctx(leader), teamId)).members.find((m) => m.userId === members[0]!.id)!.cells[
      assignmentId
    ]!;
    expect(cell).toMatchObject({
      state: 'in-progress',
      lessonsDone: course.lessons.length - 1,
      lessonsTotal: course.lessons.length,
    });
  });

  it('exports CSV with a BOM, ISO dates and neutralised formulas', async () => {
    const leader = await person('=HYPERLINK("http://evil")');
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'Équipe +1', description: '' });
    await teams.learnWithTeam(ctx(leader), { teamId, learns: true }); // so she is a row of her team's export
    await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(teams.teamToday(), 3),
      note: '',
    });
    await completeCourse(leader.id);
    const { body, filename } = await trainingRecordCsv(ctx(leader), teamId);
    expect(filename).toMatch(/^rounds-quipe-1-training-record-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(body.startsWith('\uFEFF')).toBe(true);
    const rows = parse(body.slice(1), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.team).toBe("'Équipe +1".slice(1)); // starts with É, not a formula
    expect(rows[0]!.member).toBe(`'=HYPERLINK("http://evil")`);
    expect(rows[0]!.state).toBe('completed');
    expect(rows[0]!.completed_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('due dates in the time zone of the person looking', () => {
  it('a course due on 7 December is due today for a Chicago nurse at 21:00 her time, already overdue in UTC', async () => {
    const { leader, teamId, members } = await teamWithMembers(1);
    const nurse = members[0]!;
    const dueOn = '2026-12-07';
    const beforeDue = new Date('2026-12-01T12:00:00Z');
    const { assignmentId } = await teams.assignCourse(ctx(leader, beforeDue), {
      teamId,
      courseSlug: course.slug,
      dueOn,
      note: '',
    });
    const eveningInChicago = new Date('2026-12-08T03:00:00Z'); // 7 Dec, 21:00 in Chicago
    const stateFor = async (user: PublicUser) =>
      (await teams.myAssignments(ctx(user, eveningInChicago))).find((a) => a.assignmentId === assignmentId)!.state;
    expect(await stateFor({ ...nurse, timeZone: 'America/Chicago' })).toBe('not-started');
    expect(await stateFor({ ...nurse, timeZone: 'UTC' })).toBe('overdue');
    // A leader in Chicago may still set a due date of "today", her today.
    await expect(
      teams.setMemberDueDate(ctx({ ...leader, timeZone: 'America/Chicago' }, eveningInChicago), {
        teamId,
        assignmentId,
        userId: nurse.id,
        dueOn,
      }),
    ).resolves.not.toThrow();
  });
});

describe('the dashboard at scale', () => {
  it('uses the same few queries for 1 member as for 60', async () => {
    // Queries the dashboard sends for a team of this size with three assignments.
    async function queriesFor(size: number) {
      const { leader, teamId } = await teamWithMembers(size);
      for (const slug of ['team-huddles', 'patient-connection', 'servant-leadership']) {
        await teams.assignCourse(ctx(leader), {
          teamId,
          courseSlug: slug,
          dueOn: addDays(teams.teamToday(), 3),
          note: '',
        });
      }
      const seen: string[] = [];
      const counting = database.db.withPlugin({
        transformQuery: (args) => {
          seen.push(args.node.kind);
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const view = await teams.dashboard({ db: counting, catalog, user: leader }, teamId);
      expect(view.members).toHaveLength(size); // the leader leads: she is not a row
      expect(Object.keys(view.members[0]!.cells)).toHaveLength(3);
      return seen.length;
    }
    const forOne = await queriesFor(1);
    expect(await queriesFor(60)).toBe(forOne);
    // Team, access, members, assignments, paths, states, the review counts.
    expect(forOne).toBeLessThanOrEqual(7);
  });

  it('shows leaders states only: no reflection text, no check answers', async () => {
    const { leader, teamId, members } = await teamWithMembers(1);
    await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(teams.teamToday(), 3),
      note: '',
    });
    const lesson = course.lessons[0]!;
    await saveReflection(database.db, members[0]!.id, {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      body: 'PRIVATE-MARKER-7731',
      revision: 1,
    });
    await progress.recordCheckAttempts(
      database.db,
      { userId: members[0]!.id, courseSlug: course.slug, lessonSlug: lesson.slug },
      [{ question: 0, chosenOption: 3, correct: false }],
    );
    const view = await teams.dashboard(ctx(leader), teamId);
    const csv = await trainingRecordCsv(ctx(leader), teamId);
    expect(JSON.stringify(view)).not.toContain('PRIVATE-MARKER-7731');
    expect(csv.body).not.toContain('PRIVATE-MARKER-7731');
    expect(JSON.stringify(view)).not.toMatch(/chosen_option|answered_at/);
  });
});
