// Bench row 7: the organisation report (/organisations/<id>/report) of an organisation of
// 10,000 learners in 300 teams (issue 18 §1), as one of its administrators (learner 1).
// Seeded in bulk: 10,000 accounts of their own (they never sign in), 300 teams of 33 or 34,
// each with two assigned courses; a quarter of the learners finished the first course's
// first lesson, and one in ten holds a certificate expiring within the report's 60 days.
import { sql } from 'kysely';
import type { BenchModule } from './plugin.ts';

const ORGANISATION_NAME = 'Bench Health (10,000 learners)';
const LEARNERS = 10_000;
const TEAMS = 300;
const DOMAIN = 'bench-health.example';

export default {
  labels: ['7. organisation report (10,000 learners, 300 teams, 1 conn)'],
  requiresFiles: ['src/server/organisations/organisations.ts', 'src/pages/organisations/[id]/report.astro'],
  requiresTables: ['organisations', 'organisation_teams', 'team_members', 'team_assignments', 'certificates'],
  async seed({ db, catalog, learners }) {
    const existing = await db
      .selectFrom('organisations')
      .select('id')
      .where('name', '=', ORGANISATION_NAME)
      .executeTakeFirst();
    if (existing) return { organisationId: existing.id as string };
    const started = Date.now();
    const [first, second] = catalog.courses;
    const organisation = await db
      .insertInto('organisations')
      .values({ name: ORGANISATION_NAME })
      .returning('id')
      .executeTakeFirstOrThrow();
    const organisationId = organisation.id as string;
    await db
      .insertInto('organisation_admins')
      .values({ organisation_id: organisationId, user_id: learners[0]!.id })
      .execute();

    const userIds: string[] = [];
    for (let start = 0; start < LEARNERS; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, LEARNERS - start) }, (_, i) => ({
        email: `org-learner-${String(start + i).padStart(5, '0')}@${DOMAIN}`,
        name: `Org Learner ${start + i}`,
        password_hash: '!',
        email_verified_at: new Date(),
      }));
      const inserted = await db.insertInto('users').values(rows).returning('id').execute();
      userIds.push(...inserted.map((row) => row.id as string));
    }
    const today = new Date().toISOString().slice(0, 10);
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    for (let t = 0; t < TEAMS; t++) {
      const team = await db
        .insertInto('teams')
        .values({ name: `Bench unit ${t + 1}`, created_by: learners[0]!.id })
        .returning('id')
        .executeTakeFirstOrThrow();
      const teamId = team.id as string;
      const members = userIds.filter((_, i) => i % TEAMS === t);
      await db
        .insertInto('team_members')
        .values(members.map((userId) => ({ team_id: teamId, user_id: userId, role: 'member' })))
        .execute();
      await db
        .insertInto('team_assignments')
        .values([
          { team_id: teamId, course_slug: first!.slug, due_on: today, created_by: learners[0]!.id },
          { team_id: teamId, course_slug: second!.slug, due_on: due, created_by: learners[0]!.id },
        ])
        .execute();
      await db.insertInto('organisation_teams').values({ team_id: teamId, organisation_id: organisationId }).execute();
    }
    const lesson = first!.lessons[0]!;
    for (let start = 0; start < LEARNERS; start += 4000) {
      const rows = userIds
        .slice(start, start + 4000)
        .filter((_, i) => i % 4 === 0)
        .map((userId) => ({
          user_id: userId,
          course_slug: first!.slug,
          lesson_slug: lesson.slug,
          started_at: new Date(),
          completed_at: new Date(),
          course_version: first!.version,
        }));
      if (rows.length) await db.insertInto('lesson_progress').values(rows).execute();
    }
    // Certificates are issued and signed by the certificates domain: one in ten learners gets one.
    const { issueCourseCertificate } = await import('#server/certificates/certificates.ts');
    const { findUserById } = await import('#server/accounts/users-repo.ts');
    for (let i = 0; i < LEARNERS; i += 100) {
      const user = (await findUserById(db, userIds[i]!))!;
      const outcome = await issueCourseCertificate({ db, catalog, user }, first!, new Date());
      if ('certificate' in outcome)
        await db
          .updateTable('certificates')
          .set({ expires_at: new Date(Date.now() + ((i / 100) % 90) * 86_400_000 + 3_600_000) })
          .where('id', '=', outcome.certificate.id)
          .execute();
    }
    await sql`analyze`.execute(db);
    console.log(
      `· seeded the organisation report's 10,000 learners in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return { organisationId };
  },
  scenarios: ({ cookie, learners, seeded }) => [
    {
      // One administrator opening the report: the target is a latency (p95), not throughput.
      label: '7. organisation report (10,000 learners, 300 teams, 1 conn)',
      connections: 1,
      next: () => ({
        path: `/organisations/${(seeded as { organisationId: string }).organisationId}/report`,
        headers: { cookie: cookie(learners[0]!) },
      }),
      target: { p95Ms: 300 },
    },
  ],
} satisfies BenchModule;
