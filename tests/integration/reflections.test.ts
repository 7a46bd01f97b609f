import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { createUser } from '#server/accounts/users-repo.ts';
import {
  deleteReflection,
  findReflection,
  findReflectionForLesson,
  listReflections,
  restoreReflection,
  saveReflection,
} from '#server/learning/reflections-repo.ts';
import { exportMyData } from '#server/my-data/my-data.ts';
import { contextOf } from '../support/context.ts';
import { testCatalog } from '../support/catalog.ts';
import * as learning from '#server/learning/index.ts';
import { NotFoundError } from '#server/kernel/errors.ts';

const COURSE = 'patient-connection';
const LESSONS = [
  'the-first-minute',
  'let-them-finish',
  'name-the-emotion',
  'what-matters-to-you',
  'teach-back',
] as const;

let database: RoundsDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

async function newUserId(label = 'writer'): Promise<string> {
  const user = await createUser(database.db, { email: uniqueEmail(label), name: 'Writer', passwordHash: 'x' });
  return user!.id;
}

function rowsOf(userId: string) {
  return database.db
    .selectFrom('reflections')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('lesson_slug')
    .execute();
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('saving a reflection', () => {
  it('keeps one row per learner and lesson, updated in place', async () => {
    const userId = await newUserId();
    const first = await saveReflection(database.db, userId, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[0],
      body: 'first draft',
      revision: 1,
    });
    expect(first.applied).toBe(true);
    const second = await saveReflection(database.db, userId, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[0],
      body: 'second draft',
      revision: 2,
    });
    expect(second.applied).toBe(true);
    expect(second.row.id).toBe(first.row.id);
    expect(second.row.body).toBe('second draft');
    expect(second.row.revision).toBe(2);
    await saveReflection(database.db, userId, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[1],
      body: 'another lesson',
      revision: 1,
    });

    const rows = await rowsOf(userId);
    expect(rows.map((r) => [r.lesson_slug, r.body, r.revision])).toEqual([
      [LESSONS[1], 'another lesson', 1],
      [LESSONS[0], 'second draft', 2],
    ]);
  });

  it('never lets an older revision overwrite a newer one', async () => {
    const userId = await newUserId();
    const newer = await saveReflection(database.db, userId, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[0],
      body: 'newer text',
      revision: 1_700_000_000_500,
    });
    const late = await saveReflection(database.db, userId, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[0],
      body: 'older text',
      revision: 1_700_000_000_100,
    });
    expect(late.applied).toBe(false);
    expect(late.row.body).toBe('newer text');
    expect(late.row.revision).toBe(1_700_000_000_500);
    expect(late.row.updated_at.getTime()).toBe(newer.row.updated_at.getTime());

    // The same revision again (a retry) changes nothing either.
    const sameRevision = await saveReflection(database.db, userId, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[0],
      body: 'different text',
      revision: 1_700_000_000_500,
    });
    expect(sameRevision.applied).toBe(false);

    const rows = await rowsOf(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body).toBe('newer text');
    expect(rows[0]!.revision).toBe(1_700_000_000_500);
  });

  it('ends with the highest revision under 20 concurrent saves arriving out of order', async () => {
    const userId = await newUserId();
    const revisions = shuffled(Array.from({ length: 20 }, (_, i) => 1_000 + i * 7));
    const results = await Promise.all(
      revisions.map((revision) =>
        saveReflection(database.db, userId, {
          courseSlug: COURSE,
          lessonSlug: LESSONS[2],
          body: `text at revision ${revision}`,
          revision,
        }),
      ),
    );
    const highest = Math.max(...revisions);
    const rows = await rowsOf(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.revision).toBe(highest);
    expect(rows[0]!.body).toBe(`text at revision ${highest}`);
    // The highest revision's own save reports that it was applied.
    expect(results[revisions.indexOf(highest)]!.applied).toBe(true);
  });
});

describe('privacy between learners', () => {
  it("gives another learner no way to read, delete or overwrite someone's reflection", async () => {
    const alice = await newUserId('alice');
    const bob = await newUserId('bob');
    const secret = `Alice's private thought ${crypto.randomUUID()}`;
    const { row } = await saveReflection(database.db, alice, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[3],
      body: secret,
      revision: 10,
    });
    const aliceBefore = await rowsOf(alice);

    expect(await findReflection(database.db, bob, row.id)).toBeUndefined();
    expect(await findReflectionForLesson(database.db, bob, COURSE, LESSONS[3])).toBeUndefined();
    expect(await listReflections(database.db, bob)).toEqual([]);
    expect(await listReflections(database.db, bob, 'private thought')).toEqual([]);

    expect(await deleteReflection(database.db, bob, row.id)).toBeUndefined();
    expect(await rowsOf(alice)).toEqual(aliceBefore);

    // Writing to "the same lesson" creates Bob's own row; Alice's is untouched.
    const bobs = await saveReflection(database.db, bob, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[3],
      body: 'Bob was here',
      revision: 999_999,
    });
    expect(bobs.row.id).not.toBe(row.id);
    await restoreReflection(database.db, bob, {
      course_slug: COURSE,
      lesson_slug: LESSONS[4],
      body: 'Bob restored',
      revision: 1,
    });
    expect(await rowsOf(alice)).toEqual(aliceBefore);
    expect((await rowsOf(bob)).map((r) => r.body).sort()).toEqual(['Bob restored', 'Bob was here']);

    const bobExport = JSON.stringify(await exportMyData(await contextOf(database.db, testCatalog(), bob)));
    expect(bobExport).not.toContain(secret);
    expect(bobExport).not.toContain(row.id);
    expect(bobExport).toContain('Bob was here');

    // And Alice still sees exactly her own.
    expect((await listReflections(database.db, alice)).map((r) => r.body)).toEqual([secret]);
    expect((await findReflection(database.db, alice, row.id))?.body).toBe(secret);
  });
});

describe('searching reflections', () => {
  it('ignores case and treats % and _ as plain characters', async () => {
    const userId = await newUserId();
    const bodies = [
      'I am 100% SURE now',
      'I am 100 percent sure',
      'a snake_case name',
      'a snakeXcase name',
      'back\\slash here',
    ];
    for (const [i, body] of bodies.entries()) {
      await saveReflection(database.db, userId, { courseSlug: COURSE, lessonSlug: LESSONS[i]!, body, revision: 1 });
    }
    const search = async (text: string) => (await listReflections(database.db, userId, text)).map((r) => r.body).sort();

    expect(await search('sure')).toEqual(['I am 100 percent sure', 'I am 100% SURE now']);
    expect(await search('SnAkE')).toEqual(['a snakeXcase name', 'a snake_case name']);
    expect(await search('%')).toEqual(['I am 100% SURE now']);
    expect(await search('100%')).toEqual(['I am 100% SURE now']);
    expect(await search('_')).toEqual(['a snake_case name']);
    expect(await search('snake_case')).toEqual(['a snake_case name']);
    expect(await search('\\')).toEqual(['back\\slash here']);
    expect(await search('nothing like this')).toEqual([]);
    expect(await search('')).toHaveLength(bodies.length);
  });
});

describe('reflection text', () => {
  it('round-trips HTML, script payloads and 10,000 characters of unicode exactly', async () => {
    const userId = await newUserId();
    const html = `<script>alert("x")</script><img src=x onerror="alert('y')"> &amp; &lt;b&gt; ' " \` \${1+1} {{7*7}} '; drop table reflections; --`;
    const saved = await saveReflection(database.db, userId, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[0],
      body: html,
      revision: 1,
    });
    expect(saved.row.body).toBe(html);
    expect((await findReflection(database.db, userId, saved.row.id))?.body).toBe(html);

    const pieces = [
      'Pflege ',
      'Zürich ',
      'ñandú ',
      'Ελληνικά ',
      'русский ',
      'עברית ',
      'العربية ',
      '日本語の看護 ',
      '한국어 ',
      'देवनागरी ',
      '🩺💉🫀 ',
      '👩🏽‍⚕️ ',
      'e\u0301 ',
      '\u202Ertl\u202C ',
      'tab\there\n',
      'line\r\nbreak ',
      '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ',
    ];
    let unicode = '';
    for (let i = 0; unicode.length < 10_000; i += 1) {
      const next = pieces[i % pieces.length]!;
      if (unicode.length + next.length > 10_000) break;
      unicode += next;
    }
    unicode = unicode.padEnd(10_000, 'ü');
    expect(unicode).toHaveLength(10_000);

    const long = await saveReflection(database.db, userId, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[1],
      body: unicode,
      revision: 1,
    });
    expect(long.row.body).toBe(unicode);
    const stored = await database.db
      .selectFrom('reflections')
      .select('body')
      .where('id', '=', long.row.id)
      .executeTakeFirstOrThrow();
    expect(stored.body).toBe(unicode);
    expect(stored.body.normalize('NFC')).not.toBe(stored.body); // the decomposed é survived unnormalised
    expect((await listReflections(database.db, userId, '👩🏽‍⚕️')).map((r) => r.id)).toEqual([long.row.id]);
  });
});

describe('the reflection services', () => {
  it('write only for lessons in the catalogue, so an account holds at most one reflection per lesson', async () => {
    const ctx = await contextOf(database.db, testCatalog(), await newUserId('bounded'));
    const text = { body: 'A thought', revision: 1 };
    for (const lesson of [
      { courseSlug: COURSE, lessonSlug: 'no-such-lesson' },
      { courseSlug: 'no-such-course', lessonSlug: LESSONS[0] },
    ]) {
      await expect(learning.saveReflection(ctx, { ...lesson, ...text })).rejects.toBeInstanceOf(NotFoundError);
      // Undo of a delete puts back only what could have been saved (restore once took any name).
      await expect(learning.restoreReflection(ctx, { ...lesson, ...text })).rejects.toBeInstanceOf(NotFoundError);
    }
    for (let revision = 1; revision <= 3; revision++)
      await learning.restoreReflection(ctx, { courseSlug: COURSE, lessonSlug: LESSONS[0], body: 'Again', revision });
    expect(await rowsOf(ctx.user.id)).toHaveLength(1);
  });

  it('delete only the owner’s reflection, and say when it was already gone', async () => {
    const owner = await contextOf(database.db, testCatalog(), await newUserId('owner'));
    const other = await contextOf(database.db, testCatalog(), await newUserId('other'));
    const { row } = await learning.saveReflection(owner, {
      courseSlug: COURSE,
      lessonSlug: LESSONS[1],
      body: 'Mine',
      revision: 1,
    });
    await expect(learning.deleteReflection(other, row.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await learning.deleteReflection(owner, row.id)).body).toBe('Mine');
    await expect(learning.deleteReflection(owner, row.id)).rejects.toThrow('already deleted');
  });
});
