import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser } from '#server/accounts/users-repo.ts';
import * as learning from '#server/learning/learning.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { PublicUser } from '#server/kernel/context.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const course = catalog.courses.find((c) => c.slug === 'patient-connection')!;
const lesson = course.lessons[0]!;

async function newLearner() {
  const user = await createUser(database.db, { email: uniqueEmail(), name: 'Learner', passwordHash: 'x' });
  return user!;
}
const ctx = (user: PublicUser) => ({ db: database.db, catalog, user });

function correctAnswers() {
  return Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
}

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('Today', () => {
  it('reopens a lesson at its check once a question in it is answered, until the lesson is completed', async () => {
    const learner = await newLearner();
    const key = `${course.slug}/${lesson.slug}`;
    await learning.markLessonOpened(ctx(learner), { courseSlug: course.slug, lessonSlug: lesson.slug });
    expect((await learning.today(ctx(learner))).atCheck.has(key), 'only opened: from the top').toBe(false);

    const wrong = lesson.check[0]!.options.findIndex((o) => !o.correct);
    await learning.answerQuestion(ctx(learner), {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      question: 0,
      option: wrong,
    });
    const view = await learning.today(ctx(learner));
    expect(view.continueWith?.lesson.slug).toBe(lesson.slug);
    expect(view.atCheck.has(key), 'a wrong answer counts as being at the check').toBe(true);

    await learning.completeLesson(ctx(learner), {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      answers: correctAnswers(),
    });
    expect((await learning.today(ctx(learner))).atCheck.has(key)).toBe(false);
  });
});

describe('completing a lesson', () => {
  it('refuses until every question has been answered correctly, then completes', async () => {
    const learner = await newLearner();
    const wrong = lesson.check[0]!.options.findIndex((o) => !o.correct);
    const answer = await learning.answerQuestion(ctx(learner), {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      question: 0,
      option: wrong,
    });
    expect(answer.correct).toBe(false);
    await expect(
      learning.completeLesson(ctx(learner), { courseSlug: course.slug, lessonSlug: lesson.slug }),
    ).rejects.toThrow(/correctly/);
    const done = await learning.completeLesson(ctx(learner), {
      courseSlug: course.slug,
      lessonSlug: lesson.slug,
      answers: correctAnswers(),
    });
    expect(done.completedAt).toBeInstanceOf(Date);
    const attempts = await database.db
      .selectFrom('check_attempts')
      .selectAll()
      .where('user_id', '=', learner.id)
      .execute();
    expect(attempts.length).toBe(1 + lesson.check.length);
  });

  it('counts right answers given earlier with the ones sent on completion, and a wrong one sent now does not undo them', async () => {
    const learner = await newLearner();
    const key = { courseSlug: course.slug, lessonSlug: lesson.slug };
    const right = correctAnswers();
    await learning.answerQuestion(ctx(learner), { ...key, question: 0, option: right[0]! });
    const wrongFirst = lesson.check[0]!.options.findIndex((o) => !o.correct);
    // Nothing sent: only question 0 is right so far.
    await expect(learning.completeLesson(ctx(learner), { ...key, answers: {} })).rejects.toThrow(
      `(${lesson.check.length - 1} to go)`,
    );
    // Question 0 wrong now but right before; the rest right now.
    const done = await learning.completeLesson(ctx(learner), {
      ...key,
      answers: { ...right, 0: wrongFirst },
    });
    expect(done.completedAt).toBeInstanceOf(Date);
  });

  it('records exactly one completion under 20 concurrent requests', async () => {
    const learner = await newLearner();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        learning.completeLesson(ctx(learner), {
          courseSlug: course.slug,
          lessonSlug: lesson.slug,
          answers: correctAnswers(),
        }),
      ),
    );
    const rows = await database.db
      .selectFrom('lesson_progress')
      .selectAll()
      .where('user_id', '=', learner.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.course_version).toBe(course.version);
    // Every caller sees the same, first completion time.
    expect(new Set(results.map((r) => r.completedAt.getTime())).size).toBe(1);
  });

  it('takes one statement where no certificate is due: answers, check, completion and review cards together', async () => {
    const learner = await newLearner();
    const statements: string[] = [];
    const counting = database.db.withPlugin({
      transformQuery: (args) => {
        statements.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const key = { courseSlug: course.slug, lessonSlug: lesson.slug };
    const done = await learning.completeLesson(
      { db: counting, catalog, user: learner },
      { ...key, answers: correctAnswers() },
    );
    expect(statements).toHaveLength(1);
    expect(done.courseComplete).toBe(false);
    expect(done.next?.slug).toBe(course.lessons[1]!.slug);
    const cards = await database.db
      .selectFrom('review_cards')
      .select(['card', 'due'])
      .where('user_id', '=', learner.id)
      .execute();
    expect(cards.length).toBe(lesson.check.length + (lesson.review?.length ?? 0));
    for (const card of cards) expect(card.due.getTime() - done.completedAt.getTime()).toBe(86_400_000);

    // A refusal (a question still to answer right) is one statement too, and keeps the answer sent.
    statements.length = 0;
    const second = course.lessons[1]!;
    const wrong = second.check[0]!.options.findIndex((o) => !o.correct);
    await expect(
      learning.completeLesson(
        { db: counting, catalog, user: learner },
        { courseSlug: course.slug, lessonSlug: second.slug, answers: { 0: wrong } },
      ),
    ).rejects.toThrow(/Answer every question/);
    expect(statements).toHaveLength(1);
    const kept = await database.db
      .selectFrom('check_attempts')
      .select('chosen_option')
      .where('user_id', '=', learner.id)
      .where('lesson_slug', '=', second.slug)
      .execute();
    expect(kept.map((k) => k.chosen_option)).toEqual([wrong]);
  });
});
