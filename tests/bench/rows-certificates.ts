// Bench rows 6a/6b: a certificate's PDF and its public verification page over HTTP.
// Seeds through the certificates service: the first 1,000 users complete every lesson
// of the first course and are issued its certificate (idempotent).
import { sql } from 'kysely';
import type { BenchModule } from './plugin.ts';
import { contextOf } from '../support/context.ts';

const HOLDERS = 1000;

export default {
  labels: ['6a. certificate PDF', '6b. verification page'],
  requiresFiles: [
    'src/server/certificates/certificates.ts',
    'src/pages/certificates/[id].pdf.ts',
    'src/pages/certificates/[id].astro',
  ],
  requiresTables: ['certificates'],
  async seed({ db, catalog, users }) {
    const { issueEarnedCertificates } = await import('#server/certificates/certificates.ts');
    const course = catalog.courses[0]!;
    const holders = users.slice(0, HOLDERS);
    const ids: string[] = [];
    for (const learner of holders) {
      await db
        .insertInto('lesson_progress')
        .values(
          course.lessons.map((lesson) => ({
            user_id: learner.id,
            course_slug: course.slug,
            lesson_slug: lesson.slug,
            completed_at: sql`now()`,
            course_version: course.version,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'course_slug', 'lesson_slug'])
            .doUpdateSet({ completed_at: sql`coalesce(lesson_progress.completed_at, now())` }),
        )
        .execute();
      const outcome = (await issueEarnedCertificates(await contextOf(db, catalog, learner.id))).find(
        (o) => o.course.slug === course.slug,
      );
      if (!outcome || !('certificate' in outcome))
        throw new Error(
          `no certificate for ${learner.email}: ${outcome && 'held' in outcome ? outcome.held : 'course not complete'}`,
        );
      ids.push(outcome.certificate.id);
    }
    await sql`analyze`.execute(db);
    return { ids };
  },
  scenarios: ({ seeded }) => {
    const { ids } = seeded as { ids: string[] };
    let next = 0;
    const rotate = () => ids[next++ % ids.length]!;
    return [
      {
        // One person downloading their PDF: rendered on request (fonts cached), so a latency target.
        label: '6a. certificate PDF',
        connections: 1,
        next: () => ({ path: `/certificates/${rotate()}.pdf` }),
        target: { p95Ms: 100 },
      },
      {
        // Verifiers scanning QR codes: the public page, at the run's concurrency.
        label: '6b. verification page',
        next: () => ({ path: `/certificates/${rotate()}`, headers: { accept: 'text/html' } }),
      },
    ];
  },
} satisfies BenchModule;
