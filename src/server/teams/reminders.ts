import { summarizeCourse } from '#lib/course-progress.ts';
import { formatCalendarDate } from '#lib/time-format.ts';
import { signLink, verifyLink } from '#server/platform/signed-links.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { NotFoundError } from '#server/kernel/errors.ts';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog } from '#lib/catalog.ts';
import { lessonUrl } from '#lib/catalog.ts';
import * as teamsRepo from './repo.ts';
import * as repo from './reminders-repo.ts';
import { progressOfUser } from '#server/progress/index.ts';
import { recordAudit } from '#server/audit/index.ts';
import { settings } from '#server/platform/settings.ts';
import { composeMail, sendMail } from '#server/platform/mail.ts';

import { requireLeader, teamToday } from './teams.ts';
import {
  DEFAULT_QUIET_END,
  DEFAULT_QUIET_START,
  inQuietHours,
  nextSendTime,
  type AssignmentState,
  type QuietHours,
} from '#lib/team-rules.ts';

const DAY = 86_400_000;

/** Quiet hours are read in the person's account time zone (`timeZone`), as every time they see. */
export interface ReminderPreferences extends QuietHours {
  remindersOn: boolean;
}

/** Settings for people who never saved any: quiet 21:00-07:00 in their own zone, reminders on. */
async function preferencesFor(db: Kysely<Database>, userIds: string[]): Promise<Map<string, ReminderPreferences>> {
  const rows = await repo.preferencesOf(db, userIds);
  const map = new Map<string, ReminderPreferences>();
  for (const id of userIds)
    map.set(id, { timeZone: 'UTC', startMinute: DEFAULT_QUIET_START, endMinute: DEFAULT_QUIET_END, remindersOn: true });
  for (const row of rows) {
    map.set(row.user_id, {
      timeZone: row.time_zone,
      startMinute: row.quiet_start_minute ?? DEFAULT_QUIET_START,
      endMinute: row.quiet_end_minute ?? DEFAULT_QUIET_END,
      remindersOn: row.unsubscribed_at === null,
    });
  }
  return map;
}

export async function myPreferences({ db, user }: RequestContext): Promise<ReminderPreferences> {
  return (await preferencesFor(db, [user.id])).get(user.id)!;
}

export async function savePreferences(
  ctx: RequestContext,
  input: { quietStart: number; quietEnd: number; remindersOn: boolean },
) {
  await repo.savePreferences(ctx.db, ctx.user.id, {
    quietStartMinute: input.quietStart,
    quietEndMinute: input.quietEnd,
    remindersOn: input.remindersOn,
  });
  return { saved: true };
}

export interface ReminderPlan {
  assignment: { id: string; courseSlug: string; title: string; dueOn: string };
  recipients: {
    userId: string;
    name: string;
    state: AssignmentState;
    deliverAfter: Date;
    waitsForQuietHours: boolean;
  }[];
  notReminded: { userId: string; name: string; reason: string }[];
}

/** Who would get a reminder now, and who would not and why: shown before anything is sent. */
export async function planReminders(
  ctx: RequestContext,
  input: { teamId: string; assignmentId: string },
): Promise<ReminderPlan> {
  await requireLeader(ctx, input.teamId);
  const validId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.assignmentId);
  const assignment = validId ? await teamsRepo.findAssignment(ctx.db, input.teamId, input.assignmentId) : undefined;
  if (!assignment) throw new NotFoundError('That assignment was removed.');
  const now = ctx.now ?? new Date();
  const course = ctx.catalog.course(assignment.course_slug);
  const lessons = (course?.lessons ?? []).map((l) => ({ course_slug: assignment.course_slug, lesson_slug: l.slug }));
  const members = new Map((await teamsRepo.listMembers(ctx.db, input.teamId)).map((m) => [m.user_id, m]));
  const states = (
    await teamsRepo.assignmentStates(ctx.db, { teamId: input.teamId }, lessons, teamToday(now, ctx.user.timeZone))
  )
    .filter((r) => r.assignment_id === assignment.id)
    .map((r) => ({
      ...r,
      user_name: members.get(r.user_id)?.name ?? '',
      account_deleted: members.get(r.user_id)?.account_deleted ?? false,
      account_deactivated: members.get(r.user_id)?.account_deactivated ?? false,
    }))
    .sort((a, b) => a.user_name.localeCompare(b.user_name));
  const recent = new Map(
    (await repo.recentlyReminded(ctx.db, assignment.id, new Date(now.getTime() - DAY))).map((r) => [
      r.user_id,
      r.last_requested_at,
    ]),
  );
  const prefs = await preferencesFor(
    ctx.db,
    states.map((s) => s.user_id),
  );
  const plan: ReminderPlan = {
    assignment: {
      id: assignment.id,
      courseSlug: assignment.course_slug,
      title: course?.title ?? assignment.course_slug,
      dueOn: assignment.due_on,
    },
    recipients: [],
    notReminded: [],
  };
  for (const row of states) {
    const pref = prefs.get(row.user_id)!;
    if (row.user_id === ctx.user.id)
      plan.notReminded.push({ userId: row.user_id, name: row.user_name, reason: 'That is you' });
    else if (row.account_deleted)
      plan.notReminded.push({ userId: row.user_id, name: row.user_name, reason: 'Account deleted' });
    else if (row.account_deactivated)
      plan.notReminded.push({ userId: row.user_id, name: row.user_name, reason: 'Account deactivated' });
    else if (row.state === 'completed')
      plan.notReminded.push({ userId: row.user_id, name: row.user_name, reason: 'Already completed' });
    else if (recent.has(row.user_id))
      plan.notReminded.push({ userId: row.user_id, name: row.user_name, reason: 'Reminded in the last 24 hours' });
    else if (!pref.remindersOn)
      plan.notReminded.push({ userId: row.user_id, name: row.user_name, reason: 'Turned reminders off' });
    else {
      const deliverAfter = nextSendTime(pref, now);
      plan.recipients.push({
        userId: row.user_id,
        name: row.user_name,
        state: row.state,
        deliverAfter,
        waitsForQuietHours: inQuietHours(pref, now),
      });
    }
  }
  return plan;
}

/**
 * Queues a reminder for every member the plan names. A lock per assignment makes
 * two leaders pressing at once queue each member once; the 24-hour rule is read
 * inside that lock.
 */
export async function sendReminders(
  ctx: RequestContext,
  input: { teamId: string; assignmentId: string; note?: string },
) {
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (tx) => {
    await repo.lockAssignmentReminders(tx, input.assignmentId);
    const plan = await planReminders({ ...ctx, db: tx as unknown as Kysely<Database>, now }, input);
    await repo.enqueueReminders(
      tx,
      plan.recipients.map((r) => ({
        assignmentId: input.assignmentId,
        userId: r.userId,
        requestedBy: ctx.user.id,
        requestedAt: now,
        deliverAfter: r.deliverAfter,
        note: input.note ?? '',
      })),
    );
    if (plan.recipients.length)
      await recordAudit(tx, {
        actorId: ctx.user.id,
        action: 'team.remind',
        target: `team:${input.teamId}`,
        details: { assignmentId: input.assignmentId, count: plan.recipients.length, withNote: Boolean(input.note) },
      });
    return { queued: plan.recipients.length, names: plan.recipients.map((r) => r.name) };
  });
}

// ---------------------------------------------------------------- unsubscribe links

const UNSUBSCRIBE = 'unsubscribe-reminders';

export function unsubscribeToken(db: Kysely<Database>, userId: string): Promise<string> {
  return signLink(db, UNSUBSCRIBE, userId);
}

export async function unsubscribeWithToken(db: Kysely<Database>, token: string): Promise<boolean> {
  const userId = await verifyLink(db, UNSUBSCRIBE, token);
  if (!userId) return false;
  await repo
    .unsubscribe(db, userId, { quietStartMinute: DEFAULT_QUIET_START, quietEndMinute: DEFAULT_QUIET_END })
    .catch((error: unknown) => {
      // The account was deleted since: nothing left to unsubscribe.
      if (String((error as { code?: string }).code) !== '23503') throw error;
    });
  return true;
}

// ---------------------------------------------------------------- delivery

export interface RunResult {
  sent: number;
  skipped: number;
  postponed: number;
  failed: number;
}

/**
 * Sends every reminder that is due, in batches. Each one is checked again at send
 * time: still in the team, not completed meanwhile, reminders still on, and not
 * inside quiet hours (preferences may have changed since it was queued).
 */
export async function runDueReminders(db: Kysely<Database>, catalog: Catalog, now = new Date()): Promise<RunResult> {
  const result: RunResult = { sent: 0, skipped: 0, postponed: 0, failed: 0 };
  for (;;) {
    const batch = await repo.claimDueReminders(db, now, 50);
    if (batch.length === 0) return result;
    const prefs = await preferencesFor(db, [...new Set(batch.map((r) => r.user_id))]);
    for (const reminder of batch) {
      const pref = prefs.get(reminder.user_id)!;
      const course = catalog.course(reminder.course_slug);
      const progress = course ? summarizeCourse(course, await progressOfUser(db, reminder.user_id)) : undefined;
      const skip = reminder.account_deleted
        ? 'account deleted'
        : reminder.account_deactivated
          ? 'account deactivated'
          : reminder.team_archived
            ? 'team archived'
            : !reminder.still_member
              ? 'left the team'
              : !pref.remindersOn
                ? 'unsubscribed'
                : !course
                  ? 'course withdrawn'
                  : progress!.complete
                    ? 'completed'
                    : undefined;
      if (skip) {
        await repo.markSkipped(db, reminder.id, skip);
        result.skipped += 1;
        continue;
      }
      if (inQuietHours(pref, now)) {
        await repo.postpone(db, reminder.id, nextSendTime(pref, now), null);
        result.postponed += 1;
        continue;
      }
      try {
        const base = settings().PUBLIC_URL;
        const next = progress!.next ?? course!.lessons[0]!;
        const unsubscribeUrl = `${base}/teams/reminders/unsubscribe?token=${await unsubscribeToken(db, reminder.user_id)}`;
        // Team and leader names are typed by people: quoted and named as theirs, never the start of Rounds' words.
        const askedBy = reminder.requested_by_name ? `, asked for by ${reminder.requested_by_name}` : '';
        const mail = composeMail({
          to: reminder.email,
          subject: `A friendly reminder: ${course!.title}`,
          greeting: `Hello ${reminder.name},`,
          paragraphs: [
            `Your team asked us to send you a gentle reminder about “${course!.title}”, due ${formatCalendarDate(reminder.due_on)}.`,
            progress!.done > 0
              ? `You have done ${progress!.done} of ${progress!.total} lessons. The next one, “${next.title}”, takes about ${next.minutes} minutes.`
              : `The first lesson, “${next.title}”, takes about ${next.minutes} minutes.`,
            `Team: “${reminder.team_name}”${askedBy}.`,
            // The leader's own words, plain text (the HTML part escapes them), after Rounds' and named as theirs.
            ...(reminder.note
              ? [`A note from ${reminder.requested_by_name ?? 'your team leader'}, in their words: “${reminder.note}”`]
              : []),
          ],
          action: { label: 'Open my next lesson', url: `${base}${lessonUrl(next)}` },
          footer: `You get this because you are in the team “${reminder.team_name}” on Rounds. To stop reminders from any team, open this link: ${unsubscribeUrl}`,
          unsubscribeUrl,
        });
        await sendMail(db, mail);
        await repo.markDelivered(db, reminder.id);
        result.sent += 1;
      } catch (error) {
        // Try again later, backing off; after five attempts the row stays for an operator to see.
        await repo.postpone(
          db,
          reminder.id,
          new Date(now.getTime() + 15 * 60_000),
          String((error as Error).message ?? error).slice(0, 500),
        );
        result.failed += 1;
      }
    }
  }
}
