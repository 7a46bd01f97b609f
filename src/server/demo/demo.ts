import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog } from '#lib/catalog.ts';
import { addDays } from '#lib/team-rules.ts';
import { hashPassword } from '#server/accounts/index.ts';
import { randomToken } from '#server/kernel/tokens.ts';
import * as users from '#server/accounts/index.ts';
import * as progress from '#server/progress/index.ts';
import { saveReflection } from '#server/learning/index.ts';
import { recordAudit } from '#server/audit/index.ts';
import * as teamsRepo from '#server/teams/index.ts';
import { teamToday } from '#server/teams/index.ts';
import { issueEarnedCertificates } from '#server/certificates/index.ts';

// `npm run rounds -- seed-demo`: a demo team at every stage, for a newcomer or a demo.

export const DEMO_DOMAIN = 'demo.rounds.test';

export class DemoRefusedError extends Error {}

const PEOPLE: {
  name: string;
  local: string;
  huddles: 'none' | 'some' | 'all' | 'early';
  connection: 'none' | 'some' | 'all';
}[] = [
  { name: 'Ana Okafor', local: 'ana', huddles: 'all', connection: 'all' },
  { name: 'Ben Čapek', local: 'ben', huddles: 'all', connection: 'some' },
  { name: 'Chloé Martin', local: 'chloe', huddles: 'early', connection: 'none' },
  { name: 'Dev Patel', local: 'dev', huddles: 'some', connection: 'some' },
  { name: 'Erin Walsh', local: 'erin', huddles: 'some', connection: 'none' },
  { name: 'Farid Haddad', local: 'farid', huddles: 'none', connection: 'some' },
  { name: 'Grace Liu', local: 'grace', huddles: 'none', connection: 'none' },
  { name: 'Hiro Tanaka', local: 'hiro', huddles: 'none', connection: 'all' },
];

export interface DemoSignIns {
  password: string;
  leader: string;
  members: string[];
  teamId: string;
}

/**
 * Fills a database that has no real users with a leader, eight members and a team
 * whose two assignments show every state: one due in two weeks (not started, in
 * progress, completed — one before it was assigned) and one due three days ago
 * (overdue), with private reflections and the certificates of finished courses.
 * Refuses when anyone outside the demo domain has an account.
 */
export async function seedDemo(db: Kysely<Database>, catalog: Catalog, now = new Date()): Promise<DemoSignIns> {
  const huddles = catalog.course('team-huddles') ?? catalog.courses[0]!;
  const connection = catalog.course('patient-connection') ?? catalog.courses[1] ?? huddles;
  // Deleted accounts do not count, as before they left a row behind.
  const real = await db
    .selectFrom('users')
    .select('email')
    .where('email', 'not like', `%@${DEMO_DOMAIN}`)
    .where('deleted_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  if (real)
    throw new DemoRefusedError(
      'This database already has real accounts: seed-demo only fills a fresh database. Use an empty DATA_DIR or a new DATABASE_URL.',
    );
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('email', 'like', `%@${DEMO_DOMAIN}`)
    .limit(1)
    .executeTakeFirst();
  if (existing)
    throw new DemoRefusedError('The demo is already in this database. Start from an empty database to seed it again.');

  const password = `demo-${randomToken(8)}`;
  const passwordHash = await hashPassword(password);
  const today = teamToday(now);
  const demo = await db.transaction().execute(async (tx) => {
    const make = async (name: string, local: string) => {
      const user = await users.createUser(tx, { email: `${local}@${DEMO_DOMAIN}`, name, passwordHash });
      await users.markEmailVerified(tx, user!.id, user!.email);
      return user!;
    };
    const leader = await make('Dana Reyes', 'leader');
    const team = await teamsRepo.insertTeam(tx, {
      name: '4 West — Medical/Surgical',
      description:
        'Day and night shift nurses, aides and the unit clerk. We talk about one lesson at the Tuesday huddle.',
      createdBy: leader.id,
    });
    await teamsRepo.addMember(tx, team.id, leader.id, 'leader');
    await teamsRepo.insertInvite(tx, {
      teamId: team.id,
      code: 'TEAM4WST',
      createdBy: leader.id,
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      maxUses: null,
    });

    const complete = async (userId: string, course: typeof huddles, count: number, daysAgo: number) => {
      for (const lesson of course.lessons.slice(0, count)) {
        await progress.completeLesson(tx, { userId, courseSlug: course.slug, lessonSlug: lesson.slug }, course.version);
      }
      const at = new Date(now.getTime() - daysAgo * 86_400_000);
      // Each lesson took its stated minutes, as a real learner's would (the certificate counts them).
      for (const lesson of course.lessons.slice(0, count))
        await tx
          .updateTable('lesson_progress')
          .set({
            completed_at: at,
            started_at: new Date(at.getTime() - lesson.minutes * 60_000),
            seconds_spent: lesson.minutes * 60,
          })
          .where('user_id', '=', userId)
          .where('course_slug', '=', course.slug)
          .where('lesson_slug', '=', lesson.slug)
          .execute();
    };
    const members: string[] = [];
    const memberIds: string[] = [];
    for (const [index, person] of PEOPLE.entries()) {
      const user = await make(person.name, person.local);
      members.push(user.email);
      memberIds.push(user.id);
      await teamsRepo.addMember(tx, team.id, user.id, index === 1 ? 'leader' : 'member');
      // Ben co-leads and takes the courses with the team; Dana only leads.
      if (index === 1) await teamsRepo.setLearnsWithTeam(tx, team.id, user.id, true);
      const huddleCount = { none: 0, some: 2, all: huddles.lessons.length, early: huddles.lessons.length }[
        person.huddles
      ];
      await complete(user.id, huddles, huddleCount, person.huddles === 'early' ? 40 : 2 + index);
      if (person.huddles === 'some')
        await progress.markStarted(tx, {
          userId: user.id,
          courseSlug: huddles.slug,
          lessonSlug: huddles.lessons[2]!.slug,
        });
      const connectionCount = { none: 0, some: 1, all: connection.lessons.length }[person.connection];
      await complete(user.id, connection, connectionCount, 5 + index);
      if (huddleCount > 0) {
        await saveReflection(
          { db: tx, catalog, user, now },
          {
            courseSlug: huddles.slug,
            lessonSlug: huddles.lessons[0]!.slug,
            body: `(${person.name.split(' ')[0]}'s private reflection: the leader never sees this.)`,
            revision: 1,
          },
        );
      }
    }
    await teamsRepo.insertAssignment(tx, {
      teamId: team.id,
      courseSlug: huddles.slug,
      dueOn: addDays(today, 14),
      note: 'We will run the ten-minute huddle from lesson 2 for real on Tuesday.',
      createdBy: leader.id,
    });
    await teamsRepo.insertAssignment(tx, {
      teamId: team.id,
      courseSlug: connection.slug,
      dueOn: addDays(today, -3),
      note: '',
      createdBy: leader.id,
    });
    await recordAudit(tx, {
      actorId: null,
      action: 'demo.seed',
      target: `team:${team.id}`,
      details: { accounts: members.length + 1 },
    });
    return { password, leader: leader.email, members, teamId: team.id, memberIds };
  });
  // Certificates for the finished courses, issued as a real completion issues them (and signed).
  for (const id of demo.memberIds) {
    const user = (await users.findUserById(db, id))!;
    await issueEarnedCertificates({ db, catalog, user, now });
  }
  return { password: demo.password, leader: demo.leader, members: demo.members, teamId: demo.teamId };
}
