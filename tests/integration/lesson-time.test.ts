// Time in lessons (issue 15, finding 10): completing lessons records the time spent in
// each by the database's clock, and a certificate stating contact hours waits, with a
// message naming the lessons, until each has at least LESSON_TIME_FLOOR of its stated
// minutes. Completion itself is always recorded. Time passing is simulated by moving the
// learner's recorded timestamps back, never by a switch in the code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { CatalogLesson } from '#lib/catalog.ts';
import { createUser, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import * as learning from '#server/learning/learning.ts';
import * as certificates from '#server/certificates/certificates.ts';

// The integration project runs with the floor off (vitest.config.ts); this file uses the default.
const previousFloor = process.env.LESSON_TIME_FLOOR;
process.env.LESSON_TIME_FLOOR = '0.25';

const catalog = testCatalog();
const course = catalog.courses.find((c) => c.contactHours > 0 && c.lessons.length >= 3)!;

let database: RoundsDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
  if (previousFloor === undefined) delete process.env.LESSON_TIME_FLOOR;
  else process.env.LESSON_TIME_FLOOR = previousFloor;
});

async function learner() {
  const user = (await createUser(database.db, { email: uniqueEmail('time'), name: 'Sam Lee', passwordHash: 'x' }))!;
  await markEmailVerified(database.db, user.id, user.email);
  return (await findUserById(database.db, user.id))!;
}

const ctxOf = async (id: string) => ({ db: database.db, catalog, user: (await findUserById(database.db, id))! });
const answers = (lesson: CatalogLesson) =>
  Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));

const open = async (id: string, lesson: CatalogLesson) =>
  learning.markLessonOpened(await ctxOf(id), { courseSlug: course.slug, lessonSlug: lesson.slug });
const complete = async (id: string, lesson: CatalogLesson) =>
  learning.completeLesson(await ctxOf(id), {
    courseSlug: course.slug,
    lessonSlug: lesson.slug,
    answers: answers(lesson),
  });

/** `seconds` pass for this learner: every timestamp of theirs moves back. */
async function passes(id: string, seconds: number) {
  await database.db
    .updateTable('lesson_progress')
    .set({
      started_at: sql`started_at - make_interval(secs => ${seconds})`,
      completed_at: sql`completed_at - make_interval(secs => ${seconds})`,
    })
    .where('user_id', '=', id)
    .execute();
}

const secondsSpent = async (id: string) =>
  Object.fromEntries(
    (
      await database.db
        .selectFrom('lesson_progress')
        .select(['lesson_slug', 'seconds_spent'])
        .where('user_id', '=', id)
        .execute()
    ).map((r) => [r.lesson_slug, r.seconds_spent]),
  );
const certificatesOf = (id: string) =>
  database.db.selectFrom('certificates').select('id').where('user_id', '=', id).execute();

describe('time in lessons and the contact-hours floor', () => {
  it('a script that completes every lesson without opening them records 0 s each; the certificate waits and says why', async () => {
    const { id } = await learner();
    let last;
    for (const lesson of course.lessons) last = await complete(id, lesson);
    expect(last!.courseComplete).toBe(true); // completion is recorded
    expect(Object.values(await secondsSpent(id))).toEqual(course.lessons.map(() => 0));
    expect(await certificatesOf(id)).toHaveLength(0);
    const held = (last!.certificate as { held: string }).held;
    expect(held).toContain(`“${course.lessons[0]!.title}”`);
    expect(held).toContain(`“${course.lessons.at(-1)!.title}”`);
    expect(held).toContain('Mark complete');
    const mine = await certificates.myCertificates(await ctxOf(id));
    expect(mine.waiting).toEqual([{ course: expect.objectContaining({ slug: course.slug }), reason: held }]);
    expect(await certificates.certificateMoment(await ctxOf(id), course.slug)).toEqual({
      status: 'held',
      message: held,
    });
  });

  it('lessons opened and read long enough issue the certificate; their time is recorded', async () => {
    const { id } = await learner();
    for (const lesson of course.lessons) {
      await open(id, lesson);
      await passes(id, lesson.minutes * 60 * 0.3);
      await complete(id, lesson);
    }
    expect(await certificatesOf(id)).toHaveLength(1);
    const spent = await secondsSpent(id);
    for (const lesson of course.lessons) {
      expect(spent[lesson.slug]).toBeGreaterThanOrEqual(Math.floor(lesson.minutes * 60 * 0.3));
      expect(spent[lesson.slug]).toBeLessThan(lesson.minutes * 60 * 0.3 + 30);
    }
  });

  it('lessons opened side by side are not counted twice; the quick ones are named, and completing them again later counts', async () => {
    const { id } = await learner();
    for (const lesson of course.lessons) await open(id, lesson);
    const longest = Math.max(...course.lessons.map((l) => l.minutes));
    await passes(id, longest * 60);
    for (const lesson of course.lessons) await complete(id, lesson);
    // Only the first had the time; the others were completed moments after it.
    const [first, ...rest] = course.lessons;
    const spent = await secondsSpent(id);
    expect(spent[first!.slug]).toBeGreaterThanOrEqual(longest * 60);
    for (const lesson of rest) expect(spent[lesson.slug]).toBeLessThan(5);
    expect(await certificatesOf(id)).toHaveLength(0);
    const state = await learning.lessonState(await ctxOf(id), { courseSlug: course.slug, lessonSlug: rest[0]!.slug });
    expect(state).toMatchObject({ completedAt: expect.any(Date), needsMoreTime: true });
    const held = ((await certificates.certificateMoment(await ctxOf(id), course.slug)) as { message: string }).message;
    expect(held).not.toContain(`“${first!.title}”`);
    for (const lesson of rest) expect(held).toContain(`“${lesson.title}”`);

    // The learner comes back and works through each again, one after another.
    for (const lesson of rest) {
      await passes(id, lesson.minutes * 60 * 0.3);
      const result = await complete(id, lesson);
      expect(result.completedAt.getTime()).toBeLessThan(Date.now() - 1000); // the first completion stands
    }
    expect(await certificatesOf(id)).toHaveLength(1);
    const after = await learning.lessonState(await ctxOf(id), { courseSlug: course.slug, lessonSlug: rest[0]!.slug });
    expect(after.needsMoreTime).toBe(false);
  });
});
