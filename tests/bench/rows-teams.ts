// Bench row 5: the team dashboard (/teams/<id>) of a 500-member team, as its leader.
// Seeds through the teams service (created when the teams feature exists): users 1–500,
// learner 1 leads; every course of the catalogue is assigned: ten, since the bench's app
// carries copies of the four real courses (bench-app.ts; a team holds one assignment per course).
import { sql } from 'kysely';
import type { BenchModule } from './plugin.ts';

const TEAM_NAME = 'Bench ward (500)';

export default {
  labels: ['5. team dashboard (500 members × 10 assignments, 1 conn)'],
  requiresFiles: ['src/server/teams/teams.ts', 'src/pages/teams/[id]/index.astro'],
  requiresTables: ['team_members', 'team_assignments'],
  async seed({ db, catalog, users, learners }) {
    const existing = await db.selectFrom('teams').select('id').where('name', '=', TEAM_NAME).executeTakeFirst();
    if (existing) return { teamId: existing.id as string };
    const teams = await import('#server/teams/teams.ts');
    const { findUserById } = await import('#server/accounts/users-repo.ts');
    const leader = (await findUserById(db, learners[0]!.id))!;
    const ctx = { db, catalog, user: leader };
    const { teamId } = await teams.createTeam(ctx, { name: TEAM_NAME, description: 'Seeded by npm run bench' });
    const members = users.slice(1, 500).map((user) => ({ team_id: teamId, user_id: user.id, role: 'member' }));
    await db.insertInto('team_members').values(members).execute();
    const today = teams.teamToday();
    for (const [index, course] of catalog.courses.entries()) {
      const due = new Date(`${today}T00:00:00Z`);
      due.setUTCDate(due.getUTCDate() + 7 * (index + 1));
      await teams.assignCourse(ctx, {
        teamId,
        courseSlug: course.slug,
        dueOn: due.toISOString().slice(0, 10),
        note: '',
      });
    }
    await sql`analyze`.execute(db);
    return { teamId };
  },
  scenarios: ({ cookie, learners, seeded }) => [
    {
      // One leader opening the dashboard: the target is a latency (p95), not throughput.
      label: '5. team dashboard (500 members × 10 assignments, 1 conn)',
      connections: 1,
      next: () => ({
        path: `/teams/${(seeded as { teamId: string }).teamId}`,
        headers: { cookie: cookie(learners[0]!) },
      }),
      target: { p95Ms: 150 },
    },
  ],
} satisfies BenchModule;
