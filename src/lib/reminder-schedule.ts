// Automatic reminders (decision 0040): which stage of a due date a member is in on
// their own calendar day, what comes next, and how the day's reminders merge into one
// email. Pure: no I/O. Dates are YYYY-MM-DD in the member's time zone.
import { addDays, dateIn, inQuietHours, minuteOfDay, type QuietHours } from './team-rules.ts';
import { daysUntil, dueInWords } from './due-words.ts';

export type ReminderStage = 'before' | 'due' | 'overdue-1' | 'overdue-2' | 'overdue-3' | 'overdue-4';

/** At most this many weekly reminders while overdue. */
export const OVERDUE_REMINDERS = 4;
export const DEFAULT_DAYS_BEFORE = 3;
export const MAX_DAYS_BEFORE = 30;

export interface TeamSchedule {
  automatic: boolean;
  /** 0 = no reminder before the due date. */
  daysBefore: number;
}

export const DEFAULT_SCHEDULE: TeamSchedule = { automatic: true, daysBefore: DEFAULT_DAYS_BEFORE };

/** The first day of each stage, in order. */
function stageStarts(dueOn: string, daysBefore: number): { stage: ReminderStage; from: string }[] {
  const stages: { stage: ReminderStage; from: string }[] = [];
  if (daysBefore > 0) stages.push({ stage: 'before', from: addDays(dueOn, -daysBefore) });
  stages.push({ stage: 'due', from: dueOn });
  for (let week = 1; week <= OVERDUE_REMINDERS; week++)
    stages.push({ stage: `overdue-${week}` as ReminderStage, from: addDays(dueOn, 7 * week) });
  return stages;
}

/**
 * The stage a member is in on `today`: the latest one that has begun, until the next
 * begins (the last overdue one lasts a week). A stage missed (the day's email had gone,
 * quiet hours, the server down) is not sent late once the next has begun.
 */
export function currentStage(dueOn: string, today: string, daysBefore: number): ReminderStage | undefined {
  const stages = stageStarts(dueOn, daysBefore);
  const last = addDays(dueOn, 7 * OVERDUE_REMINDERS + 6);
  if (today > last) return undefined;
  let current: ReminderStage | undefined;
  for (const { stage, from } of stages) if (from <= today) current = stage;
  return current;
}

/** The next stage not sent yet, on or after `today`, with its first day; undefined when none is left. */
export function nextStage(
  dueOn: string,
  today: string,
  daysBefore: number,
  sent: ReadonlySet<ReminderStage>,
): { stage: ReminderStage; on: string } | undefined {
  const now = currentStage(dueOn, today, daysBefore);
  if (now && !sent.has(now)) return { stage: now, on: today };
  for (const { stage, from } of stageStarts(dueOn, daysBefore))
    if (from > today && !sent.has(stage)) return { stage, on: from };
  return undefined;
}

export function stageLabel(stage: ReminderStage, daysBefore: number): string {
  if (stage === 'before') return `${daysBefore} ${daysBefore === 1 ? 'day' : 'days'} before the due date`;
  if (stage === 'due') return 'on the due date';
  return `while overdue (${stage.slice('overdue-'.length)} of ${OVERDUE_REMINDERS})`;
}

export interface DigestItem {
  teamId: string;
  teamName: string;
  assignmentId: string;
  courseTitle: string;
  stage: ReminderStage;
  dueOn: string;
  /** Where one click takes them: the next lesson of the course. */
  url: string;
  nextLesson: { title: string; minutes: number };
  done: number;
  total: number;
}

export interface Digest {
  subject: string;
  paragraphs: string[];
  action: { label: string; url: string };
  teamIds: string[];
}

/**
 * One email for everything due to one person today, soonest due first. One item reads
 * as a single reminder; several are listed, each with its own link. Words are kind:
 * what is due and how long the next step takes, never a ranking or a count of misses.
 */
export function mergeDigest(items: DigestItem[], today: string): Digest {
  if (items.length === 0) throw new Error('A digest needs at least one item.');
  const sorted = [...items].sort(
    (a, b) => a.dueOn.localeCompare(b.dueOn) || a.courseTitle.localeCompare(b.courseTitle),
  );
  const first = sorted[0]!;
  const teamIds = [...new Set(sorted.map((i) => i.teamId))];
  const line = (i: DigestItem) =>
    `“${i.courseTitle}” for the team “${i.teamName}”, ${dueInWords(i.dueOn, today)}. ` +
    (i.done > 0
      ? `You have done ${i.done} of ${i.total} lessons; the next, “${i.nextLesson.title}”, takes about ${i.nextLesson.minutes} minutes: ${i.url}`
      : `The first lesson, “${i.nextLesson.title}”, takes about ${i.nextLesson.minutes} minutes: ${i.url}`);
  if (sorted.length === 1) {
    const overdue = daysUntil(first.dueOn, today) < 0;
    return {
      subject: `${overdue ? 'Still open' : 'Coming up'}: ${first.courseTitle}`,
      paragraphs: [`A gentle reminder about ${line(first)}`],
      action: { label: 'Open my next lesson', url: first.url },
      teamIds,
    };
  }
  return {
    subject: `${sorted.length} courses to look at when you have a moment`,
    paragraphs: [
      `A gentle reminder, all in one email: ${sorted.length} courses your teams assigned are coming up or still open.`,
      ...sorted.map(line),
    ],
    action: { label: `Open “${first.courseTitle}”`, url: first.url },
    teamIds,
  };
}

/**
 * The once-a-day rule as a decision on one person: send when nothing automatic went
 * to them on their `today` and no other runner holds that day now.
 */
export function maySendToday(day: { sent_at: Date | null; lease_until: Date | null } | undefined, now: Date): boolean {
  if (!day) return true;
  if (day.sent_at) return false;
  return !day.lease_until || day.lease_until <= now;
}

/** The Monday (YYYY-MM-DD) of the week `today` is in. */
export function mondayOf(today: string): string {
  const weekday = new Date(`${today}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(today, -((weekday + 6) % 7));
}

/** Monday morning in the leader's own zone: from the end of their quiet hours until noon. */
export function isDigestTime(quiet: QuietHours, now: Date): boolean {
  const today = dateIn(quiet.timeZone, now);
  return mondayOf(today) === today && minuteOfDay(quiet.timeZone, now) < 12 * 60 && !inQuietHours(quiet, now);
}
