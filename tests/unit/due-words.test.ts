import { describe, expect, it } from 'vitest';
import { daysUntil, dueInWords } from '#lib/due-words.ts';

describe('due dates in words', () => {
  const today = '2026-12-07';
  it.each([
    ['2026-12-04', '3 days overdue'],
    ['2026-12-06', '1 day overdue'],
    ['2026-12-07', 'due today'],
    ['2026-12-08', 'due tomorrow'],
    ['2026-12-10', 'due in 3 days'],
    ['2026-12-13', 'due in 6 days'],
    ['2026-12-14', 'due 14 December'],
    ['2027-01-05', 'due 5 January'],
  ])('%s reads "%s"', (dueOn, words) => {
    expect(dueInWords(dueOn, today)).toBe(words);
  });

  it('counts whole calendar days across a daylight-saving change and a year end', () => {
    expect(daysUntil('2027-03-29', '2027-03-27')).toBe(2);
    expect(daysUntil('2027-01-01', '2026-12-31')).toBe(1);
  });
});
