import { describe, expect, it } from 'vitest';
import { cacheablePage, changesPerson, SHIFT_LESSONS_MAX } from '#lib/offline.ts';
import { shiftPages, SHIFT_LESSONS_PER_COURSE } from '#lib/shift-lessons.ts';
import { summarizeCourse } from '#lib/course-progress.ts';
import { lessonUrl } from '#lib/catalog.ts';
import { testCatalog } from '../support/catalog.ts';

describe('cacheablePage', () => {
  it.each([
    ['/courses', 'catalogue'],
    ['/courses/', 'catalogue'],
    ['/courses/patient-connection', 'course'],
    ['/courses/patient-connection/let-them-finish', 'lesson'],
  ])('keeps %s as a %s page', (path, kind) => expect(cacheablePage(path)).toBe(kind));

  it.each([
    '/',
    '/journal',
    '/account',
    '/teams/abc',
    '/certificates',
    '/courses/patient-connection/let-them-finish/state.json',
    '/courses/patient-connection/let-them-finish/complete',
    '/courses/a/b/c/d',
    '/_actions/progress.complete',
    '/account/export.json',
  ])('never keeps %s (personal, an endpoint or a form target)', (path) => expect(cacheablePage(path)).toBeNull());
});

describe('changesPerson', () => {
  const url = (query: string) => new URL(`https://rounds.test/logout${query}`);
  it.each([
    'accounts.signIn',
    'accounts.signUp',
    'accounts.signOut',
    'accounts.resetPassword',
    'accounts.deleteAccount',
  ])('is true for a POST of %s', (action) => expect(changesPerson(url(`?_action=${action}`), 'POST')).toBe(true));
  it('is false for other Actions, for GET, and without an Action', () => {
    expect(changesPerson(url('?_action=accounts.changeName'), 'POST')).toBe(false);
    expect(changesPerson(url('?_action=accounts.signOut'), 'GET')).toBe(false);
    expect(changesPerson(url(''), 'POST')).toBe(false);
  });
});

describe('shiftPages', () => {
  const catalog = testCatalog();
  const [a, b] = catalog.courses;
  const started = new Date('2026-12-01T08:00:00Z');
  const row = (courseSlug: string, lessonSlug: string, completed: boolean) => ({
    course_slug: courseSlug,
    lesson_slug: lessonSlug,
    started_at: started,
    completed_at: completed ? started : null,
  });

  it('takes the next lessons not yet done of each course, in the order given, with the course pages', () => {
    // Course A: lessons 1 and 3 done, so 2, 4 and 5 are next. Course B: not started.
    const progressA = summarizeCourse(a!, [
      row(a!.slug, a!.lessons[0]!.slug, true),
      row(a!.slug, a!.lessons[2]!.slug, true),
    ]);
    const progressB = summarizeCourse(b!, []);
    const pages = shiftPages([progressA, progressB]);
    expect(pages.lessons).toEqual([
      ...[a!.lessons[1]!, a!.lessons[3]!, a!.lessons[4]!].map(lessonUrl),
      ...b!.lessons.slice(0, SHIFT_LESSONS_PER_COURSE).map(lessonUrl),
    ]);
    expect(pages.courses).toEqual([`/courses/${a!.slug}`, `/courses/${b!.slug}`]);
  });

  it('skips completed courses and a course given twice (assigned and in progress)', () => {
    const done = summarizeCourse(
      a!,
      a!.lessons.map((lesson) => row(a!.slug, lesson.slug, true)),
    );
    const progressB = summarizeCourse(b!, []);
    expect(shiftPages([done, progressB, progressB]).courses).toEqual([`/courses/${b!.slug}`]);
  });

  it('stops at the cap, part-way through a course', () => {
    const fresh = catalog.courses.map((course) => summarizeCourse(course, []));
    const pages = shiftPages(fresh, SHIFT_LESSONS_PER_COURSE + 2);
    expect(pages.lessons).toEqual([...a!.lessons.slice(0, 3), ...b!.lessons.slice(0, 2)].map(lessonUrl));
    expect(pages.courses).toEqual([`/courses/${a!.slug}`, `/courses/${b!.slug}`]);
    expect(shiftPages(fresh).lessons.length).toBeLessThanOrEqual(SHIFT_LESSONS_MAX);
  });
});
