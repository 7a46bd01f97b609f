// Issue 23 §3: the hot requests' statements must find a learner's rows through an index,
// never by reading a whole per-learner table (those grow with the organisation, and a
// request's cost must grow with the learner's own size). Each statement that the session
// check, Today, the lesson's state, an answer, a completion and a reflection run is
// captured as it runs, then explained in a transaction that is rolled back, with
// sequential scans disabled: the planner then picks one only where no index can serve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type CompiledQuery, type Kysely, type RootOperationNode } from 'kysely';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import { createSession } from '#server/accounts/sessions.ts';
import { validateSessionToken } from '#server/accounts/index.ts';
import * as learning from '#server/learning/index.ts';
import { assignCourse, createTeam, myAssignments } from '#server/teams/index.ts';
import { myEvents } from '#server/events/index.ts';
import { myCertificates } from '#server/certificates/index.ts';
import { reviewSummary } from '#server/review/index.ts';
import type { Database } from '#db/schema.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

/** Tables with a row per learner (or more): read only through an index. */
const LARGE_TABLES = new Set([
  'users',
  'sessions',
  'lesson_progress',
  'check_attempts',
  'reflections',
  'review_cards',
  'review_log',
  'certificates',
  'team_members',
  'event_enrollments',
]);

let database: RoundsDatabase;
const catalog = testCatalog();
const course = catalog.courses[0]!;
const lesson = course.lessons[0]!;

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
function sequentialScans(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(sequentialScans)];
}

describe('query plans of the hot requests', () => {
  it('read no per-learner table sequentially', async () => {
    const db = database.db;
    const compiled: CompiledQuery[] = [];
    const capturing: Kysely<Database> = db.withPlugin({
      transformQuery: (args) => {
        compiled.push(db.getExecutor().compileQuery(args.node as RootOperationNode, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    });

    const created = (await createUser(db, { email: uniqueEmail(), name: 'Plan Learner', passwordHash: 'x' }))!;
    await markEmailVerified(db, created.id, created.email);
    const user = (await findUserById(db, created.id))!;
    // A team with an assignment, so Today's team statements run too.
    const { teamId } = await createTeam({ db, catalog, user }, { name: 'Ward 4', description: '' });
    const dueOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await assignCourse({ db, catalog, user }, { teamId, courseSlug: course.slug, dueOn, note: '' });
    const { token } = await createSession(db, user.id, 'query-plans test');
    const ctx = { db: capturing, catalog, user };
    const key = { courseSlug: course.slug, lessonSlug: lesson.slug };
    const answers = Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));

    expect(await validateSessionToken(capturing, token)).not.toBeNull();
    await learning.markLessonOpened(ctx, key);
    await learning.answerQuestion(ctx, { ...key, question: 0, option: answers[0]! });
    await learning.lessonState(ctx, key);
    await learning.completeLesson(ctx, { ...key, answers });
    await learning.saveReflection(ctx, { ...key, body: 'What I will try on my next shift.', revision: 1 });
    await Promise.all([
      learning.today(ctx),
      myAssignments(ctx),
      myEvents(ctx),
      myCertificates(ctx),
      reviewSummary(ctx),
    ]);
    expect(compiled.length).toBeGreaterThan(10);

    const scans: { statement: string; tables: string[] }[] = [];
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        for (const query of compiled) {
          const result = await trx.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>({
            ...query,
            sql: `explain (analyze, buffers, format json) ${query.sql}`,
          });
          const raw = result.rows[0]!['QUERY PLAN'];
          const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
          const tables = sequentialScans(plan[0].Plan).filter((table) => LARGE_TABLES.has(table));
          if (tables.length) scans.push({ statement: query.sql.slice(0, 160), tables });
        }
        // Explaining with ANALYZE runs the statements: leave nothing behind.
        throw new RolledBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    expect(scans).toEqual([]);
  });
});

class RolledBack extends Error {}
