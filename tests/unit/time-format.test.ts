import { describe, expect, it } from 'vitest';
import {
  formatCalendarDate,
  formatInZone,
  isKnownTimeZone,
  listedTimeZone,
  TIME_ZONES,
  zoneLabel,
} from '#lib/time-format.ts';
import { timeZoneField } from '#lib/validation.ts';

// The issue's own example: 09:38 UTC is 03:38 for a nurse in Chicago.
const joined = new Date('2026-12-07T09:38:00Z');

describe('times in a person’s own zone', () => {
  it('writes an instant in the reader’s zone, without naming UTC', () => {
    expect(formatInZone(joined, 'America/Chicago')).toBe('7 Dec 2026, 03:38');
    expect(formatInZone(joined, 'UTC')).toBe('7 Dec 2026, 09:38');
    expect(formatInZone(joined, 'Asia/Tokyo', 'time')).toBe('18:38');
    expect(formatInZone(joined, 'America/Chicago', 'dayTime')).toBe('Mon 7 Dec, 03:38');
    expect(formatInZone(joined, 'America/Chicago', 'preciseDateTime')).toBe('7 Dec 2026, 03:38:00');
  });

  it('puts an instant on the reader’s calendar day', () => {
    const lateEvening = new Date('2026-12-08T02:30:00Z'); // 20:30 on the 7th in Chicago
    expect(formatInZone(lateEvening, 'America/Chicago', 'date')).toBe('7 December 2026');
    expect(formatInZone(lateEvening, 'Europe/Berlin', 'shortDate')).toBe('8 Dec 2026');
  });

  it('writes a calendar date as the same day everywhere', () => {
    expect(formatCalendarDate('2026-12-14')).toBe('14 December 2026');
    expect(formatCalendarDate('2026-12-14', 'dayMonth')).toBe('14 December');
  });

  it('offers UTC first and the IANA zones, and refuses anything else', () => {
    expect(TIME_ZONES[0]).toBe('UTC');
    expect(isKnownTimeZone('America/Chicago')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone('america/chicago')).toBe(false); // exactly as the list writes it
    expect(zoneLabel('America/New_York')).toBe('America/New York');
  });

  it('shows a zone saved under an older name as the list names it', () => {
    expect(listedTimeZone('US/Eastern')).toBe('America/New_York');
    expect(listedTimeZone('Etc/UTC')).toBe('UTC');
    expect(isKnownTimeZone(listedTimeZone('Asia/Kolkata')!)).toBe(true);
    expect(listedTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(listedTimeZone(undefined)).toBeUndefined();
  });

  it('says beside the field when a posted zone is not on the list', () => {
    expect(timeZoneField.safeParse(' Europe/Berlin ').data).toBe('Europe/Berlin');
    const refused = timeZoneField.safeParse('Mars/Olympus_Mons');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/Choose one from the list/);
  });
});
