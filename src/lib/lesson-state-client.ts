import { actions } from 'astro:actions';

// Both lesson islands need the learner's state; they share one request per page.
type LessonState = Awaited<ReturnType<typeof actions.progress.lessonState.orThrow>>;
let pending: Promise<LessonState> | undefined;

export function loadLessonState(courseSlug: string, lessonSlug: string): Promise<LessonState> {
  pending ??= actions.progress.lessonState.orThrow({ courseSlug, lessonSlug });
  return pending;
}

export function loginUrl(returnTo: string): string {
  return `/login?reason=save&next=${encodeURIComponent(returnTo)}`;
}
