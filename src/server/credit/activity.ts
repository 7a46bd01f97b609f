import type { CatalogCourse } from '#lib/catalog.ts';
import type { CourseCredit } from '#lib/credit-rules.ts';

// A credit activity (decision 0045): a course with a `credit:` block, or an event whose
// organiser set credit on it. Both are earned, recorded and reported the same way.

export interface CreditActivity {
  /** The records' key (their `course_slug` column): the course's slug, or `event:<slug>`. */
  key: string;
  kind: 'course' | 'event';
  title: string;
  description: string;
  version: string;
  /** The courses whose lessons, recorded time and check questions the activity covers. */
  courses: CatalogCourse[];
  credit: CourseCredit;
  /** The learning outcomes the evaluation asks about. */
  outcomes: string[];
  /** The most hours any kind of its credit may state. */
  contactHours: number;
  /** Where the learner earns it. */
  url: string;
  /** Where it is described before the learner starts (the course or event page). */
  homeUrl: string;
}

/** A course's own activity; undefined when its content file states no credit. */
export function courseActivity(course: CatalogCourse): CreditActivity | undefined {
  if (!course.credit) return undefined;
  return {
    key: course.slug,
    kind: 'course',
    title: course.title,
    description: course.description,
    version: course.version,
    courses: [course],
    credit: course.credit,
    outcomes: course.objectives,
    contactHours: course.contactHours,
    url: `/courses/${course.slug}/credit`,
    homeUrl: `/courses/${course.slug}`,
  };
}

/** What a service is asked about: a course by its slug, or an activity its caller resolved (an event's). */
export type ActivityRef = { courseSlug: string } | { activity: CreditActivity };
