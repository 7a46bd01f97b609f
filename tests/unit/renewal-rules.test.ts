// Issue 17 §2: the renewal window, the early-renewal rule and due-again dates (decision 0041).
import { describe, expect, it } from 'vitest';
import {
  addMonthsToDate,
  RENEWAL_WINDOW_DAYS,
  renewalState,
  renewedCertificateExpiry,
  termExpiry,
  windowOpens,
} from '#lib/renewal-rules.ts';
import { dateIn } from '#lib/team-rules.ts';
import { repeatMonthsField } from '#lib/team-validation.ts';

describe('due-again dates', () => {
  it('adds calendar months, keeping the day or the month’s last day', () => {
    expect(addMonthsToDate('2026-03-15', 12)).toBe('2027-03-15');
    expect(addMonthsToDate('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonthsToDate('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonthsToDate('2028-02-29', 12)).toBe('2029-02-28');
    expect(addMonthsToDate('2026-11-30', 3)).toBe('2027-02-28');
    expect(addMonthsToDate('2026-12-31', 120)).toBe('2036-12-31');
  });

  it('counts from the completion’s day in the learner’s own time zone', () => {
    // 23:30 UTC on 31 March is already 1 April in Auckland and still 31 March in Chicago.
    const completedAt = new Date('2026-03-31T23:30:00Z');
    expect(termExpiry(dateIn('Pacific/Auckland', completedAt), 12, null)).toBe('2027-04-01');
    expect(termExpiry(dateIn('America/Chicago', completedAt), 12, null)).toBe('2027-03-31');
    expect(termExpiry(dateIn('UTC', completedAt), 1, null)).toBe('2026-04-30');
  });

  it('is not moved by a daylight-saving change inside the term (dates, not hours)', () => {
    // Completed the evening before Europe's clocks go forward; a year on is the same date.
    const completedAt = new Date('2026-03-28T22:30:00Z');
    expect(dateIn('Europe/Berlin', completedAt)).toBe('2026-03-28');
    expect(termExpiry(dateIn('Europe/Berlin', completedAt), 12, null)).toBe('2027-03-28');
  });
});

describe('the renewal window', () => {
  it(`opens ${RENEWAL_WINDOW_DAYS} days before expiry and the course is expired from the expiry day on`, () => {
    expect(windowOpens('2027-03-31')).toBe('2027-03-01');
    expect(renewalState('2027-02-28', '2027-03-31')).toBe('current');
    expect(renewalState('2027-03-01', '2027-03-31')).toBe('renewal-due');
    expect(renewalState('2027-03-30', '2027-03-31')).toBe('renewal-due');
    expect(renewalState('2027-03-31', '2027-03-31')).toBe('expired');
    expect(renewalState('2028-01-01', '2027-03-31')).toBe('expired');
  });
});

describe('early renewal', () => {
  it('extends from the old expiry when the renewal is done by then, so it costs nothing', () => {
    expect(termExpiry('2027-03-05', 12, '2027-03-31')).toBe('2028-03-31');
    expect(termExpiry('2027-03-31', 12, '2027-03-31')).toBe('2028-03-31');
  });

  it('counts from the renewal’s own day when done after the expiry', () => {
    expect(termExpiry('2027-05-10', 12, '2027-03-31')).toBe('2028-05-10');
  });

  it('applies the same rule to a renewal certificate’s expiry', () => {
    const previous = new Date('2028-03-31T09:00:00Z');
    expect(renewedCertificateExpiry(new Date('2028-03-10T12:00:00Z'), 24, previous).toISOString()).toBe(
      '2030-03-31T09:00:00.000Z',
    );
    expect(renewedCertificateExpiry(new Date('2028-04-02T12:00:00Z'), 24, previous).toISOString()).toBe(
      '2030-04-02T12:00:00.000Z',
    );
    expect(renewedCertificateExpiry(new Date('2028-04-02T12:00:00Z'), 24, null).toISOString()).toBe(
      '2030-04-02T12:00:00.000Z',
    );
  });
});

describe('“Repeat every … months”', () => {
  const parse = (value: string | null) => repeatMonthsField.safeParse(value);
  it('takes a whole number of months from 1 to 120; empty means the course does not repeat', () => {
    expect(parse('12').data).toBe(12);
    expect(parse(' 1 ').data).toBe(1);
    expect(parse('120').data).toBe(120);
    expect(parse('').data).toBeNull();
    expect(parse(null).data).toBeNull();
  });

  it('refuses 0, negative, absurd and non-numbers with a message for the field', () => {
    const message = (value: string) => parse(value).error?.issues[0]?.message;
    expect(message('0')).toMatch(/1 month or more, or leave it empty/);
    expect(message('-6')).toMatch(/1 month or more/);
    expect(message('121')).toMatch(/at most 120 months/);
    expect(message('100000')).toMatch(/at most 120 months/);
    expect(message('1.5')).toMatch(/whole number/);
    expect(message('twelve')).toMatch(/whole number/);
    expect(message('<b>12</b>')).toMatch(/whole number/);
    expect(message('9'.repeat(10_000))).toBeDefined();
  });
});
