import type { CourseData, LessonData } from './content-schema.ts';

// The curriculum as plain data: what services need to grade checks, count
// progress and describe courses, without touching Astro or the file system.
export interface CatalogLesson extends LessonData {
  slug: string;
  courseSlug: string;
  /** 1-based position in the course. */
  position: number;
}

export interface CatalogCourse extends CourseData {
  slug: string;
  lessons: CatalogLesson[];
  totalMinutes: number;
}

export interface Catalog {
  courses: CatalogCourse[];
  course(slug: string): CatalogCourse | undefined;
  lesson(courseSlug: string, lessonSlug: string): CatalogLesson | undefined;
}

export function buildCatalog(
  courses: { slug: string; data: CourseData }[],
  lessons: { courseSlug: string; slug: string; order: string; data: LessonData }[],
): Catalog {
  const built: CatalogCourse[] = courses.map(({ slug, data }) => {
    const own = lessons
      .filter((lesson) => lesson.courseSlug === slug)
      .sort((a, b) => a.order.localeCompare(b.order))
      .map((lesson, index) => ({ ...lesson.data, slug: lesson.slug, courseSlug: slug, position: index + 1 }));
    return { ...data, slug, lessons: own, totalMinutes: own.reduce((sum, l) => sum + l.minutes, 0) };
  });
  const driverOrder = ['patient-connection', 'team-collaboration', 'leadership', 'integrative'];
  built.sort((a, b) => driverOrder.indexOf(a.driver) - driverOrder.indexOf(b.driver) || a.title.localeCompare(b.title));
  const bySlug = new Map(built.map((course) => [course.slug, course]));
  return {
    courses: built,
    course: (slug) => bySlug.get(slug),
    lesson: (courseSlug, lessonSlug) => bySlug.get(courseSlug)?.lessons.find((l) => l.slug === lessonSlug),
  };
}

export function lessonUrl(lesson: { courseSlug: string; slug: string }): string {
  return `/courses/${lesson.courseSlug}/${lesson.slug}`;
}
