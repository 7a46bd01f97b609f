import type { RequestContext } from '#server/kernel/context.ts';
import { recordAudit } from '#server/audit/index.ts';
import { FieldError } from '#server/kernel/errors.ts';
import { openNextTerm } from '#server/progress/index.ts';
import { myAssignments } from './teams.ts';

// Recurring training (issue 17 §2, decision 0041): the learner starts a renewal of a course
// whose term ends within the window (or has ended). The previous term's lessons move into
// its record and the course is taken afresh; the earlier completion and certificate stay.

const NOT_RENEWABLE = 'This course is not due for renewal yet: renewal opens 30 days before your completion expires.';

/** Starts the renewal of one course; a second press (or a double submit) changes nothing. */
export async function startRenewal(ctx: RequestContext, input: { courseSlug: string }) {
  const course = ctx.catalog.course(input.courseSlug);
  if (!course) throw new FieldError('courseSlug', 'Choose a course from the list.');
  const mine = await myAssignments(ctx);
  const due = mine
    .filter(
      (a) =>
        a.course?.slug === course.slug &&
        a.repeatMonths !== null &&
        (a.state === 'renewal-due' || a.state === 'expired'),
    )
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn))[0];
  if (!due) throw new FieldError('courseSlug', NOT_RENEWABLE);
  // A renewal already under way: the course is not complete any more, so there is nothing to move.
  if (due.lessonsDone < due.lessonsTotal) return { term: undefined, dueOn: due.dueOn };
  const term = await ctx.db.transaction().execute(async (tx) => {
    const opened = await openNextTerm(tx, {
      userId: ctx.user.id,
      courseSlug: course.slug,
      lessonSlugs: course.lessons.map((l) => l.slug),
      dueOn: due.dueOn,
    });
    if (opened)
      await recordAudit(tx, {
        actorId: ctx.user.id,
        action: 'course.start-renewal',
        target: `course:${course.slug}`,
        details: { term: opened, dueOn: due.dueOn },
      });
    return opened;
  });
  return { term, dueOn: due.dueOn };
}
