import { describe, expect, it } from 'vitest';
import {
  inQuietHours,
  inviteProblem,
  newInviteCode,
  nextSendTime,
  normalizeInviteCode,
  formatInviteCode,
  countStates,
  addDays,
  stateBadgeHtml,
} from '#lib/team-rules.ts';
import { neutralizeCell, toCsv } from '#lib/csv.ts';

describe('invite codes', () => {
  it('are 12 unambiguous characters (older ones 8) and survive being typed loosely', () => {
    const code = newInviteCode();
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{12}$/);
    expect(formatInviteCode(code)).toMatch(/^.{4}-.{4}-.{4}$/);
    expect(normalizeInviteCode(` ${formatInviteCode(code).toLowerCase()} `)).toBe(code);
    expect(normalizeInviteCode('abcd-efgh')).toBe('ABCDEFGH');
    expect(formatInviteCode('ABCDEFGH')).toBe('ABCD-EFGH');
    expect(normalizeInviteCode('ABCD-EFG0')).toBeUndefined(); // 0 is never used
    expect(normalizeInviteCode('ABC')).toBeUndefined();
  });

  it('name the problem: revoked, expired, used up', () => {
    const now = new Date('2030-01-01T12:00:00Z');
    const live = { revoked_at: null, expires_at: new Date('2030-01-02T00:00:00Z'), max_uses: 2, uses: 1 };
    expect(inviteProblem(live, now)).toBeUndefined();
    expect(inviteProblem({ ...live, uses: 2 }, now)).toBe('used-up');
    expect(inviteProblem({ ...live, expires_at: now }, now)).toBe('expired');
    expect(inviteProblem({ ...live, revoked_at: now }, now)).toBe('revoked');
  });
});

describe('quiet hours', () => {
  const night = { timeZone: 'Europe/Berlin', startMinute: 21 * 60, endMinute: 7 * 60 };
  it('span midnight in the person’s own time zone', () => {
    expect(inQuietHours(night, new Date('2030-01-10T21:30:00Z'))).toBe(true); // 22:30 in Berlin
    expect(inQuietHours(night, new Date('2030-01-10T06:30:00Z'))).toBe(false); // 07:30 in Berlin
    expect(inQuietHours({ ...night, startMinute: 600, endMinute: 600 }, new Date())).toBe(false);
  });
  it('hold a reminder until they end', () => {
    expect(nextSendTime(night, new Date('2030-01-10T21:30:00Z'))).toEqual(new Date('2030-01-11T06:00:00Z'));
    const day = new Date('2030-01-10T10:00:00Z');
    expect(nextSendTime(night, day)).toBe(day);
  });
});

describe('CSV', () => {
  it('neutralises cells a spreadsheet would run', () => {
    for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(neutralizeCell(cell)).toBe(`'${cell}`);
    expect(neutralizeCell('Ana')).toBe('Ana');
  });
  it('starts with a BOM and quotes what needs quoting', () => {
    const csv = toCsv(['name', 'note'], [['Zoë, RN', 'said "hi"']]);
    expect(csv).toBe('\uFEFFname,note\r\n"Zoë, RN","said ""hi"""\r\n');
  });
});

describe('helpers', () => {
  it('count states and add days across months', () => {
    expect(countStates(['completed', 'overdue', 'overdue', 'renewal-due', 'expired', 'expired'])).toEqual({
      completed: 1,
      overdue: 2,
      'in-progress': 0,
      'not-started': 0,
      'renewal-due': 1,
      expired: 2,
      total: 6,
    });
    expect(addDays('2030-01-30', 3)).toBe('2030-02-02');
  });
});

describe('state badge', () => {
  it('says the state in words beside a hidden symbol, and escapes the detail', () => {
    const html = stateBadgeHtml('overdue', '<b>2/6</b>');
    expect(html).toContain('<span aria-hidden="true" class="symbol">!</span> Overdue');
    expect(html).toContain('&lt;b&gt;2/6&lt;/b&gt;');
    expect(html).not.toContain('<b>');
    expect(stateBadgeHtml('completed')).not.toContain('detail');
  });
});
