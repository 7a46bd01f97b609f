// Issue 19 §3: a team's review numbers on the leader's dashboard are counts only, shown
// once five of its learners answered, and mastery follows the rule in review-rules.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, findUserById } from '#server/accounts/users-repo.ts';
import * as learning from '#server/learning/learning.ts';
import * as review from '#server/review/index.ts';
import * as teams from '#server/teams/teams.ts';
import { addMember } from '#server/teams/repo.ts';
import { cardsOfLesson, TEAM_REVIEW_MIN_LEARNERS } from '#lib/review-rules.ts';
import { addDays } from '#lib/team-rules.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import type { CatalogLesson } from '#lib/catalog.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const course = catalog.course('patient-connection')!;
const firstLesson = course.lessons[0]! as CatalogLesson;
const missedCard = cardsOfLesson(firstLesson)[1]!;

const DAY = 86_400_000;
const T0 = new Date('2026-12-01T08:00:00Z');
const later = (days: number) => new Date(T0.getTime() + days * DAY);
const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });

async function person(name: string): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  return (await findUserById(database.db, created!.id))!;
}

const rightAnswers = (lesson: CatalogLesson) =>
  Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
const complete = (user: PublicUser, lesson: CatalogLesson, now = T0) =>
  learning.completeLesson(ctx(user, now), {
    courseSlug: course.slug,
    lessonSlug: lesson.slug,
    answers: rightAnswers(lesson),
  });

/** Answers one card as the review form would: right (and sure) or wrong. */
function answer(user: PublicUser, now: Date, lessonSlug: string, card: string, right: boolean) {
  const lesson = catalog.lesson(course.slug, lessonSlug)!;
  const question = cardsOfLesson(lesson).find((c) => c.card === card)!.question;
  return review.answerReview(ctx(user, now), {
    reviewId: crypto.randomUUID(),
    courseSlug: course.slug,
    lessonSlug,
    card,
    option: question.options.findIndex((o) => o.correct === right),
    confidence: 'sure',
  });
}

/** A learner who answers every due card of the course right, day after day, until `days`. */
async function studyEveryDay(user: PublicUser, days: number) {
  for (const lesson of course.lessons) await complete(user, lesson as CatalogLesson);
  for (let day = 1; day <= days; day++) {
    const due = await database.db
      .selectFrom('review_cards')
      .select(['lesson_slug', 'card'])
      .where('user_id', '=', user.id)
      .where('due', '<=', later(day))
      .execute();
    for (const c of due) await answer(user, later(day), c.lesson_slug, c.card, true);
  }
}

/** A learner who completed the first lesson and missed one of its questions on the first day. */
async function missOnce(user: PublicUser) {
  await complete(user, firstLesson);
  await answer(user, later(1), firstLesson.slug, missedCard.card, false);
}

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('team review numbers', () => {
  it('stay hidden below five learners, then show counts only, with mastery by the rule', async () => {
    const leader = await person('Lena Leader');
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'Ward 4', description: '' });
    await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(teams.teamToday(), 30),
      note: '',
    });
    const members = await Promise.all(['Ana', 'Ben', 'Cy', 'Dee', 'Eve'].map((name) => person(name)));
    for (const m of members) await addMember(database.db, teamId, m.id, 'member');
    const [steady, ...others] = members as [PublicUser, ...PublicUser[]];
    // Someone outside the team misses the same question: never in the team's numbers.
    await missOnce(await person('Outsider'));

    // The leader does not take the course with the team and is not counted either.
    await studyEveryDay(steady, 60);
    expect(await review.courseMastered(ctx(steady), course.slug), 'the steady learner mastered it').toBe(true);
    for (const m of others.slice(0, 3)) await missOnce(m);
    // What Today shows each of them: mastered for the steady learner only.
    expect(await review.masteredCourses(ctx(steady), [course.slug, 'team-huddles'])).toEqual(new Set([course.slug]));
    expect(await review.masteredCourses(ctx(others[0]!), [course.slug])).toEqual(new Set());

    const reviewOnDashboard = async () => {
      const page = await teams.teamPage(ctx(leader, later(61)), teamId, { state: null, assignment: null, sort: null });
      return page.dashboard!.view.assignments[0]!.review;
    };
    const hidden = await reviewOnDashboard();
    expect(hidden, `${TEAM_REVIEW_MIN_LEARNERS - 1} learners: nothing but how many answered`).toEqual({
      shown: false,
      learners: 4,
    });

    await missOnce(others[3]!);
    const shown = await reviewOnDashboard();
    const steadyAnswers = await database.db
      .selectFrom('review_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', steady.id)
      .where('lesson_slug', '=', firstLesson.slug)
      .where('card', '=', missedCard.card)
      .executeTakeFirstOrThrow();
    expect(shown).toEqual({
      shown: true,
      learners: 5,
      mastered: 1,
      mostMissed: [
        {
          question: missedCard.question.question,
          lessonTitle: firstLesson.title,
          wrong: 4,
          answers: 4 + Number(steadyAnswers.n),
        },
      ],
    });
    // Counts only: no learner's id, name or address anywhere in what the page gets.
    const text = JSON.stringify(shown);
    for (const m of members) for (const trace of [m.id, m.name, m.email]) expect(text).not.toContain(trace);
  }, 120_000);

  it('counts mastery only when the last two right answers are a week apart', async () => {
    const leader = await person('Lee Leader');
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'Ward 5', description: '' });
    await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(teams.teamToday(), 30),
      note: '',
    });
    const members = await Promise.all(['Fay', 'Gus', 'Hal', 'Ida', 'Jo'].map((name) => person(name)));
    for (const m of members) await addMember(database.db, teamId, m.id, 'member');
    // Five days of right answers: every card answered right, but never twice a week apart.
    for (const m of members) await studyEveryDay(m, 5);
    const page = await teams.teamPage(ctx(leader, later(6)), teamId, { state: null, assignment: null, sort: null });
    expect(page.dashboard!.view.assignments[0]!.review).toMatchObject({
      shown: true,
      learners: 5,
      mastered: 0,
      mostMissed: [],
    });
  }, 120_000);
});
