import type { LessonProgress } from '#db/schema.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { progressOfUser } from './repo.ts';

const reads = new WeakMap<object, Promise<LessonProgress[]>>();

/**
 * The learner's progress rows, read at most once per request context. Today calls four
 * domains that each need them (its own summary, events, certificates, review); one query
 * serves them all. For reading only: a row written after the first read in the same
 * context is not seen, so writes keep calling progressOfUser.
 */
export function progressOnce(ctx: Pick<RequestContext, 'db' | 'user'>): Promise<LessonProgress[]> {
  let read = reads.get(ctx);
  if (!read) {
    read = progressOfUser(ctx.db, ctx.user.id);
    reads.set(ctx, read);
  }
  return read;
}
