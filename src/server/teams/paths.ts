import type { RequestContext } from '#server/kernel/context.ts';
import { recordAudit } from '#server/audit/index.ts';
import { FieldError, NotFoundError } from '#server/kernel/errors.ts';
import { requireAdmin } from '#server/kernel/context.ts';
import type { Executor } from '#server/platform/db.ts';
import { PATH_MAX_STEPS } from '#lib/path-rules.ts';
import { addDays } from '#lib/team-rules.ts';
import * as repo from './repo.ts';
import { myAssignments, requireLeader, teamToday, type MyAssignment } from './teams.ts';

// Learning paths (issue 17): a named, ordered set of a team's assignments whose due dates
// count from each member's own start. Each course of a path is an ordinary assignment, so
// the dashboard, Today, the CSV export, reminders and personal dates treat it as one.

export interface PathStepInput {
  courseSlug: string;
  offsetDays: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PathInput {
  name: string;
  startsOn: string | null;
  inOrder: boolean;
  /** Recurring training: every course of the path comes due again this many months after each completion. */
  repeatMonths?: number | null;
  /** The form's rows in order; a row left without a course is null. */
  steps: (PathStepInput | null)[];
}

type CheckedPath = {
  name: string;
  startsOn: string;
  inOrder: boolean;
  repeatMonths: number | null;
  steps: (PathStepInput & { field: string })[];
};

/** A path's own rules (the fields' rules are zod's): a start not past, at least one course, each course once. */
function checkPath(ctx: RequestContext, input: PathInput): CheckedPath {
  const today = teamToday(ctx.now, ctx.user.timeZone);
  const startsOn = input.startsOn ?? today;
  if (startsOn < today) throw new FieldError('startsOn', 'Choose today or a later date, or leave it empty for today.');
  if (input.steps.length > PATH_MAX_STEPS)
    throw new FieldError('course1', `A path has at most ${PATH_MAX_STEPS} courses.`);
  const steps: CheckedPath['steps'] = [];
  input.steps.forEach((step, index) => {
    if (!step) return;
    const field = `course${index + 1}`;
    if (!ctx.catalog.course(step.courseSlug)) throw new FieldError(field, 'Choose a course from the list.');
    const earlier = steps.findIndex((s) => s.courseSlug === step.courseSlug);
    if (earlier >= 0) throw new FieldError(field, `This course is already course ${earlier + 1} of the path.`);
    steps.push({ ...step, field });
  });
  if (steps.length === 0) throw new FieldError('course1', 'Choose at least one course for the path.');
  return { name: input.name, startsOn, inOrder: input.inOrder, repeatMonths: input.repeatMonths ?? null, steps };
}

/** Inserts the path and its courses in one team; throws (so the transaction saves nothing) on a clash. */
async function insertPathInTeam(tx: Executor, teamId: string, path: CheckedPath, createdBy: string): Promise<string> {
  const id = await repo.insertPath(tx, { teamId, ...path, createdBy });
  if (!id) throw new FieldError('name', 'The team already has a path with this name. Choose another name.');
  for (const [index, step] of path.steps.entries()) {
    const assignmentId = await repo.insertAssignment(tx, {
      teamId,
      courseSlug: step.courseSlug,
      // The date for someone in the team from the start; later joiners' dates count from their own day.
      dueOn: addDays(path.startsOn, step.offsetDays),
      note: '',
      createdBy,
      path: { id, position: index + 1, offsetDays: step.offsetDays },
      repeatMonths: path.repeatMonths,
    });
    if (!assignmentId)
      throw new FieldError(
        step.field,
        'This course is already assigned to the team. Remove that assignment first, or choose another course.',
      );
  }
  return id;
}

const auditSteps = (path: CheckedPath) => path.steps.map((s) => ({ course: s.courseSlug, days: s.offsetDays }));

/**
 * Composes a path and assigns it to the team in one transaction: everyone in the team
 * now starts on `startsOn` (today when empty), each later joiner on the day they join.
 * A refused step saves nothing.
 */
export async function createPath(ctx: RequestContext, input: PathInput & { teamId: string }) {
  await requireLeader(ctx, input.teamId);
  const path = checkPath(ctx, input);
  const pathId = await ctx.db.transaction().execute(async (tx) => {
    const id = await insertPathInTeam(tx, input.teamId, path, ctx.user.id);
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.create-path',
      target: `team:${input.teamId}`,
      details: {
        pathId: id,
        name: path.name,
        startsOn: path.startsOn,
        inOrder: path.inOrder,
        repeatMonths: path.repeatMonths,
        steps: auditSteps(path),
      },
    });
    return id;
  });
  return { pathId };
}

/**
 * An administrator's programme for the whole install: the path in every team that is not
 * archived (see publishPathToTeams).
 */
export async function publishPathToEveryTeam(ctx: RequestContext, input: PathInput) {
  requireAdmin(ctx, 'Only administrators can publish a path to every team.');
  return publishPathToTeams(ctx, input, {
    teamIds: 'all',
    auditAction: 'admin.publish-path',
    auditTarget: 'teams:all',
  });
}

/**
 * Publishes a path to a set of teams (every team, or an organisation's) in one
 * transaction, leaving out archived teams. A team that already has one of its courses
 * assigned, or a path of that name, is left out and named (its leaders chose those
 * dates); teams made later do not get it. The caller has checked who is asking.
 */
export async function publishPathToTeams(
  ctx: RequestContext,
  input: PathInput,
  scope: { teamIds: string[] | 'all'; auditAction: string; auditTarget: string },
) {
  const path = checkPath(ctx, input);
  return ctx.db.transaction().execute(async (tx) => {
    const candidates =
      scope.teamIds === 'all' ? await repo.allTeams(tx, ctx.user.id) : await repo.teamsByIds(tx, scope.teamIds);
    const active = candidates.filter((t) => !t.archived_at);
    if (active.length === 0) throw new FieldError('name', 'There is no team yet to publish the path to.');
    const ids = active.map((t) => t.id);
    const [assignments, paths] = await Promise.all([repo.listAssignments(tx, ids), repo.listPaths(tx, ids)]);
    const courses = new Set(path.steps.map((s) => s.courseSlug));
    const clashes = (teamId: string) =>
      paths.some((p) => p.team_id === teamId && p.name === path.name) ||
      assignments.some((a) => a.team_id === teamId && courses.has(a.course_slug));
    const left = active.filter((t) => clashes(t.id));
    const published = active.filter((t) => !clashes(t.id));
    if (published.length === 0)
      throw new FieldError(
        'course1',
        'Every team already has one of these courses assigned, or a path of this name: nothing was published.',
      );
    for (const team of published) await insertPathInTeam(tx, team.id, path, ctx.user.id);
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: scope.auditAction,
      target: scope.auditTarget,
      details: {
        name: path.name,
        startsOn: path.startsOn,
        inOrder: path.inOrder,
        steps: auditSteps(path),
        teams: published.length,
        leftOut: left.map((t) => t.id),
      },
    });
    return { published: published.length, leftOut: left.map((t) => t.name) };
  });
}

/** Removes a path and its courses' assignments; every member keeps their progress and certificates. */
export async function removePath(ctx: RequestContext, input: { teamId: string; pathId: string }) {
  await requireLeader(ctx, input.teamId);
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await repo.deletePath(tx, input.teamId, input.pathId)))
      throw new FieldError('pathId', 'That path was already removed.');
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.remove-path',
      target: `team:${input.teamId}`,
      details: { pathId: input.pathId },
    });
  });
  return { removed: true };
}

export interface PathStep extends MyAssignment {
  position: number;
  offsetDays: number;
  /** In a path taken in order: the course before it is not finished yet. */
  locked: boolean;
}

export interface MyPath {
  id: string;
  teamId: string;
  teamName: string;
  name: string;
  inOrder: boolean;
  steps: PathStep[];
  done: number;
  /** The first step not finished and open: what to do next (undefined when all are done). */
  next: PathStep | undefined;
}

/** The person's paths in every team they are in (Today and the path page), each step with their own state. */
export async function myPaths(ctx: Parameters<typeof myAssignments>[0], assignments?: MyAssignment[]) {
  const mine = assignments ?? (await myAssignments(ctx));
  const teamIds = [...new Set(mine.map((a) => a.teamId))];
  if (teamIds.length === 0) return [];
  const [paths, rows] = await Promise.all([repo.listPaths(ctx.db, teamIds), repo.listAssignments(ctx.db, teamIds)]);
  return paths
    .map((path): MyPath | undefined => {
      const placed = rows
        .filter((r) => r.path_id === path.id)
        .sort((a, b) => a.path_position! - b.path_position!)
        .flatMap((r) => {
          const own = mine.find((a) => a.assignmentId === r.id);
          return own ? [{ ...own, position: r.path_position!, offsetDays: r.due_offset_days!, locked: false }] : [];
        });
      if (placed.length === 0) return undefined;
      placed.forEach((step, index) => {
        step.locked = path.in_order && index > 0 && placed[index - 1]!.state !== 'completed';
      });
      return {
        id: path.id,
        teamId: path.team_id,
        teamName: placed[0]!.teamName,
        name: path.name,
        inOrder: path.in_order,
        steps: placed,
        done: placed.filter((s) => s.state === 'completed').length,
        next: placed.find((s) => s.state !== 'completed' && !s.locked),
      };
    })
    .filter((p): p is MyPath => p !== undefined);
}

/**
 * Why the person may not complete lessons of a course yet, or undefined when they may: the
 * course is a later step of a path taken in order and the step before is not finished. As
 * with an event's lock, one path that has the course open is enough.
 */
export async function pathLock(ctx: Parameters<typeof myAssignments>[0], courseSlug: string) {
  if (!(await repo.inOrderPathHasCourse(ctx.db, ctx.user.id, courseSlug))) return undefined;
  const steps = (await myPaths(ctx)).flatMap((path) =>
    path.steps.filter((step) => step.course?.slug === courseSlug).map((step) => ({ path, step })),
  );
  const held = steps.filter(({ step }) => step.locked);
  if (held.length === 0 || held.length < steps.length) return undefined;
  const { path, step } = held[0]!;
  const before = path.steps[path.steps.indexOf(step) - 1]!;
  return `In your path “${path.name}” this course opens when you finish “${before.title}”. You can read it now; marking it complete waits until then.`;
}

/** Today's team work: the person's assignments and their paths, one after the other (paths read the assignments). */
export async function myTeamWork(ctx: Parameters<typeof myAssignments>[0]) {
  const assignments = await myAssignments(ctx);
  return { assignments, paths: await myPaths(ctx, assignments) };
}

/** One of the person's paths (the path page); not found when they do not take it. */
export async function myPath(ctx: Parameters<typeof myAssignments>[0], pathId: string): Promise<MyPath> {
  const path = UUID.test(pathId) ? (await myPaths(ctx)).find((p) => p.id === pathId) : undefined;
  if (!path) throw new NotFoundError('That learning path does not exist, or it is not assigned to you.');
  return path;
}
