import type { CatalogCourse, CatalogLesson } from './catalog.ts';

export interface CourseProgress {
  course: CatalogCourse;
  done: number;
  total: number;
  minutesLeft: number;
  complete: boolean;
  completedAt: Date | null;
  lastActivity: Date | null;
  next: CatalogLesson | undefined;
  completedLessons: Set<string>;
}

/** Progress in one course, counting only the lessons the course has now. */
export function summarizeCourse(
  course: CatalogCourse,
  rows: { course_slug: string; lesson_slug: string; started_at: Date; completed_at: Date | null }[],
): CourseProgress {
  const own = rows.filter((row) => row.course_slug === course.slug);
  const completedLessons = new Set(own.filter((row) => row.completed_at).map((row) => row.lesson_slug));
  const current = course.lessons.filter((lesson) => completedLessons.has(lesson.slug));
  const done = current.length;
  const complete = done === course.lessons.length && done > 0;
  const completedTimes = own
    .filter((r) => r.completed_at && course.lessons.some((l) => l.slug === r.lesson_slug))
    .map((r) => r.completed_at!.getTime());
  const activity = own.flatMap((r) => [r.started_at.getTime(), r.completed_at?.getTime() ?? 0]);
  return {
    course,
    done,
    total: course.lessons.length,
    minutesLeft: course.lessons.filter((l) => !completedLessons.has(l.slug)).reduce((sum, l) => sum + l.minutes, 0),
    complete,
    completedAt: complete ? new Date(Math.max(...completedTimes)) : null,
    lastActivity: activity.length ? new Date(Math.max(...activity)) : null,
    next: course.lessons.find((l) => !completedLessons.has(l.slug)),
    completedLessons,
  };
}
