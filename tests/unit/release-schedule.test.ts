import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  baseUnlockAt,
  dayOffsetOf,
  describeSchedule,
  formatUnlock,
  lessonRelease,
  NO_PAUSE,
  offsetMs,
  parseDayOffsets,
  releasedLessonCount,
  releases,
  resume,
  unlockAtFor,
  wallClockAt,
  zonedTime,
  type PauseState,
  type ReleaseSchedule,
} from '#lib/release-schedule.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;

function schedule(overrides: Partial<ReleaseSchedule>): ReleaseSchedule {
  return {
    timeZone: 'UTC',
    eventDate: '2026-01-01',
    unlockMinute: 7 * 60,
    firstUnlockDays: 1,
    intervalDays: 1,
    dayOffsets: null,
    ...overrides,
  };
}

const unlocks = (s: ReleaseSchedule, count: number) =>
  Array.from({ length: count }, (_, i) => baseUnlockAt(s, i).toISOString());

describe('zone arithmetic', () => {
  it('reads offsets on both sides of a change', () => {
    expect(offsetMs('America/New_York', Date.parse('2026-03-08T06:59:59Z'))).toBe(-5 * HOUR);
    expect(offsetMs('America/New_York', Date.parse('2026-03-08T07:00:00Z'))).toBe(-4 * HOUR);
    expect(offsetMs('Europe/Berlin', Date.parse('2026-10-25T00:59:59Z'))).toBe(2 * HOUR);
    expect(offsetMs('Europe/Berlin', Date.parse('2026-10-25T01:00:00Z'))).toBe(1 * HOUR);
    expect(offsetMs('Asia/Kolkata', Date.parse('2026-06-01T00:00:00Z'))).toBe(5.5 * HOUR);
  });

  it('moves a time in the spring gap forward by the gap (New York 2:30 → 3:30 EDT)', () => {
    expect(iso(zonedTime('America/New_York', '2026-03-08', 2 * 60 + 30))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(zonedTime('Europe/Berlin', '2026-03-29', 2 * 60 + 30))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the first of two times in the autumn overlap', () => {
    expect(iso(zonedTime('America/New_York', '2026-11-01', 60 + 30))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(zonedTime('Europe/Berlin', '2026-10-25', 2 * 60 + 30))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('gives back the wall time asked for wherever it exists (any zone, any day, any minute)', () => {
    const zones = [
      'America/New_York',
      'Europe/Berlin',
      'Australia/Sydney',
      'Asia/Kolkata',
      'America/St_Johns',
      'Pacific/Chatham',
      'UTC',
      'Australia/Lord_Howe',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 3 * 365 }),
        fc.integer({ min: 0, max: 1439 }),
        (zone, dayIndex, minute) => {
          const date = new Date(Date.UTC(2025, 0, 1) + dayIndex * DAY).toISOString().slice(0, 10);
          const instant = zonedTime(zone, date, minute);
          const clock = wallClockAt(zone, instant);
          const got = `${clock.year}-${String(clock.month).padStart(2, '0')}-${String(clock.day).padStart(2, '0')}`;
          const gotMinute = clock.hour * 60 + clock.minute;
          if (got === date && gotMinute === minute) return;
          // Only a wall time inside a gap may differ, and then only forward by the gap (≤ 1 h here).
          const asked = Date.UTC(
            ...((date.split('-').map(Number) as [number, number, number]).map((v, i) => (i === 1 ? v - 1 : v)) as [
              number,
              number,
              number,
            ]),
            0,
            minute,
          );
          const shown = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);
          expect(shown - asked).toBeGreaterThan(0);
          expect(shown - asked).toBeLessThanOrEqual(HOUR);
          // and no instant within a day of it reads the asked time
          for (let t = instant.getTime() - 2 * HOUR; t <= instant.getTime() + 2 * HOUR; t += 15 * 60_000) {
            const c = wallClockAt(zone, t);
            expect(Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute)).not.toBe(asked);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('release dates across daylight-saving changes', () => {
  it('America/New_York spring forward: 7:00 stays 7:00 local (12:00Z then 11:00Z)', () => {
    const s = schedule({ timeZone: 'America/New_York', eventDate: '2026-03-05', firstUnlockDays: 1, intervalDays: 2 });
    expect(unlocks(s, 3)).toEqual(['2026-03-06T12:00:00.000Z', '2026-03-08T11:00:00.000Z', '2026-03-10T11:00:00.000Z']);
  });

  it('America/New_York fall back', () => {
    const s = schedule({ timeZone: 'America/New_York', eventDate: '2026-10-30', firstUnlockDays: 1, intervalDays: 1 });
    expect(unlocks(s, 3)).toEqual(['2026-10-31T11:00:00.000Z', '2026-11-01T12:00:00.000Z', '2026-11-02T12:00:00.000Z']);
  });

  it('Europe/Berlin spring and autumn', () => {
    const spring = schedule({
      timeZone: 'Europe/Berlin',
      eventDate: '2026-03-27',
      firstUnlockDays: 1,
      intervalDays: 1,
    });
    expect(unlocks(spring, 3)).toEqual([
      '2026-03-28T06:00:00.000Z',
      '2026-03-29T05:00:00.000Z',
      '2026-03-30T05:00:00.000Z',
    ]);
    const autumn = schedule({
      timeZone: 'Europe/Berlin',
      eventDate: '2026-10-23',
      firstUnlockDays: 1,
      intervalDays: 1,
    });
    expect(unlocks(autumn, 3)).toEqual([
      '2026-10-24T05:00:00.000Z',
      '2026-10-25T06:00:00.000Z',
      '2026-10-26T06:00:00.000Z',
    ]);
  });

  it('Europe/Berlin: an unlock time inside the gap and inside the overlap', () => {
    const gap = schedule({
      timeZone: 'Europe/Berlin',
      eventDate: '2026-03-28',
      firstUnlockDays: 0,
      intervalDays: 1,
      unlockMinute: 2 * 60 + 30,
    });
    expect(unlocks(gap, 3)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    const overlap = schedule({
      timeZone: 'Europe/Berlin',
      eventDate: '2026-10-24',
      firstUnlockDays: 0,
      intervalDays: 1,
      unlockMinute: 2 * 60 + 30,
    });
    expect(unlocks(overlap, 3)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('Australia/Sydney (southern hemisphere: clocks go back in April, forward in October)', () => {
    const april = schedule({
      timeZone: 'Australia/Sydney',
      eventDate: '2026-04-03',
      firstUnlockDays: 1,
      intervalDays: 1,
    });
    expect(unlocks(april, 2)).toEqual(['2026-04-03T20:00:00.000Z', '2026-04-04T21:00:00.000Z']);
    const october = schedule({
      timeZone: 'Australia/Sydney',
      eventDate: '2026-10-02',
      firstUnlockDays: 1,
      intervalDays: 1,
    });
    expect(unlocks(october, 2)).toEqual(['2026-10-02T21:00:00.000Z', '2026-10-03T20:00:00.000Z']);
  });

  it('crosses year and month ends', () => {
    const s = schedule({
      timeZone: 'Pacific/Auckland',
      eventDate: '2026-12-30',
      firstUnlockDays: 1,
      intervalDays: 2,
      unlockMinute: 8 * 60,
    });
    expect(unlocks(s, 2)).toEqual(['2026-12-30T19:00:00.000Z', '2027-01-01T19:00:00.000Z']);
  });
});

describe('explicit day offsets', () => {
  it('uses one offset per lesson and continues every intervalDays after the list', () => {
    const s = schedule({ eventDate: '2026-05-01', dayOffsets: [0, 2, 7], intervalDays: 3 });
    expect([0, 1, 2, 3, 4].map((i) => dayOffsetOf(s, i))).toEqual([0, 2, 7, 10, 13]);
    expect(unlocks(s, 3)).toEqual(['2026-05-01T07:00:00.000Z', '2026-05-03T07:00:00.000Z', '2026-05-08T07:00:00.000Z']);
  });

  it('lets two lessons open on the same day', () => {
    const s = schedule({ dayOffsets: [1, 1, 4] });
    expect(unlocks(s, 3)).toEqual(['2026-01-02T07:00:00.000Z', '2026-01-02T07:00:00.000Z', '2026-01-05T07:00:00.000Z']);
  });

  it('parses what an organiser types', () => {
    expect(parseDayOffsets('1, 3, 7')).toEqual([1, 3, 7]);
    expect(parseDayOffsets(' 0 2;2 ')).toEqual([0, 2, 2]);
    expect(parseDayOffsets('3, 1')).toBeUndefined();
    expect(parseDayOffsets('1, two')).toBeUndefined();
    expect(parseDayOffsets('-1')).toBeUndefined();
    expect(parseDayOffsets('')).toBeUndefined();
  });
});

describe('a learner: late joins and pauses', () => {
  const s = schedule({ timeZone: 'Europe/Berlin', eventDate: '2026-03-20', firstUnlockDays: 1, intervalDays: 3 });
  // Base unlocks: 21 Mar 06:00Z, 24 Mar 06:00Z, 27 Mar 06:00Z, 30 Mar 05:00Z (CEST), 2 Apr 05:00Z

  it('is unlocked exactly at the unlock time, not a millisecond before', () => {
    expect(lessonRelease(s, 0, NO_PAUSE, at('2026-03-21T05:59:59.999Z'))).toEqual({
      state: 'locked',
      unlocksAt: at('2026-03-21T06:00:00Z'),
    });
    expect(lessonRelease(s, 0, NO_PAUSE, at('2026-03-21T06:00:00Z'))).toEqual({
      state: 'unlocked',
      unlockedAt: at('2026-03-21T06:00:00Z'),
    });
  });

  it('gives a late joiner everything already released, and the rest on the normal schedule', () => {
    const lateJoin = at('2026-03-28T12:00:00Z');
    expect(releases(s, 5, NO_PAUSE, lateJoin).map((r) => r.state)).toEqual([
      'unlocked',
      'unlocked',
      'unlocked',
      'locked',
      'locked',
    ]);
    expect(lessonRelease(s, 3, NO_PAUSE, lateJoin)).toEqual({ state: 'locked', unlocksAt: at('2026-03-30T05:00:00Z') });
  });

  it('joining before the event: nothing is open yet', () => {
    expect(releases(s, 3, NO_PAUSE, at('2026-03-01T00:00:00Z')).map((r) => r.state)).toEqual([
      'locked',
      'locked',
      'locked',
    ]);
  });

  it('while paused: opened lessons stay open, later ones wait', () => {
    const paused: PauseState = { pausedTotalMs: 0, pausedAt: at('2026-03-25T10:00:00Z') };
    const during = at('2026-04-10T00:00:00Z');
    expect(releases(s, 4, paused, during).map((r) => r.state)).toEqual(['unlocked', 'unlocked', 'paused', 'paused']);
    expect(unlockAtFor(s, 2, paused)).toBeNull();
    expect(unlockAtFor(s, 1, paused)).toEqual(at('2026-03-24T06:00:00Z'));
  });

  it('after resuming: future unlocks move by the paused time, keeping the local clock across DST', () => {
    // Paused 5 days exactly, from 25 Mar 10:00Z to 30 Mar 10:00Z (clocks changed on 29 Mar).
    const resumed = resume({ pausedTotalMs: 0, pausedAt: at('2026-03-25T10:00:00Z') }, at('2026-03-30T10:00:00Z'));
    expect(resumed).toEqual({ pausedTotalMs: 5 * DAY, pausedAt: null });
    // Lesson 3 was 27 Mar 7:00 CET; five days later is 1 Apr 7:00 CEST = 05:00Z.
    expect(lessonRelease(s, 2, resumed, at('2026-03-30T10:00:00Z'))).toEqual({
      state: 'locked',
      unlocksAt: at('2026-04-01T05:00:00Z'),
    });
    expect(formatUnlock(unlockAtFor(s, 2, resumed)!, 'Europe/Berlin')).toBe('Wed 1 Apr, 7:00');
    // Earlier lessons are untouched in state (still unlocked).
    expect(lessonRelease(s, 1, resumed, at('2026-03-30T10:00:00Z')).state).toBe('unlocked');
  });

  it('adds up several pauses', () => {
    let pause: PauseState = NO_PAUSE;
    pause = resume({ ...pause, pausedAt: at('2026-03-22T00:00:00Z') }, at('2026-03-23T00:00:00Z'));
    pause = resume({ ...pause, pausedAt: at('2026-03-26T00:00:00Z') }, at('2026-03-26T12:00:00Z'));
    expect(pause.pausedTotalMs).toBe(DAY + 12 * HOUR);
    // Lesson 2 (24 Mar 07:00 CET) → 25 Mar 19:00 CET.
    expect(unlockAtFor(s, 1, pause)).toEqual(at('2026-03-25T18:00:00Z'));
    expect(resume(pause, at('2026-04-01T00:00:00Z'))).toBe(pause);
  });
});

describe('a changed schedule', () => {
  const before = schedule({ eventDate: '2026-01-01', firstUnlockDays: 1, intervalDays: 3 }); // 2, 5, 8, 11 Jan
  const changedAt = at('2026-01-06T12:00:00Z'); // lessons 1 and 2 released

  it('counts the lessons released so far, as a prefix', () => {
    expect(releasedLessonCount(before, 6, changedAt)).toBe(2);
    expect(releasedLessonCount(before, 6, at('2026-01-01T00:00:00Z'))).toBe(0);
    expect(releasedLessonCount(before, 3, at('2027-01-01T00:00:00Z'))).toBe(3);
  });

  it('keeps released lessons open for everyone (paused too) when the event moves later; only future ones move', () => {
    const later: ReleaseSchedule = {
      ...before,
      eventDate: '2026-01-20',
      keptOpen: { count: releasedLessonCount(before, 6, changedAt), since: changedAt },
    };
    const now = at('2026-01-07T00:00:00Z');
    expect(lessonRelease(later, 0, NO_PAUSE, now)).toEqual({ state: 'unlocked', unlockedAt: changedAt });
    expect(lessonRelease(later, 1, NO_PAUSE, now)).toEqual({ state: 'unlocked', unlockedAt: changedAt });
    expect(lessonRelease(later, 2, NO_PAUSE, now)).toEqual({ state: 'locked', unlocksAt: at('2026-01-27T07:00:00Z') });
    const paused: PauseState = { pausedAt: at('2026-01-01T12:00:00Z'), pausedTotalMs: 0 };
    expect(lessonRelease(later, 1, paused, now).state).toBe('unlocked');
    expect(lessonRelease(later, 2, paused, now).state).toBe('paused');
    expect(describeSchedule(later, 6)).toBe(
      'The first 2 lessons are open; the next opens on Tue 27 Jan, 7:00, then one every 3 days.',
    );
    expect(describeSchedule(later, 2)).toBe('All the lessons are open.');
  });

  it('keeps the original unlock time of a kept lesson that the new schedule also releases earlier', () => {
    const earlier: ReleaseSchedule = { ...before, eventDate: '2025-12-01', keptOpen: { count: 2, since: changedAt } };
    expect(unlockAtFor(earlier, 0, NO_PAUSE)).toEqual(at('2025-12-02T07:00:00Z'));
    expect(lessonRelease(earlier, 5, NO_PAUSE, changedAt).state).toBe('unlocked'); // moved into the past: open now
  });
});

describe('words', () => {
  it("formats an unlock as 'Tue 3 Feb, 7:00' in the reader's zone", () => {
    const unlock = zonedTime('Europe/Berlin', '2026-02-03', 7 * 60);
    expect(formatUnlock(unlock, 'Europe/Berlin')).toBe('Tue 3 Feb, 7:00');
    expect(formatUnlock(unlock, 'America/New_York')).toBe('Tue 3 Feb, 1:00');
    expect(formatUnlock(unlock, 'Australia/Sydney')).toBe('Tue 3 Feb, 17:00');
  });

  it('describes the schedule', () => {
    const s = schedule({ timeZone: 'Europe/Berlin', eventDate: '2026-02-02', firstUnlockDays: 1, intervalDays: 3 });
    expect(describeSchedule(s, 4)).toBe('The first lesson opens on Tue 3 Feb, 7:00, then one every 3 days.');
    expect(describeSchedule({ ...s, dayOffsets: [1, 8] }, 2)).toBe(
      'The first lesson opens on Tue 3 Feb, 7:00; the last on Tue 10 Feb, 7:00.',
    );
  });
});
