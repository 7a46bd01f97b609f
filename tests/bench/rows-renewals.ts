// Bench rows 5b and 5c (issue 17, decision 0041): the team dashboard with recurring training.
// 5b: a team of 500 on a three-course path that repeats every 12 months, at every stage
// (not started, done, due for renewal, expired, renewing). 5c: one team's dashboard in an
// organisation of 10,000 learners (20 teams of 500) with an annual course everyone has
// completed at some time in the last 400 days, a third of them renewed at least once.
// Learner 1 leads every one of these teams. The 10,000 are extra users of this module.
import { sql } from 'kysely';
import type { BenchModule } from './plugin.ts';

const PATH_TEAM = 'Bench renewal path (500)';
const ORG_NAME = 'Bench renewal organisation (10,000)';
const ORG_TEAMS = 20;
const TEAM_SIZE = 500;
const DAY = 86_400_000;

export default {
  labels: [
    '5b. team dashboard (500 members, 3-course path every 12 months, 1 conn)',
    '5c. team dashboard (organisation of 10,000 with annual renewals, 1 conn)',
  ],
  requiresFiles: ['src/server/teams/renewals.ts', 'src/lib/renewal-rules.ts'],
  requiresTables: ['course_terms', 'team_paths'],
  async seed({ db, catalog, learners }) {
    const existing = await db
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('name', 'in', [PATH_TEAM, `${ORG_NAME} 1`])
      .execute();
    if (existing.length === 2)
      return {
        pathTeamId: existing.find((t) => t.name === PATH_TEAM)!.id as string,
        orgTeamId: existing.find((t) => t.name !== PATH_TEAM)!.id as string,
      };
    const teams = await import('#server/teams/teams.ts');
    const paths = await import('#server/teams/paths.ts');
    const { findUserById } = await import('#server/accounts/users-repo.ts');
    const leader = (await findUserById(db, learners[0]!.id))!;
    const ctx = { db, catalog, user: leader };
    const now = Date.now();

    // 10,000 learners of their own.
    const ids: string[] = [];
    for (let start = 0; start < ORG_TEAMS * TEAM_SIZE; start += 1000) {
      const rows = Array.from({ length: 1000 }, (_, j) => ({
        email: `renewal-${start + j}@bench.example.org`,
        name: `Renewal learner ${start + j}`,
        password_hash: 'x',
        email_verified_at: new Date(),
      }));
      ids.push(...(await db.insertInto('users').values(rows).returning('id').execute()).map((r) => r.id as string));
    }
    const progress: Record<string, unknown>[] = [];
    const terms: Record<string, unknown>[] = [];
    const complete = (userId: string, slug: string, daysAgo: number) => {
      for (const lesson of catalog.course(slug)!.lessons)
        progress.push({
          user_id: userId,
          course_slug: slug,
          lesson_slug: lesson.slug,
          started_at: new Date(now - daysAgo * DAY - 3600_000),
          completed_at: new Date(now - daysAgo * DAY),
          course_version: '1',
        });
    };
    const renewed = (userId: string, slug: string, daysAgo: number) =>
      terms.push({
        user_id: userId,
        course_slug: slug,
        term: 2,
        opened_at: new Date(now - daysAgo * DAY),
        due_on: new Date(now - (daysAgo - 10) * DAY).toISOString().slice(0, 10),
        previous_completed_at: new Date(now - (daysAgo + 355) * DAY),
        previous_lessons: '[]',
      });

    // 5b: the path team.
    const { teamId: pathTeamId } = await teams.createTeam(ctx, { name: PATH_TEAM, description: 'npm run bench' });
    await db
      .insertInto('team_members')
      .values(ids.slice(0, TEAM_SIZE).map((id) => ({ team_id: pathTeamId, user_id: id, role: 'member' })))
      .execute();
    const pathCourses = catalog.courses.slice(0, 3).map((c) => c.slug);
    await paths.createPath(ctx, {
      teamId: pathTeamId,
      name: 'Yearly essentials',
      startsOn: null,
      inOrder: false,
      repeatMonths: 12,
      steps: pathCourses.map((courseSlug, i) => ({ courseSlug, offsetDays: 7 * (i + 1) })),
    });
    ids.slice(0, TEAM_SIZE).forEach((id, n) =>
      pathCourses.forEach((slug, k) => {
        if ((n + k) % 4 !== 0) complete(id, slug, (n * 7 + k * 13) % 420);
        if ((n + k) % 10 === 1) renewed(id, slug, 400);
      }),
    );

    // 5c: the organisation, 20 teams of 500 with one annual course each.
    const orgCourse = catalog.courses[3]!.slug;
    const organisation = await db
      .insertInto('organisations')
      .values({ name: ORG_NAME, created_by: leader.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    let orgTeamId = '';
    for (let t = 0; t < ORG_TEAMS; t++) {
      const { teamId } = await teams.createTeam(ctx, { name: `${ORG_NAME} ${t + 1}`, description: 'npm run bench' });
      if (t === 0) orgTeamId = teamId;
      const members = ids.slice(t * TEAM_SIZE, (t + 1) * TEAM_SIZE);
      await db
        .insertInto('team_members')
        .values(members.map((id) => ({ team_id: teamId, user_id: id, role: 'member' })))
        .execute();
      await db.insertInto('organisation_teams').values({ team_id: teamId, organisation_id: organisation.id }).execute();
      await teams.assignCourse(ctx, {
        teamId,
        courseSlug: orgCourse,
        dueOn: new Date(now + 30 * DAY).toISOString().slice(0, 10),
        note: '',
        repeatMonths: 12,
      });
    }
    ids.forEach((id, n) => {
      complete(id, orgCourse, (n * 37) % 400);
      if (n % 3 === 0) renewed(id, orgCourse, ((n * 37) % 400) + 5);
    });
    for (let start = 0; start < progress.length; start += 2000)
      await db
        .insertInto('lesson_progress')
        .values(progress.slice(start, start + 2000))
        .execute();
    for (let start = 0; start < terms.length; start += 2000)
      await db
        .insertInto('course_terms')
        .values(terms.slice(start, start + 2000))
        .execute();
    await sql`analyze`.execute(db);
    return { pathTeamId, orgTeamId };
  },
  scenarios: ({ cookie, learners, seeded }) => {
    const { pathTeamId, orgTeamId } = seeded as { pathTeamId: string; orgTeamId: string };
    const leader = { cookie: cookie(learners[0]!) };
    return [
      {
        label: '5b. team dashboard (500 members, 3-course path every 12 months, 1 conn)',
        connections: 1,
        next: () => ({ path: `/teams/${pathTeamId}`, headers: leader }),
        target: { p95Ms: 150 },
      },
      {
        label: '5c. team dashboard (organisation of 10,000 with annual renewals, 1 conn)',
        connections: 1,
        next: () => ({ path: `/teams/${orgTeamId}`, headers: leader }),
        target: { p95Ms: 150 },
      },
    ];
  },
} satisfies BenchModule;
