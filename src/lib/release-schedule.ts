// When each lesson of an event unlocks, for one learner. Pure: no I/O, no clock.
//
// A schedule is written in the event's wall clock ("the day after the event at
// 7:00, then every three days at 7:00") and turned into instants with the zone's
// offsets from Intl, so 7:00 stays 7:00 across daylight-saving changes. A time that
// does not exist (the spring gap) moves forward by the gap; a time that happens
// twice (the autumn overlap) takes the first one — what Temporal calls 'compatible'.

import { addDays } from './team-rules.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface ReleaseSchedule {
  /** IANA zone the schedule is written in, e.g. 'Europe/Berlin'. */
  timeZone: string;
  /** The event's calendar date, YYYY-MM-DD. Day offsets count from it. */
  eventDate: string;
  /** Local time of day at which lessons unlock, in minutes after midnight. */
  unlockMinute: number;
  /** Days after the event the first lesson unlocks (0 = the event day). */
  firstUnlockDays: number;
  /** Days between one lesson and the next. */
  intervalDays: number;
  /**
   * Explicit day offsets (from the event date), one per lesson, non-decreasing.
   * When set, they replace firstUnlockDays/intervalDays; lessons beyond the list
   * continue from its last offset every intervalDays.
   */
  dayOffsets?: number[] | null;
  /**
   * Set once the schedule was changed: the first `count` lessons had been released by
   * then and stay open for everyone, whatever the new schedule says (only future
   * releases move). `since` is when the change was made.
   */
  keptOpen?: { count: number; since: Date } | null;
}

/** A learner's pauses: the total time paused so far, and when the current pause began. */
export interface PauseState {
  pausedTotalMs: number;
  pausedAt: Date | null;
}

export const NO_PAUSE: PauseState = { pausedTotalMs: 0, pausedAt: null };

// ---------------------------------------------------------------- zone arithmetic

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `timeZone` at an instant. */
export function wallClockAt(timeZone: string, instant: Date | number): WallClock {
  const parts = formatter(timeZone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const era = parts.find((p) => p.type === 'era')?.value;
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year');
  return {
    year,
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** A wall-clock reading as milliseconds on a UTC-like scale (for arithmetic only). */
function wallMs(clock: WallClock): number {
  return Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
}

/** How far `timeZone` is ahead of UTC at an instant, in ms (Berlin in winter: +3,600,000). */
export function offsetMs(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallMs(wallClockAt(timeZone, whole)) - whole;
}

/**
 * The instant a wall-clock time (as wallMs) happens in `timeZone`. Gap: shifted
 * forward by the gap; overlap: the earlier of the two.
 */
export function instantOfWallTime(timeZone: string, local: number): Date {
  const before = offsetMs(timeZone, local - DAY);
  const after = offsetMs(timeZone, local + DAY);
  const matches = [...new Set([before, after])].filter((offset) => offsetMs(timeZone, local - offset) === offset);
  if (matches.length > 0) return new Date(local - Math.max(...matches));
  // The wall time falls in a gap: read it with the offset that held before the change.
  return new Date(local - before);
}

export function zonedTime(timeZone: string, date: string, minuteOfDay: number): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return instantOfWallTime(timeZone, Date.UTC(year, month - 1, day, 0, minuteOfDay));
}

// ---------------------------------------------------------------- schedule

/** Day offset (from the event date) of the lesson at 0-based `index` in the event's sequence. */
export function dayOffsetOf(schedule: ReleaseSchedule, index: number): number {
  const offsets = schedule.dayOffsets;
  if (offsets && offsets.length > 0) {
    if (index < offsets.length) return offsets[index]!;
    return offsets[offsets.length - 1]! + (index - offsets.length + 1) * schedule.intervalDays;
  }
  return schedule.firstUnlockDays + index * schedule.intervalDays;
}

/** When the lesson at `index` unlocks for everyone who never paused. */
export function baseUnlockAt(schedule: ReleaseSchedule, index: number): Date {
  return zonedTime(schedule.timeZone, addDays(schedule.eventDate, dayOffsetOf(schedule, index)), schedule.unlockMinute);
}

export type LessonRelease =
  | { state: 'unlocked'; unlockedAt: Date }
  | { state: 'locked'; unlocksAt: Date }
  /** The learner is paused: unlocks again once they resume (the date moves on as the pause lasts). */
  | { state: 'paused' };

/**
 * One lesson's state for one learner at `now`. Pauses shift future unlocks by the
 * paused time, added on the event's wall clock (a five-day pause keeps 7:00 at 7:00
 * even if the clocks change meanwhile). A lesson that had unlocked before a pause
 * stays unlocked. Late joiners need nothing special: the schedule counts from the
 * event, so everything already released is open to them.
 */
export function lessonRelease(schedule: ReleaseSchedule, index: number, pause: PauseState, now: Date): LessonRelease {
  const unlockedAt = unlockAtFor(schedule, index, pause);
  if (!unlockedAt) return { state: 'paused' };
  if (unlockedAt.getTime() <= now.getTime()) return { state: 'unlocked', unlockedAt };
  return { state: 'locked', unlocksAt: unlockedAt };
}

/** The moment a lesson unlocks for this learner, or null while they are paused and it is not yet open. */
export function unlockAtFor(schedule: ReleaseSchedule, index: number, pause: PauseState): Date | null {
  const shifted = shiftByPause(schedule, baseUnlockAt(schedule, index), pause.pausedTotalMs);
  const kept = schedule.keptOpen;
  // Released before the schedule changed: open for everyone, paused or not.
  if (kept && index < kept.count) return shifted.getTime() < kept.since.getTime() ? shifted : kept.since;
  if (pause.pausedAt && shifted.getTime() > pause.pausedAt.getTime()) return null;
  return shifted;
}

/**
 * How many lessons (from the start of the sequence) the event has released to everyone
 * by `now`: those a schedule change must keep open. Unlock times never decrease along
 * the sequence, so the released ones are always a prefix.
 */
export function releasedLessonCount(schedule: ReleaseSchedule, lessonCount: number, now: Date): number {
  let count = 0;
  while (count < lessonCount && lessonRelease(schedule, count, NO_PAUSE, now).state === 'unlocked') count++;
  return count;
}

function shiftByPause(schedule: ReleaseSchedule, base: Date, pausedTotalMs: number): Date {
  if (pausedTotalMs <= 0) return base;
  const local = base.getTime() + offsetMs(schedule.timeZone, base.getTime());
  return instantOfWallTime(schedule.timeZone, local + pausedTotalMs);
}

/** The pause state after resuming at `now`. */
export function resume(pause: PauseState, now: Date): PauseState {
  if (!pause.pausedAt) return pause;
  return { pausedTotalMs: pause.pausedTotalMs + Math.max(0, now.getTime() - pause.pausedAt.getTime()), pausedAt: null };
}

/** Every lesson's release for a sequence of `count` lessons. */
export function releases(schedule: ReleaseSchedule, count: number, pause: PauseState, now: Date): LessonRelease[] {
  return Array.from({ length: count }, (_, index) => lessonRelease(schedule, index, pause, now));
}

// ---------------------------------------------------------------- words

/** 'Tue 3 Feb, 7:00' in `timeZone` (24-hour clock). */
export function formatUnlock(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const clock = wallClockAt(timeZone, at);
  return `${get('weekday')} ${get('day')} ${get('month')}, ${clock.hour}:${String(clock.minute).padStart(2, '0')}`;
}

/**
 * A schedule in words for the event page: 'The first lesson opens on …, then one every 3 days.',
 * in the reader's time zone (the event's for a visitor who is not signed in).
 */
export function describeSchedule(
  schedule: ReleaseSchedule,
  lessonCount: number,
  readerZone = schedule.timeZone,
): string {
  if (lessonCount === 0) return '';
  const kept = Math.min(schedule.keptOpen?.count ?? 0, lessonCount);
  if (kept === lessonCount) return lessonCount === 1 ? 'The lesson is open.' : 'All the lessons are open.';
  if (kept > 0) {
    const next = formatUnlock(baseUnlockAt(schedule, kept), readerZone);
    const open = kept === 1 ? 'The first lesson is open' : `The first ${kept} lessons are open`;
    const then =
      lessonCount - kept > 1 && !schedule.dayOffsets?.length
        ? `, then ${schedule.intervalDays === 1 ? 'one every day' : `one every ${schedule.intervalDays} days`}`
        : '';
    return `${open}; the next opens on ${next}${then}.`;
  }
  const first = formatUnlock(baseUnlockAt(schedule, 0), readerZone);
  if (schedule.dayOffsets && schedule.dayOffsets.length > 0) {
    const last = formatUnlock(baseUnlockAt(schedule, lessonCount - 1), readerZone);
    return lessonCount === 1
      ? `The lesson opens on ${first}.`
      : `The first lesson opens on ${first}; the last on ${last}.`;
  }
  if (lessonCount === 1) return `The lesson opens on ${first}.`;
  const every = schedule.intervalDays === 1 ? 'one every day' : `one every ${schedule.intervalDays} days`;
  return `The first lesson opens on ${first}, then ${every}.`;
}

/** Parses '1, 3, 7' into day offsets; undefined when it is not a non-decreasing list of whole days. */
export function parseDayOffsets(text: string): number[] | undefined {
  const pieces = text.split(/[\s,;]+/).filter(Boolean);
  if (pieces.length === 0) return undefined;
  const values: number[] = [];
  for (const piece of pieces) {
    if (!/^\d{1,3}$/.test(piece)) return undefined;
    const value = Number(piece);
    if (values.length && value < values[values.length - 1]!) return undefined;
    values.push(value);
  }
  return values;
}

export { MINUTE as MINUTE_MS, DAY as DAY_MS };
