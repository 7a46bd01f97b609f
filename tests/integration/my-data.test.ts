import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '../../src/server/db.ts';
import { createUser } from '../../src/server/repos/users.ts';
import { recordAudit } from '../../src/server/repos/audit-log.ts';
import { saveReflection } from '../../src/server/repos/reflections.ts';
import { createSession } from '../../src/server/auth/sessions.ts';
import * as learning from '../../src/server/services/learning.ts';
import { FieldError, sendVerificationMail } from '../../src/server/services/accounts.ts';
import { deleteMyAccount, exportMyData } from '../../src/server/services/my-data.ts';

const catalog = testCatalog();
const course = catalog.courses.find((c) => c.slug === 'patient-connection')!;
const lesson = course.lessons[0]!;
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const CHROME_ANDROID = 'Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36';
const PERSONAL_TABLES = ['sessions', 'email_tokens', 'lesson_progress', 'check_attempts', 'reflections'] as const;

let database: RoundsDatabase;

beforeAll(async () => {
  database = await freshDatabase();
  // Without SMTP_URL, mail is printed as well as stored; keep the test output readable.
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  await database?.close();
});

/** A learner who has done a bit of everything: sessions, a wrong and a right answer, a completed lesson, a reflection, a pending email token, an audit entry. */
async function activeLearner(label: string) {
  const email = uniqueEmail(label);
  const user = (await createUser(database.db, { email, name: `Learner ${label}`, passwordHash: 'x' }))!;
  const laptop = await createSession(database.db, user.id, FIREFOX_LINUX);
  const phone = await createSession(database.db, user.id, CHROME_ANDROID);
  const wrong = lesson.check[0]!.options.findIndex((o) => !o.correct);
  const right = lesson.check[0]!.options.findIndex((o) => o.correct);
  const lessonKey = { courseSlug: course.slug, lessonSlug: lesson.slug };
  expect((await learning.answerQuestion(database.db, catalog, user.id, { ...lessonKey, question: 0, option: wrong })).correct).toBe(false);
  expect((await learning.answerQuestion(database.db, catalog, user.id, { ...lessonKey, question: 0, option: right })).correct).toBe(true);
  const answers = Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
  await learning.completeLesson(database.db, catalog, user.id, { ...lessonKey, answers });
  const reflection = `What ${label} took from the first minute: ${crypto.randomUUID()}`;
  await saveReflection(database.db, user.id, { ...lessonKey, body: reflection, revision: 1 });
  await sendVerificationMail(database.db, user);
  await recordAudit(database.db, { actorId: user.id, action: 'test.action', target: `target-of-${label}`, details: { why: 'test' } });
  return { user, email, reflection, tokens: [laptop.token, phone.token], wrong, right };
}

async function countFor(userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of PERSONAL_TABLES) {
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const user = await database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '=', userId).executeTakeFirstOrThrow();
  counts.users = Number(user.n);
  return counts;
}

describe('exporting my data', () => {
  it('contains my profile, sessions, progress, check attempts and reflections, and nobody else’s', async () => {
    const other = await activeLearner('other');
    const me = await activeLearner('me');
    const data = await exportMyData(database.db, me.user.id);

    const stored = await database.db.selectFrom('users').selectAll().where('id', '=', me.user.id).executeTakeFirstOrThrow();
    expect(data.profile).toEqual({ name: 'Learner me', email: me.email, emailVerifiedAt: null, isAdmin: stored.is_admin, createdAt: stored.created_at });

    expect(data.sessions).toHaveLength(2);
    expect(data.sessions.map((s) => s.userAgent).sort()).toEqual([CHROME_ANDROID, FIREFOX_LINUX].sort());
    expect(data.sessions.map((s) => s.device).sort()).toEqual(['Chrome on Android', 'Firefox on Linux']);
    for (const s of data.sessions) expect(s.expiresAt.getTime()).toBeGreaterThan(Date.now());

    expect(data.progress).toHaveLength(1);
    expect(data.progress[0]).toMatchObject({ course: course.slug, lesson: lesson.slug, courseVersion: course.version });
    expect(data.progress[0]!.completedAt).toBeInstanceOf(Date);
    expect(data.progress[0]!.startedAt).toBeInstanceOf(Date);

    // One wrong and one right answer by hand, then the whole check graded on completion; numbered from 1 for people.
    expect(data.checkAttempts).toHaveLength(2 + lesson.check.length);
    expect(data.checkAttempts.slice(0, 2).map((a) => ({ question: a.question, chosenOption: a.chosenOption, correct: a.correct }))).toEqual([
      { question: 1, chosenOption: me.wrong + 1, correct: false },
      { question: 1, chosenOption: me.right + 1, correct: true },
    ]);
    expect(data.checkAttempts.slice(2).every((a) => a.correct && a.course === course.slug && a.lesson === lesson.slug)).toBe(true);

    expect(data.reflections).toEqual([expect.objectContaining({ course: course.slug, lesson: lesson.slug, text: me.reflection })]);

    const json = JSON.stringify(data);
    expect(JSON.parse(json).profile.email).toBe(me.email);
    expect(json).not.toContain(other.email);
    expect(json).not.toContain(other.reflection);
    for (const token of me.tokens) expect(json).not.toContain(token.split('.')[1]);
  });
});

describe('deleting my account', () => {
  it('refuses the wrong confirmation email and deletes nothing', async () => {
    const other = await activeLearner('bystander');
    const me = await activeLearner('careful');
    const before = await countFor(me.user.id);
    expect(before).toMatchObject({ users: 1, sessions: 2, lesson_progress: 1, reflections: 1, email_tokens: 1 });

    for (const attempt of [other.email, '', `${me.email}x`, me.email.replace('@', '@@')]) {
      const error = await deleteMyAccount(database.db, me.user.id, attempt).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `confirming with ${JSON.stringify(attempt)}`).toBeInstanceOf(FieldError);
      expect((error as FieldError).field).toBe('confirmEmail');
    }
    expect(await countFor(me.user.id)).toEqual(before);
    expect(await countFor(other.user.id)).toMatchObject({ users: 1 });
  });

  it('with my email in any case removes every row about me, keeps others, and anonymises my audit entries', async () => {
    const other = await activeLearner('neighbour');
    const me = await activeLearner('leaving');
    const mine = await countFor(me.user.id);
    expect(mine).toEqual({ users: 1, sessions: 2, email_tokens: 1, lesson_progress: 1, check_attempts: 2 + lesson.check.length, reflections: 1 });
    const theirs = await countFor(other.user.id);
    const audit = await database.db.selectFrom('audit_log').select('id').where('actor_id', '=', me.user.id).execute();
    expect(audit).toHaveLength(1);

    await deleteMyAccount(database.db, me.user.id, `  ${me.email.toUpperCase()}  `);

    expect(await countFor(me.user.id)).toEqual({ users: 0, sessions: 0, email_tokens: 0, lesson_progress: 0, check_attempts: 0, reflections: 0 });
    expect(await database.db.selectFrom('users').select('id').where('email', '=', me.email).executeTakeFirst()).toBeUndefined();
    expect(await countFor(other.user.id)).toEqual(theirs);

    const kept = await database.db.selectFrom('audit_log').selectAll().where('id', '=', audit[0]!.id).executeTakeFirstOrThrow();
    expect(kept.actor_id).toBeNull();
    expect(kept.target).toBe('target-of-leaving');
    expect(kept.details).toEqual({ why: 'test' });
    const othersAudit = await database.db.selectFrom('audit_log').select('actor_id').where('target', '=', 'target-of-neighbour').executeTakeFirstOrThrow();
    expect(othersAudit.actor_id).toBe(other.user.id);
  });
});
