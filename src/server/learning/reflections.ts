import type { RequestContext } from '#server/kernel/context.ts';
import { NotFoundError } from '#server/kernel/errors.ts';
import * as repo from './reflections-repo.ts';

// A reflection belongs to the person writing it: every function here acts on the
// signed-in learner's own text, for a lesson that exists.

interface ReflectionInput {
  courseSlug: string;
  lessonSlug: string;
  body: string;
  revision: number;
}

function requireLesson({ catalog }: RequestContext, courseSlug: string, lessonSlug: string): void {
  if (!catalog.lesson(courseSlug, lessonSlug)) throw new NotFoundError('That lesson does not exist (any more).');
}

/** The learner's journal, newest first; `search` matches words in the text. */
export function myReflections({ db, user }: RequestContext, search?: string): Promise<repo.ReflectionRow[]> {
  return repo.listReflections(db, user.id, search);
}

/** Saves the text for a lesson; an older revision (a retry, a late request) never overwrites newer text. */
export async function saveReflection(ctx: RequestContext, input: ReflectionInput) {
  requireLesson(ctx, input.courseSlug, input.lessonSlug);
  return repo.saveReflection(ctx.db, ctx.user.id, input);
}

/** Deletes one of the learner's reflections and returns it, so the page can offer Undo. */
export async function deleteReflection({ db, user }: RequestContext, id: string): Promise<repo.ReflectionRow> {
  const removed = await repo.deleteReflection(db, user.id, id);
  if (!removed) throw new NotFoundError('That reflection was already deleted.');
  return removed;
}

/** Undo of a delete: puts the text back unless the learner has since written a newer one. */
export async function restoreReflection(ctx: RequestContext, input: ReflectionInput): Promise<void> {
  requireLesson(ctx, input.courseSlug, input.lessonSlug);
  return repo.restoreReflection(ctx.db, ctx.user.id, {
    course_slug: input.courseSlug,
    lesson_slug: input.lessonSlug,
    body: input.body,
    revision: input.revision,
  });
}
