import { lessonUrl } from './catalog.ts';
import type { CourseProgress } from './course-progress.ts';
import { SHIFT_LESSONS_MAX } from './offline.ts';

/** Lessons saved per course: the next one and the two after it. */
export const SHIFT_LESSONS_PER_COURSE = 3;

/**
 * The pages "Save for my shift" keeps on the device: for each course in the order given
 * (assignments first, then courses in progress), its page and its next lessons not yet
 * completed — at most `max` lessons in all.
 */
export function shiftPages(
  courses: CourseProgress[],
  max = SHIFT_LESSONS_MAX,
): { lessons: string[]; courses: string[] } {
  const lessons: string[] = [];
  const coursePages: string[] = [];
  const seen = new Set<string>();
  for (const progress of courses) {
    if (seen.has(progress.course.slug) || progress.complete || !progress.next) continue;
    seen.add(progress.course.slug);
    const room = max - lessons.length;
    if (room <= 0) break;
    const upcoming = progress.course.lessons
      .filter((lesson) => lesson.position >= progress.next!.position && !progress.completedLessons.has(lesson.slug))
      .slice(0, Math.min(SHIFT_LESSONS_PER_COURSE, room));
    coursePages.push(`/courses/${progress.course.slug}`);
    lessons.push(...upcoming.map(lessonUrl));
  }
  return { lessons, courses: coursePages };
}
