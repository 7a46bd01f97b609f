import { describe, expect, it } from 'vitest';
import {
  emailListField,
  MAX_INVITES_PER_SUBMISSION,
  noteField,
  parseEmailList,
  REMINDER_NOTE_MAX,
  reminderDaysBeforeField,
  reminderNoteField,
  teamDescriptionField,
} from '#lib/team-validation.ts';
import { welcomeField } from '#lib/event-validation.ts';

describe('a pasted list of email addresses', () => {
  it('takes commas, semicolons, spaces, new lines and "Name <address>", lowercased, each once', () => {
    const list = parseEmailList(
      'ana@example.org, Ben@Example.org;cai@example.org\r\n  "Dee Dunn" <dee@example.org>\nEli Ek eli@example.org ana@example.org\n\n',
    );
    expect(list).toEqual({
      addresses: ['ana@example.org', 'ben@example.org', 'cai@example.org', 'dee@example.org', 'eli@example.org'],
      invalid: [],
      repeated: 1,
    });
  });

  it('lists what is not an address, as typed', () => {
    expect(parseEmailList('ana@example.org, bob at example, carl@, Dee <dee@>').invalid).toEqual([
      'bob at example',
      'carl@',
      'dee@',
    ]);
  });

  it('refuses invalid entries, an empty list and more than the maximum with a message for the field', () => {
    const message = (value: string) => emailListField.safeParse(value).error?.issues[0]?.message;
    expect(message('ana@example.org, nope')).toBe(
      'This is not an email address: nope. Correct or remove it; nothing was sent.',
    );
    expect(message(' , \n')).toBe('Paste at least one email address.');
    const many = Array.from({ length: MAX_INVITES_PER_SUBMISSION + 1 }, (_, i) => `p${i}@example.org`).join('\n');
    expect(message(many)).toMatch(/at most 50 invitations at a time; this list has 51/);
    expect(emailListField.parse('ana@example.org ana@example.org')).toEqual({
      addresses: ['ana@example.org'],
      repeated: 1,
    });
  });
});

describe('a reminder note', () => {
  it('is optional, trimmed, counts a line break once and refuses more than the limit', () => {
    expect(reminderNoteField.parse(null)).toBe('');
    expect(reminderNoteField.parse('  See you\r\nat the huddle  ')).toBe('See you\nat the huddle');
    expect(reminderNoteField.safeParse('x'.repeat(REMINDER_NOTE_MAX)).success).toBe(true);
    expect(reminderNoteField.safeParse('x'.repeat(REMINDER_NOTE_MAX + 1)).error?.issues[0]?.message).toBe(
      `Keep the note to ${REMINDER_NOTE_MAX} characters; it has ${REMINDER_NOTE_MAX + 1}.`,
    );
  });
});

describe('text boxes with line breaks', () => {
  it('accept the CR LF a browser sends for a line break, and keep it as one new line', () => {
    for (const [field, value] of [
      [noteField, 'Finish by Friday.\r\nAsk me if stuck.'],
      [teamDescriptionField, 'Nights on 4 West.\r\nHuddle at 19:15.'],
      [welcomeField, 'Welcome!\r\nLessons open at 07:00.'],
    ] as const) {
      const parsed = field.safeParse(value);
      expect(parsed.success, value).toBe(true);
      expect(parsed.data).toBe(value.replace('\r\n', '\n'));
    }
    expect(noteField.safeParse('Hidden\u200bmark').success).toBe(false);
  });
});

describe('a team’s days before the due date (automatic reminders)', () => {
  const message = (value: unknown) => reminderDaysBeforeField.safeParse(value).error?.issues[0]?.message;
  it('takes 0 to 30 whole days, spaces trimmed', () => {
    expect(reminderDaysBeforeField.parse('0')).toBe(0);
    expect(reminderDaysBeforeField.parse(' 3 ')).toBe(3);
    expect(reminderDaysBeforeField.parse('30')).toBe(30);
  });
  it('refuses the rest with a message for the field', () => {
    expect(message('')).toBe('Enter a number of days, like 3 (0 for none before the day).');
    expect(message('many')).toBe('Enter a number of days, like 3.');
    expect(message('2.5')).toBe('Enter a whole number of days, like 3.');
    expect(message('-2')).toBe('Use 0 (no reminder before the day) or more days.');
    expect(message('100000')).toBe('Use at most 30 days before the due date.');
    expect(message('1e3')).toBe('Use at most 30 days before the due date.');
    expect(message('x'.repeat(10_000))).toBe('Enter a number of days, like 3.');
    expect(message(undefined)).toBe('Enter a number of days, like 3.');
  });
});
