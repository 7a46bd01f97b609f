import type { CatalogCourse } from './catalog.ts';
import type { HuddleItem } from './huddle.ts';

export const LESSONS_PER_HUDDLE = 3;

/**
 * A 9-minute huddle plan from a course's own huddle prompts: a one-minute opening,
 * two minutes on each of up to three lessons (starting at lesson `start`, 0-based),
 * and a two-minute close with one thing to try on the next shift.
 */
export function huddleGuide(
  course: CatalogCourse,
  start = 0,
): { items: HuddleItem[]; lessons: CatalogCourse['lessons']; start: number } {
  const first = Math.max(0, Math.min(start, Math.max(0, course.lessons.length - LESSONS_PER_HUDDLE)));
  const lessons = course.lessons.slice(first, first + LESSONS_PER_HUDDLE);
  const items: HuddleItem[] = [
    {
      title: 'Open',
      minutes: 1,
      prompt: `We are learning “${course.title}” together. Whoever has not started: you are welcome here, no one is behind.`,
    },
    ...lessons.map((lesson) => ({ title: lesson.title, minutes: 2, prompt: lesson.huddle[0]! })),
    {
      title: 'Close',
      minutes: 2,
      prompt: 'One thing each of us will try on the next shift, and one thank-you before we go.',
    },
  ];
  return { items, lessons, start: first };
}
