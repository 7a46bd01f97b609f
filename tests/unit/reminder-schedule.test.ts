// Automatic reminders (decision 0040): the stage of a due date on a member's own day,
// what comes next, merging a day's reminders into one email, and the once-a-day rule.
import { describe, expect, it } from 'vitest';
import {
  currentStage,
  isDigestTime,
  maySendToday,
  mergeDigest,
  mondayOf,
  nextStage,
  type DigestItem,
  type ReminderStage,
} from '#lib/reminder-schedule.ts';
import { dateIn } from '#lib/team-rules.ts';

describe('the stage a member is in', () => {
  const due = '2030-03-20';
  it('before (from N days ahead), on the day, then weekly while overdue, four times at most', () => {
    expect(currentStage(due, '2030-03-16', 3)).toBeUndefined();
    expect(currentStage(due, '2030-03-17', 3)).toBe('before');
    expect(currentStage(due, '2030-03-19', 3)).toBe('before');
    expect(currentStage(due, '2030-03-20', 3)).toBe('due');
    expect(currentStage(due, '2030-03-26', 3)).toBe('due');
    expect(currentStage(due, '2030-03-27', 3)).toBe('overdue-1');
    expect(currentStage(due, '2030-04-03', 3)).toBe('overdue-2');
    expect(currentStage(due, '2030-04-17', 3)).toBe('overdue-4');
    expect(currentStage(due, '2030-04-23', 3)).toBe('overdue-4');
    expect(currentStage(due, '2030-04-24', 3)).toBeUndefined();
  });

  it('has no "before" stage when the team chose 0 days', () => {
    expect(currentStage(due, '2030-03-19', 0)).toBeUndefined();
    expect(currentStage(due, '2030-03-20', 0)).toBe('due');
  });

  it('is read on the member’s own calendar: one instant, two zones, two stages (and across the DST change)', () => {
    // 28 March 2027 is the night Europe moves its clocks forward (01:00 UTC).
    const instant = new Date('2027-03-27T23:30:00Z');
    const berlin = dateIn('Europe/Berlin', instant); // 00:30 on the 28th
    const newYork = dateIn('America/New_York', instant); // 19:30 on the 27th
    expect(berlin).toBe('2027-03-28');
    expect(newYork).toBe('2027-03-27');
    expect(currentStage('2027-03-28', berlin, 3)).toBe('due');
    expect(currentStage('2027-03-28', newYork, 3)).toBe('before');
    // After the change Berlin is UTC+2: 22:30 UTC on the 28th is already the 29th there.
    expect(dateIn('Europe/Berlin', new Date('2027-03-28T22:30:00Z'))).toBe('2027-03-29');
    expect(currentStage('2027-03-28', dateIn('Europe/Berlin', new Date('2027-03-28T22:30:00Z')), 3)).toBe('due');
    // Auckland (UTC+13 in March) is a day ahead of UTC.
    expect(currentStage('2027-03-28', dateIn('Pacific/Auckland', new Date('2027-03-27T12:00:00Z')), 3)).toBe('due');
  });
});

describe('the next reminder', () => {
  const due = '2030-03-20';
  it('is today’s stage while unsent, else the next stage’s first day', () => {
    expect(nextStage(due, '2030-03-01', 3, new Set())).toEqual({ stage: 'before', on: '2030-03-17' });
    expect(nextStage(due, '2030-03-18', 3, new Set())).toEqual({ stage: 'before', on: '2030-03-18' });
    expect(nextStage(due, '2030-03-18', 3, new Set<ReminderStage>(['before']))).toEqual({
      stage: 'due',
      on: '2030-03-20',
    });
    const all = new Set<ReminderStage>(['before', 'due', 'overdue-1', 'overdue-2', 'overdue-3']);
    expect(nextStage(due, '2030-03-30', 3, all)).toEqual({ stage: 'overdue-4', on: '2030-04-17' });
    expect(nextStage(due, '2030-04-18', 3, new Set<ReminderStage>([...all, 'overdue-4']))).toBeUndefined();
  });
});

const item = (over: Partial<DigestItem>): DigestItem => ({
  teamId: 't1',
  teamName: 'Ward 4',
  assignmentId: 'a1',
  courseTitle: 'Team huddles',
  stage: 'before',
  dueOn: '2030-03-20',
  url: 'https://rounds.example/courses/team-huddles/one',
  nextLesson: { title: 'One', minutes: 5 },
  done: 0,
  total: 3,
  ...over,
});

describe('merging a day’s reminders into one email', () => {
  it('one reminder reads as one, with its course as the button', () => {
    const digest = mergeDigest([item({})], '2030-03-17');
    expect(digest.subject).toBe('Coming up: Team huddles');
    expect(digest.paragraphs).toHaveLength(1);
    expect(digest.paragraphs[0]).toContain('due in 3 days');
    expect(digest.action.url).toBe('https://rounds.example/courses/team-huddles/one');
    expect(digest.teamIds).toEqual(['t1']);
  });

  it('several from two teams: one email, soonest due first, each with its own link, each team once', () => {
    const digest = mergeDigest(
      [
        item({ assignmentId: 'a1', courseTitle: 'Later', dueOn: '2030-03-25', url: 'u-later' }),
        item({
          teamId: 't2',
          teamName: 'Night shift',
          assignmentId: 'a2',
          courseTitle: 'Overdue one',
          dueOn: '2030-03-10',
          stage: 'overdue-1',
          url: 'u-over',
          done: 1,
        }),
        item({ assignmentId: 'a3', courseTitle: 'Today', dueOn: '2030-03-17', stage: 'due', url: 'u-today' }),
      ],
      '2030-03-17',
    );
    expect(digest.subject).toBe('3 courses to look at when you have a moment');
    const lines = digest.paragraphs.slice(1);
    expect(lines.map((l) => /“([^”]+)”/.exec(l)![1])).toEqual(['Overdue one', 'Today', 'Later']);
    expect(lines[0]).toContain('7 days overdue');
    expect(lines[0]).toContain('You have done 1 of 3 lessons');
    expect(lines[0]).toContain('u-over');
    expect(lines[1]).toContain('due today');
    expect(digest.action.url).toBe('u-over');
    expect(digest.teamIds).toEqual(['t2', 't1']);
    // Kind words only: no ranking, no blame.
    expect(digest.paragraphs.join(' ')).not.toMatch(/\b(rank|behind|late|fail|worst|leaderboard)\b/i);
  });

  it('refuses an empty digest (a bug, not an email)', () => {
    expect(() => mergeDigest([], '2030-03-17')).toThrow();
  });
});

describe('the once-a-day rule', () => {
  const now = new Date('2030-03-17T09:00:00Z');
  it('sends when the day is untouched or its holder’s lease ran out; never after the day’s email went', () => {
    expect(maySendToday(undefined, now)).toBe(true);
    expect(maySendToday({ sent_at: new Date('2030-03-17T07:00:00Z'), lease_until: null }, now)).toBe(false);
    expect(maySendToday({ sent_at: null, lease_until: new Date('2030-03-17T09:05:00Z') }, now)).toBe(false);
    expect(maySendToday({ sent_at: null, lease_until: new Date('2030-03-17T08:55:00Z') }, now)).toBe(true);
    expect(maySendToday({ sent_at: null, lease_until: null }, now)).toBe(true);
  });
});

describe('the leaders’ Monday digest', () => {
  const quiet = { timeZone: 'America/Chicago', startMinute: 21 * 60, endMinute: 7 * 60 };
  it('goes on Monday morning in the leader’s zone, after their quiet hours, before noon', () => {
    expect(mondayOf('2030-03-20')).toBe('2030-03-18'); // a Wednesday
    expect(mondayOf('2030-03-18')).toBe('2030-03-18');
    expect(mondayOf('2030-03-24')).toBe('2030-03-18'); // a Sunday
    // 13:00 UTC Monday 18 March 2030 = 08:00 in Chicago (CDT since 10 March).
    expect(isDigestTime(quiet, new Date('2030-03-18T13:00:00Z'))).toBe(true);
    // 11:00 UTC = 06:00 in Chicago: still quiet.
    expect(isDigestTime(quiet, new Date('2030-03-18T11:00:00Z'))).toBe(false);
    // 18:00 UTC = 13:00: the afternoon.
    expect(isDigestTime(quiet, new Date('2030-03-18T18:00:00Z'))).toBe(false);
    // 03:00 UTC Tuesday = 22:00 Monday in Chicago: Monday there, but night.
    expect(isDigestTime(quiet, new Date('2030-03-19T03:00:00Z'))).toBe(false);
    // 13:00 UTC Sunday 17th: Sunday in Chicago.
    expect(isDigestTime(quiet, new Date('2030-03-17T13:00:00Z'))).toBe(false);
  });
});
