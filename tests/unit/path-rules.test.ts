import { describe, expect, it } from 'vitest';
import { optionalCourseField, pathDaysField, pathNameField } from '#lib/team-validation.ts';
import { offsetInWords, PATH_MAX_OFFSET_DAYS } from '#lib/path-rules.ts';
import { addDays } from '#lib/team-rules.ts';

const message = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? undefined : result.error!.issues[0]!.message;

describe('a learning path’s fields', () => {
  it('takes a whole number of days from 0 to a year; empty is the first day', () => {
    expect(pathDaysField.parse('7')).toBe(7);
    expect(pathDaysField.parse(' 30 ')).toBe(30);
    expect(pathDaysField.parse('')).toBe(0);
    expect(pathDaysField.parse(null)).toBe(0);
    expect(pathDaysField.parse(String(PATH_MAX_OFFSET_DAYS))).toBe(PATH_MAX_OFFSET_DAYS);
  });

  it('refuses negative, absurd, fractional and non-numeric days with a message that says what to do', () => {
    expect(message(pathDaysField.safeParse('-1'))).toBe('Use 0 (their first day) or more days.');
    expect(message(pathDaysField.safeParse('100000'))).toBe('Use at most 365 days (a year) after they start.');
    expect(message(pathDaysField.safeParse('1e309'))).toBe('Enter a number of days, like 7.');
    expect(message(pathDaysField.safeParse('7.5'))).toBe('Enter a whole number of days, like 7.');
    expect(message(pathDaysField.safeParse('seven'))).toBe('Enter a number of days, like 7.');
  });

  it('refuses an empty, 10,000-character or invisible-character name; markup is kept as text', () => {
    expect(message(pathNameField.safeParse('   '))).toBe('Give the path a name.');
    expect(message(pathNameField.safeParse('x'.repeat(10_000)))).toBe('Use at most 80 characters for the path name.');
    expect(message(pathNameField.safeParse('On\u200bboarding'))).toMatch(/invisible control characters/);
    expect(pathNameField.parse('  <b>New</b>   starters ')).toBe('<b>New</b> starters');
  });

  it('reads an unchosen course row as empty and refuses what cannot be a course', () => {
    expect(optionalCourseField.parse('')).toBeNull();
    expect(optionalCourseField.parse('team-huddles')).toBe('team-huddles');
    expect(message(optionalCourseField.safeParse('<script>'))).toBe('Choose a course from the list.');
  });
});

describe('due dates of a path', () => {
  it('count calendar days, so a daylight-saving change never moves them', () => {
    // Europe's clocks go forward on 29 March 2026 and back on 25 October; the US's on 8 March.
    expect(addDays('2026-03-25', 7)).toBe('2026-04-01');
    expect(addDays('2026-10-20', 7)).toBe('2026-10-27');
    expect(addDays('2026-03-05', 7)).toBe('2026-03-12');
    expect(addDays('2028-02-25', 7)).toBe('2028-03-03');
    expect(addDays('2026-12-28', 30)).toBe('2027-01-27');
  });

  it('are described as the leader wrote them', () => {
    expect(offsetInWords(0)).toBe('on their first day');
    expect(offsetInWords(1)).toBe('1 day after they start');
    expect(offsetInWords(7)).toBe('7 days after they start');
  });
});
