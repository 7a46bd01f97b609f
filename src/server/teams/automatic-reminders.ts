import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog } from '#lib/catalog.ts';
import { lessonUrl } from '#lib/catalog.ts';
import {
  DEFAULT_SCHEDULE,
  currentStage,
  isDigestTime,
  mergeDigest,
  nextStage,
  stageLabel,
  type DigestItem,
  type ReminderStage,
  type TeamSchedule,
} from '#lib/reminder-schedule.ts';
import {
  DEFAULT_QUIET_END,
  DEFAULT_QUIET_START,
  dateIn,
  formatMinute,
  inQuietHours,
  type QuietHours,
} from '#lib/team-rules.ts';
import { formatCalendarDate } from '#lib/time-format.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { recordAudit } from '#server/audit/index.ts';
import {
  claimMailDay,
  claimMailDays,
  dayOf,
  freeMailDays,
  markMailDaySent,
  releaseMailDay,
} from '#server/platform/daily-mail.ts';
import { composeMail, sendMail } from '#server/platform/mail.ts';
import { deliver } from '#server/notifications/index.ts';
import { settings } from '#server/platform/settings.ts';
import { linkSigner, signLink, verifyLink } from '#server/platform/signed-links.ts';
import * as repo from './automatic-reminders-repo.ts';
import * as teamsRepo from './repo.ts';
import { requireLeader } from './teams.ts';

// Automatic follow-up (issue 17 §3, decision 0040): reminders before, on and after a due
// date on each team's schedule, at most one automatic email a day per person (merged
// into one digest), and the leaders' Monday digest.

const DAY = 86_400_000;
/** People whose days one statement claims; their emails go out SENDS_AT_ONCE at a time. */
const CLAIM_SLICE = 200;
const SENDS_AT_ONCE = 8;

export interface FollowUpOptions {
  /** How mail leaves (tests replace it); default: SMTP or the outbox. */
  send?: (db: Kysely<Database>, mail: ReturnType<typeof composeMail>) => Promise<void>;
  /** How long a claimed day is reserved for the runner that claimed it. */
  leaseMs?: number;
}

export interface FollowUpResult {
  /** Emails sent (a digest of several reminders counts once). */
  sent: number;
  /** Reminders those emails carried. */
  reminders: number;
  /** Due, but inside quiet hours or the person's email of the day went already: a later run. */
  waiting: number;
  failed: number;
}

function quietOf(row: {
  time_zone: string;
  quiet_start_minute: number | null;
  quiet_end_minute: number | null;
}): QuietHours {
  return {
    timeZone: row.time_zone,
    startMinute: row.quiet_start_minute ?? DEFAULT_QUIET_START,
    endMinute: row.quiet_end_minute ?? DEFAULT_QUIET_END,
  };
}

// ---------------------------------------------------------------- the leader's schedule

export async function reminderSchedule(ctx: RequestContext, teamId: string): Promise<TeamSchedule> {
  await requireLeader(ctx, teamId);
  const row = await repo.scheduleOf(ctx.db, teamId);
  return row ? { automatic: row.automatic, daysBefore: row.days_before } : DEFAULT_SCHEDULE;
}

export async function saveReminderSchedule(
  ctx: RequestContext,
  input: { teamId: string; automatic: boolean; daysBefore: number },
): Promise<{ saved: true }> {
  await requireLeader(ctx, input.teamId);
  await ctx.db.transaction().execute(async (tx) => {
    await repo.saveSchedule(tx, input.teamId, {
      automatic: input.automatic,
      daysBefore: input.daysBefore,
      updatedBy: ctx.user.id,
    });
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'team.reminder-schedule',
      target: `team:${input.teamId}`,
      details: { automatic: input.automatic, daysBefore: input.daysBefore },
    });
  });
  return { saved: true };
}

export interface NextReminder {
  userId: string;
  name: string;
  courseTitle: string;
  what: string;
  /** YYYY-MM-DD, the member's own day. */
  on: string;
  /** "after 07:00 their time", or "at the next run". */
  when: string;
}

/**
 * Who will get what next: for each member with an open assignment, the next automatic
 * reminder and the day it goes (their own calendar, after their quiet hours). Soonest
 * first. Members who turned this team's reminders off are counted, not listed.
 */
export async function whoGetsWhatNext(
  ctx: RequestContext,
  teamId: string,
): Promise<{ schedule: TeamSchedule; next: NextReminder[]; optedOut: number }> {
  const schedule = await reminderSchedule(ctx, teamId);
  const now = ctx.now ?? new Date();
  const optedOut = (await repo.optedOutMembers(ctx.db, teamId)).length;
  if (!schedule.automatic) return { schedule, next: [], optedOut };
  const rows = await repo.automaticCandidates(ctx.db, now, { teamId, anyDueDate: true });
  const next: NextReminder[] = [];
  for (const row of rows) {
    const course = ctx.catalog.course(row.course_slug);
    if (!course || isComplete(course.lessons, row.done_lessons)) continue;
    const today = dateIn(row.time_zone, now);
    const upcoming = nextStage(row.due_on, today, row.days_before, new Set(row.sent_stages));
    if (!upcoming) continue;
    const quiet = quietOf(row);
    const soon = upcoming.on === today && !inQuietHours(quiet, now);
    next.push({
      userId: row.user_id,
      name: row.name,
      courseTitle: course.title,
      what: `Reminder ${stageLabel(upcoming.stage, row.days_before)}`,
      on: upcoming.on,
      when: soon
        ? 'at the next run'
        : quiet.startMinute === quiet.endMinute
          ? 'during the day'
          : `after ${formatMinute(quiet.endMinute)} their time`,
    });
  }
  next.sort((a, b) => a.on.localeCompare(b.on) || a.name.localeCompare(b.name));
  return { schedule, next, optedOut };
}

function isComplete(lessons: { slug: string }[], done: string[]): boolean {
  const set = new Set(done);
  return lessons.length > 0 && lessons.every((l) => set.has(l.slug));
}

// ---------------------------------------------------------------- one-click unsubscribe, per team

const UNSUBSCRIBE_TEAMS = 'unsubscribe-team-reminders';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The teams a link names, in a stable order (the signature covers them). */
function teamList(teamIds: string[]): string {
  return [...new Set(teamIds)].sort().join(',');
}

export async function teamUnsubscribeUrl(db: Kysely<Database>, userId: string, teamIds: string[]): Promise<string> {
  const teams = teamList(teamIds);
  const token = await signLink(db, `${UNSUBSCRIBE_TEAMS}:${teams}`, userId);
  return `${settings().PUBLIC_URL}/teams/reminders/unsubscribe?teams=${teams}&token=${token}`;
}

/**
 * Stops automatic reminders from the teams a signed link names, for the person it
 * names. The team names, or undefined when the link is not ours (or names no team).
 */
export async function unsubscribeFromTeamsWithToken(
  db: Kysely<Database>,
  token: string,
  teams: string,
): Promise<string[] | undefined> {
  const teamIds = teams.split(',').filter(Boolean);
  if (teamIds.length === 0 || teamIds.length > 20 || !teamIds.every((id) => UUID.test(id))) return undefined;
  const userId = await verifyLink(db, `${UNSUBSCRIBE_TEAMS}:${teamList(teamIds)}`, token);
  if (!userId) return undefined;
  const still = await repo.teamsOfMember(db, userId, teamIds);
  await repo.optOut(
    db,
    userId,
    still.map((t) => t.id),
  );
  return still.map((t) => t.name);
}

// ---------------------------------------------------------------- the daily pass

/**
 * Sends the automatic reminders that are due now: for each member and open assignment,
 * the stage their own calendar day is in (before, on the day, weekly while overdue),
 * once. Everything due to one person goes in one email, and only when nothing
 * automatic went to them yet today (the daily mail ledger, decision 0040) and they are
 * outside their quiet hours; otherwise a later run tries again. Safe to run at any time,
 * from two runners at once, or again after a crash: the person's day is claimed before
 * the email is sent and marked, with the stages it carried, after.
 */
export async function runAutomaticReminders(
  db: Kysely<Database>,
  catalog: Catalog,
  now = new Date(),
  options: FollowUpOptions = {},
): Promise<FollowUpResult> {
  const result: FollowUpResult = { sent: 0, reminders: 0, waiting: 0, failed: 0 };
  const rows = await repo.automaticCandidates(db, now);
  const base = settings().PUBLIC_URL;

  type Due = { row: repo.AutomaticCandidate; stage: ReminderStage; item: DigestItem; today: string };
  const byPerson = new Map<string, Due[]>();
  for (const row of rows) {
    const course = catalog.course(row.course_slug);
    if (!course || isComplete(course.lessons, row.done_lessons)) continue;
    const today = dateIn(row.time_zone, now);
    const stage = currentStage(row.due_on, today, row.days_before);
    if (!stage || row.sent_stages.includes(stage)) continue;
    const done = new Set(row.done_lessons);
    const nextLesson = course.lessons.find((l) => !done.has(l.slug)) ?? course.lessons[0]!;
    const item: DigestItem = {
      teamId: row.team_id,
      teamName: row.team_name,
      assignmentId: row.assignment_id,
      courseTitle: course.title,
      stage,
      dueOn: row.due_on,
      url: `${base}${lessonUrl(nextLesson)}`,
      nextLesson: { title: nextLesson.title, minutes: nextLesson.minutes },
      done: course.lessons.filter((l) => done.has(l.slug)).length,
      total: course.lessons.length,
    };
    const list = byPerson.get(row.user_id) ?? [];
    list.push({ row, stage, item, today });
    byPerson.set(row.user_id, list);
  }
  if (byPerson.size === 0) return result;

  const people = [...byPerson.values()].filter((due) => {
    if (inQuietHours(quietOf(due[0]!.row), now)) {
      result.waiting += due.length;
      return false;
    }
    return true;
  });
  const free = await freeMailDays(
    db,
    people.map((due) => ({ userId: due[0]!.row.user_id, day: due[0]!.today })),
    now,
  );
  const sign = await linkSigner(db);
  const sendOne = async (due: Due[]) => {
    const { row, today } = due[0]!;
    const day = { userId: row.user_id, day: today };
    try {
      const digest = mergeDigest(
        due.map((d) => d.item),
        today,
      );
      const teams = digest.teamIds.length > 1;
      const teamList = [...new Set(due.map((d) => d.row.team_id))].sort().join(',');
      const unsubscribeUrl = `${base}/teams/reminders/unsubscribe?teams=${teamList}&token=${sign(`${UNSUBSCRIBE_TEAMS}:${teamList}`, row.user_id)}`;
      const teamNames = [...new Set(due.map((d) => `“${d.row.team_name}”`))].join(', ');
      const mail = composeMail({
        to: row.email,
        subject: digest.subject,
        greeting: `Hello ${row.name},`,
        paragraphs: digest.paragraphs,
        action: digest.action,
        footer:
          `You get this because your ${teams ? 'teams' : 'team'} ${teamNames} on Rounds ${teams ? 'send' : 'sends'} ` +
          `automatic reminders, at most one email a day. To stop them from ${teams ? 'these teams' : 'this team'}, open this link: ${unsubscribeUrl}`,
        unsubscribeUrl,
      });
      // By push to the person's devices where they turned reminders on, else by email (decision 0044).
      const push = {
        title: digest.subject,
        body: digest.paragraphs[0] ?? '',
        url: digest.action.url,
        tag: 'team-reminders',
      };
      await deliver(db, { userId: row.user_id, push, mail }, { sendMail: options.send });
      await repo.markSent(
        db,
        day,
        due.map((d) => ({ assignmentId: d.row.assignment_id, stage: d.stage })),
        new Date(),
      );
      result.sent += 1;
      result.reminders += due.length;
    } catch (error) {
      const reason = String((error as Error)?.message ?? error).slice(0, 500);
      await releaseMailDay(db, day, new Date(now.getTime() + 15 * 60_000), reason);
      result.failed += 1;
    }
  };
  // In slices: each slice's days claimed in one statement, then its emails sent a few at
  // a time (each claimed day is one person's alone, so they cannot meet).
  const ready = people.filter((due) => {
    if (free.has(due[0]!.row.user_id)) return true;
    result.waiting += due.length;
    return false;
  });
  for (let start = 0; start < ready.length; start += CLAIM_SLICE) {
    const slice = ready.slice(start, start + CLAIM_SLICE);
    const claimed = await claimMailDays(
      db,
      slice.map((due) => ({ userId: due[0]!.row.user_id, day: due[0]!.today })),
      'team-reminders',
      now,
      options.leaseMs,
    );
    const mine = slice.filter((due) => {
      if (claimed.has(due[0]!.row.user_id)) return true;
      result.waiting += due.length;
      return false;
    });
    for (let i = 0; i < mine.length; i += SENDS_AT_ONCE)
      await Promise.all(mine.slice(i, i + SENDS_AT_ONCE).map(sendOne));
  }
  return result;
}

// ---------------------------------------------------------------- the leaders' Monday digest

const DIGEST_OFF = 'leader-digest-off';

export async function digestOffUrl(db: Kysely<Database>, userId: string): Promise<string> {
  return `${settings().PUBLIC_URL}/teams/reminders/unsubscribe?digest=1&token=${await signLink(db, DIGEST_OFF, userId)}`;
}

/** Turns the weekly digest off for the leader a signed link names; false when the link is not ours. */
export async function stopDigestWithToken(db: Kysely<Database>, token: string): Promise<boolean> {
  const userId = await verifyLink(db, DIGEST_OFF, token);
  if (!userId) return false;
  await repo.setDigestOff(db, userId, true).catch((error: unknown) => {
    // The account was deleted since: nothing left to stop.
    if (String((error as { code?: string }).code) !== '23503') throw error;
  });
  return true;
}

export async function myDigestOn({ db, user }: RequestContext): Promise<boolean> {
  return !(await repo.digestOff(db, user.id));
}

export async function saveDigestOn(ctx: RequestContext, on: boolean): Promise<{ saved: true }> {
  await repo.setDigestOff(ctx.db, ctx.user.id, !on);
  return { saved: true };
}

/**
 * The weekly digest each leader gets on Monday morning, in their time zone: for each
 * team they lead, who finished a course in the last seven days, whose course is past
 * its due date, and who joined; one link to the team's dashboard. Plain facts in a kind
 * voice, names in alphabetical order, no ranking. Claimed per leader and week before it
 * is sent, and it takes the leader's one automatic email of that day (it runs first).
 */
export async function runLeaderDigests(
  db: Kysely<Database>,
  catalog: Catalog,
  now = new Date(),
  options: FollowUpOptions = {},
): Promise<FollowUpResult> {
  const result: FollowUpResult = { sent: 0, reminders: 0, waiting: 0, failed: 0 };
  const leaders = (await repo.digestLeaders(db)).filter((l) => isDigestTime(quietOf(l), now));
  const base = settings().PUBLIC_URL;
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  for (const leader of leaders) {
    const today = dateIn(leader.time_zone, now);
    const key = { userId: leader.user_id, week: today };
    const day = dayOf(leader.user_id, leader.time_zone, now);
    if (!(await claimMailDay(db, day, 'leader-digest', now, leaseMs))) {
      result.waiting += 1;
      continue;
    }
    if (!(await repo.claimDigest(db, key, now, new Date(now.getTime() + leaseMs)))) {
      // Sent this week already (or another runner has it): the day stays free for reminders.
      await releaseMailDay(db, day, now, null);
      continue;
    }
    try {
      const since = new Date(now.getTime() - 7 * DAY);
      const paragraphs: string[] = [];
      const teams = await repo.ledTeams(db, leader.user_id);
      for (const team of teams) {
        const members = await teamsRepo.listMembers(db, team.id);
        const names = new Map(members.filter((m) => !m.account_deleted).map((m) => [m.user_id, m.name]));
        const finished: string[] = [];
        const overdue: string[] = [];
        const states = await teamsRepo.assignmentStates(db, { teamId: team.id }, lessonsOf(catalog), today);
        for (const cell of states) {
          const who = names.get(cell.user_id);
          if (!who) continue;
          const title = catalog.course(cell.course_slug)?.title ?? cell.course_slug;
          if (cell.state === 'completed' && cell.completed_at && cell.completed_at >= since)
            finished.push(`${who} (${title})`);
          if (cell.state === 'overdue') overdue.push(`${who} (${title})`);
        }
        const joined = (await repo.joinedSince(db, team.id, since)).map((j) => j.name);
        const list = (items: string[]) => [...items].sort((a, b) => a.localeCompare(b)).join('; ');
        paragraphs.push(
          [
            `“${team.name}”, ${base}/teams/${team.id}`,
            finished.length ? `Finished this week: ${list(finished)}.` : 'No course finished this week.',
            overdue.length
              ? `Past the due date, who may need a hand or a new date: ${list(overdue)}.`
              : 'Nothing is past its due date.',
            joined.length ? `Joined this week: ${list(joined)}.` : 'Nobody new joined.',
          ].join(' '),
        );
      }
      if (teams.length === 0) throw new Error('No team to report on.');
      const offUrl = await digestOffUrl(db, leader.user_id);
      await (options.send ?? sendMail)(
        db,
        composeMail({
          to: leader.email,
          subject: `Your teams this week, ${formatCalendarDate(today)}`,
          greeting: `Hello ${leader.name},`,
          paragraphs: [
            `Here is how your ${teams.length > 1 ? 'teams are' : 'team is'} doing this week.`,
            ...paragraphs,
          ],
          action: { label: 'Open the dashboard', url: `${base}/teams/${teams[0]!.id}` },
          footer: `You get this on Monday mornings because you lead a team on Rounds. To stop it, open this link: ${offUrl}`,
          unsubscribeUrl: offUrl,
        }),
      );
      const at = new Date();
      await repo.markDigestSent(db, key, at);
      await markMailDaySent(db, day, at);
      result.sent += 1;
    } catch (error) {
      const reason = String((error as Error)?.message ?? error).slice(0, 500);
      await repo.releaseDigest(db, key, new Date(now.getTime() + 15 * 60_000), reason);
      await releaseMailDay(db, day, new Date(now.getTime() + 15 * 60_000), reason);
      result.failed += 1;
    }
  }
  return result;
}

/** Every lesson the catalogue has now, per course: only these count toward completing one. */
function lessonsOf(catalog: Catalog): teamsRepo.CourseLessons {
  return catalog.courses.flatMap((c) => c.lessons.map((l) => ({ course_slug: c.slug, lesson_slug: l.slug })));
}
