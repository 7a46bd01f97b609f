// The huddle guide on a team's dashboard: a 5–10 minute plan built from the course's own
// huddle prompts, for every course in content/ and every stretch of lessons it offers.
import { describe, expect, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import { huddleGuide, LESSONS_PER_HUDDLE } from '#lib/team-huddle.ts';
import type { CatalogCourse } from '#lib/catalog.ts';

const catalog = testCatalog();
const minutes = (items: { minutes: number }[]) => items.reduce((sum, item) => sum + item.minutes, 0);

function starts(course: CatalogCourse): number[] {
  const list: number[] = [];
  for (let start = 0; start < course.lessons.length; start += LESSONS_PER_HUDDLE) list.push(start);
  return list;
}

describe('the huddle guide', () => {
  it.each(catalog.courses.map((c) => [c.slug, c] as const))(
    '%s: every plan runs 5 to 10 minutes on the lessons’ own huddle prompts',
    (_slug, course) => {
      expect(course.lessons.length).toBeGreaterThan(0);
      for (const start of starts(course)) {
        const guide = huddleGuide(course, start);
        const total = minutes(guide.items);
        expect(total, `${course.slug} from lesson ${start + 1}`).toBeGreaterThanOrEqual(5);
        expect(total, `${course.slug} from lesson ${start + 1}`).toBeLessThanOrEqual(10);
        expect(guide.lessons.length).toBeGreaterThan(0);
        expect(guide.lessons.length).toBeLessThanOrEqual(LESSONS_PER_HUDDLE);
        // An opening, one item per lesson asking its first huddle prompt, in course order, and a close.
        expect(guide.items[0]!.title).toBe('Open');
        expect(guide.items[0]!.prompt).toContain(course.title);
        expect(guide.items.at(-1)!.title).toBe('Close');
        const middle = guide.items.slice(1, -1);
        expect(middle.map((item) => [item.title, item.prompt])).toEqual(
          guide.lessons.map((lesson) => [lesson.title, lesson.huddle[0]]),
        );
        expect(guide.lessons).toEqual(course.lessons.slice(guide.start, guide.start + guide.lessons.length));
        for (const item of guide.items) expect(item.prompt.trim().length).toBeGreaterThan(10);
      }
    },
  );

  it('covers every lesson across its plans, and keeps a start past the end on the last full plan', () => {
    for (const course of catalog.courses) {
      const covered = starts(course).flatMap((start) => huddleGuide(course, start).lessons.map((l) => l.slug));
      expect(new Set(covered)).toEqual(new Set(course.lessons.map((l) => l.slug)));
      const last = huddleGuide(course, course.lessons.length + 5);
      expect(last.start).toBe(Math.max(0, course.lessons.length - LESSONS_PER_HUDDLE));
      expect(last.lessons.at(-1)).toBe(course.lessons.at(-1));
      expect(huddleGuide(course, -3).start).toBe(0);
    }
  });
});
