import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCurriculum } from '#lib/content-files.ts';
import {
  bodyWordCount,
  contactHoursFor,
  copiedRuns,
  curriculumProblems,
  expectedMinutes,
  runFingerprints,
} from '#lib/lesson-rules.ts';
import { lessonSchema, courseSchema, type LessonData } from '#lib/content-schema.ts';
import { optionOrder } from '#lib/option-order.ts';
import { TEN_MINUTE_HUDDLE } from '#lib/huddle.ts';

const courses = loadCurriculum('content');
const lessons = courses.flatMap((course) => course.lessons);
const seedRuns = new Set(readFileSync('content/seed-fingerprints.txt', 'utf8').split('\n').filter(Boolean));
const QUESTION_LISTS = ['check', 'review'] as const;

/** A question's words as a learner reads them: question, options and feedback. */
function questionText(q: LessonData['check'][number]): string {
  return [q.question, ...q.options.flatMap((o) => [o.text, o.feedback])].join('\n');
}

describe('the curriculum as shipped', () => {
  it('has four courses of five to seven lessons, 22 or more in all', () => {
    expect(courses.map((c) => c.data.driver).sort()).toEqual([
      'integrative',
      'leadership',
      'patient-connection',
      'team-collaboration',
    ]);
    for (const course of courses) {
      expect(course.lessons.length).toBeGreaterThanOrEqual(5);
      expect(course.lessons.length).toBeLessThanOrEqual(7);
    }
    expect(lessons.length).toBeGreaterThanOrEqual(22);
  });

  it.each(lessons.map((l) => [l.file, l] as const))('%s: minutes match the text', (_file, lesson) => {
    const expected = expectedMinutes(bodyWordCount(lesson.body), lesson.data.check.length);
    expect(Math.abs(expected - lesson.data.minutes)).toBeLessThanOrEqual(1);
  });

  it.each(lessons.map((l) => [l.file, l] as const))(
    '%s: every check and review question has exactly one correct option and feedback on each',
    (_file, lesson) => {
      for (const question of [...lesson.data.check, ...lesson.data.review]) {
        expect(question.options.filter((o) => o.correct)).toHaveLength(1);
        for (const option of question.options) expect(option.feedback.length).toBeGreaterThan(10);
      }
    },
  );

  it.each(lessons.map((l) => [l.file, l] as const))(
    '%s: copies no ten-word run from the seed article, in its text or its questions',
    (_file, lesson) => {
      expect(copiedRuns(`${lesson.frontmatterText}\n${lesson.body}`, seedRuns)).toEqual([]);
      for (const question of [...lesson.data.check, ...lesson.data.review])
        expect(copiedRuns(questionText(question), seedRuns)).toEqual([]);
    },
  );

  it.each(lessons.map((l) => [l.file, l] as const))(
    '%s: has four or more review questions, none of them one of its check questions',
    (_file, lesson) => {
      expect(lesson.data.review.length).toBeGreaterThanOrEqual(4);
      const asked = new Set(lesson.data.check.map((q) => q.question));
      for (const question of lesson.data.review) expect(asked.has(question.question)).toBe(false);
    },
  );

  it('asks every review question only once across the curriculum', () => {
    const questions = lessons.flatMap((lesson) => lesson.data.review.map((q) => q.question));
    expect(new Set(questions).size).toBe(questions.length);
  });

  it.each(QUESTION_LISTS)('does not show the right answer in the same place every time (%s questions)', (list) => {
    const questions = lessons.flatMap((lesson) => lesson.data[list]);
    const shownAt = questions.map((q) =>
      optionOrder(q.question, q.options).indexOf(q.options.findIndex((o) => o.correct)),
    );
    for (let position = 0; position < 5; position++)
      expect(shownAt.filter((p) => p === position).length).toBeLessThan(questions.length / 2);
  });

  it('teaches the same huddle agenda the timer runs', () => {
    const huddle = lessons.find((l) => l.slug === 'the-ten-minute-huddle')!;
    const taught = [...huddle.body.matchAll(/\*\*([^*(]+?) \((\d+) minutes?\)\.\*\*/g)].map((m) => ({
      title: m[1]!.trim(),
      minutes: Number(m[2]),
    }));
    expect(taught).toEqual(TEN_MINUTE_HUDDLE.map(({ title, minutes }) => ({ title, minutes })));
  });

  it('has the seed fingerprints to compare against', () => {
    expect(seedRuns.size).toBeGreaterThan(500);
  });
});

describe('the rules catch broken lessons', () => {
  const valid = lessons[0]!.data;

  it.each(QUESTION_LISTS)('rejects a %s question with two correct options, naming the field', (list) => {
    const broken = structuredClone(valid);
    broken[list][0]!.options.forEach((o) => (o.correct = true));
    const result = lessonSchema.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual([list, 0, 'options']);
  });

  it.each(QUESTION_LISTS)('rejects a %s question with an option that has no feedback', (list) => {
    const broken = structuredClone(valid);
    (broken[list][1]!.options[2] as { feedback?: string }).feedback = undefined;
    const result = lessonSchema.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual([list, 1, 'options', 2, 'feedback']);
  });

  it.each(QUESTION_LISTS)(
    'rejects %s feedback that opens with its own verdict, which the page already shows',
    (list) => {
      for (const opening of ['Not quite. ', 'Right. ', 'Correct — ', 'No. ']) {
        const broken = structuredClone(valid);
        broken[list][0]!.options[0]!.feedback = `${opening}${valid[list][0]!.options[0]!.feedback}`;
        const result = lessonSchema.safeParse(broken);
        expect(result.success, opening).toBe(false);
        expect(result.error!.issues[0]!.path).toEqual([list, 0, 'options', 0, 'feedback']);
      }
      const fine = structuredClone(valid);
      fine[list][0]!.options[0]!.feedback = 'Nobody is sure; the study was small.';
      expect(lessonSchema.safeParse(fine).success).toBe(true);
    },
  );

  it('rejects a lesson with fewer than four or more than eight review questions, naming the field', () => {
    for (const count of [0, 3, 9]) {
      const review = Array.from({ length: count }, (_, i) => valid.review[i % valid.review.length]!);
      const result = lessonSchema.safeParse({ ...valid, review });
      expect(result.success, String(count)).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(['review']);
    }
    expect(lessonSchema.safeParse({ ...valid, review: undefined }).success).toBe(false);
    expect(lessonSchema.safeParse({ ...valid, review: valid.review.slice(0, 4) }).success).toBe(true);
  });

  it('rejects a question id used twice in a lesson (check and review together), or one that is not a short slug', () => {
    const twice = structuredClone(valid);
    twice.review[2]!.id = twice.check[0]!.id;
    const result = lessonSchema.safeParse(twice);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['review', 2, 'id']);
    for (const bad of ['', 'Has-Capitals', 'check:0', 'trailing-', 'x'.repeat(41)]) {
      const broken = structuredClone(valid);
      broken.check[1]!.id = bad;
      expect(lessonSchema.safeParse(broken).error?.issues[0]?.path, bad).toEqual(['check', 1, 'id']);
    }
    const missing = structuredClone(valid) as { check: { id?: string }[] };
    delete missing.check[0]!.id;
    expect(lessonSchema.safeParse(missing).success).toBe(false);
  });

  it('rejects minutes outside 2-7, a missing reflection, and too few objectives', () => {
    expect(lessonSchema.safeParse({ ...valid, minutes: 9 }).success).toBe(false);
    expect(lessonSchema.safeParse({ ...valid, reflection: undefined }).success).toBe(false);
    expect(lessonSchema.safeParse({ ...valid, objectives: ['one'] }).success).toBe(false);
  });

  it('rejects contact hours that are not a multiple of 0.25', () => {
    const course = courses[0]!.data;
    expect(courseSchema.safeParse({ ...course, contactHours: 0.3 }).success).toBe(false);
    expect(courseSchema.safeParse({ ...course, contactHours: 0.75 }).success).toBe(true);
  });

  it('reports duplicate slugs, empty courses, wrong minutes and copied text by file and field', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');
    const source = 'the quick brown fox jumps over the lazy dog every single morning';
    const problems = curriculumProblems(
      [
        {
          file: 'content/a/course.yaml',
          slug: 'a',
          contactHours: 0,
          lessons: [
            {
              file: 'content/a/01-x.mdx',
              slug: 'x',
              minutes: 3,
              questionCount: 2,
              body: `${words(400)} <NextShift>do</NextShift>`,
              frontmatterText: '',
            },
            {
              file: 'content/a/02-y.mdx',
              slug: 'y',
              minutes: 7,
              questionCount: 2,
              body: `${words(100)} <NextShift>do</NextShift>`,
              frontmatterText: '',
            },
          ],
        },
        {
          file: 'content/b/course.yaml',
          slug: 'b',
          contactHours: 0,
          lessons: [
            {
              file: 'content/b/01-x.mdx',
              slug: 'x',
              minutes: 3,
              questionCount: 2,
              body: `${source} ${words(380)}`,
              frontmatterText: '',
            },
          ],
        },
        {
          file: 'content/e/course.yaml',
          slug: 'e',
          contactHours: 0,
          lessons: [
            {
              file: 'content/e/01-z.mdx',
              slug: 'z',
              minutes: 3,
              questionCount: 2,
              body: `${words(400)} <NextShift>do</NextShift>`,
              frontmatterText: `review:\n  - question: Which is right?\n    options:\n      - text: ${source}`,
            },
          ],
        },
        { file: 'content/c/course.yaml', slug: 'c', contactHours: 0.5, lessons: [] },
      ],
      runFingerprints(source),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^content\/b\/01-x\.mdx: slug: "x" is also used by content\/a\/01-x\.mdx/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/^content\/a\/02-y\.mdx: minutes: says 7/));
    expect(problems).toContainEqual(expect.stringMatching(/^content\/b\/01-x\.mdx: body: copies ten or more words/));
    expect(problems).toContainEqual(expect.stringMatching(/^content\/b\/01-x\.mdx: body: needs a <NextShift> box/));
    expect(problems).toContainEqual(
      expect.stringMatching(/^content\/e\/01-z\.mdx: frontmatter: copies ten or more words/),
    );
    expect(problems).toContainEqual('content/c/course.yaml: lessons: the course has no lessons');
    expect(problems.filter((p) => p.startsWith('content/a/01-x.mdx'))).toEqual([]);
  });

  it('gives 60 minutes of stated lesson time one contact hour, rounded down to a quarter hour', () => {
    expect(contactHoursFor(14)).toBe(0);
    expect(contactHoursFor(15)).toBe(0.25);
    expect(contactHoursFor(29)).toBe(0.25);
    expect(contactHoursFor(30)).toBe(0.5);
    expect(contactHoursFor(44)).toBe(0.5);
    expect(contactHoursFor(60)).toBe(1);
    expect(contactHoursFor(100)).toBe(1.5);
  });

  it('rejects a course whose contact hours do not follow the minutes of its lessons, naming the file and field', () => {
    const lesson = (file: string, minutes: number) => ({
      file,
      slug: file,
      minutes,
      questionCount: 2,
      body: `${Array.from({ length: (minutes - 1) * 200 }, (_, i) => `word${i}`).join(' ')} <NextShift>do</NextShift>`,
      frontmatterText: '',
    });
    const course = (contactHours: number) => ({
      file: 'content/d/course.yaml',
      slug: 'd',
      contactHours,
      lessons: [lesson('d1', 5), lesson('d2', 5), lesson('d3', 5), lesson('d4', 4), lesson('d5', 5)],
    });
    expect(curriculumProblems([course(0.5)], new Set())).toEqual([
      'content/d/course.yaml: contactHours: says 0.5 but 24 minutes of lessons give 0.25 (60 minutes = 1 hour, rounded down to a quarter hour)',
    ]);
    expect(curriculumProblems([course(0.25)], new Set())).toEqual([]);
  });

  it('counts words without MDX imports and tags', () => {
    expect(
      bodyWordCount(
        "import X from 'y';\n\nOne two <NextShift>three</NextShift> four’s\n<HuddleTimer client:visible />",
      ),
    ).toBe(4);
  });
});
