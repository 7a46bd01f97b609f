// The organisation forms' fields: a domain as people type it, addresses anyone can get
// refused, a team named by the address of its page.
import { describe, expect, it } from 'vitest';
import { domainField, domainOf, organisationNameField, teamReferenceField } from '#lib/organisation-validation.ts';

const message = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? undefined : result.error!.issues[0]!.message;

describe('domainField', () => {
  it('takes a domain as typed: case, a leading @, spaces and a trailing dot', () => {
    expect(domainField.parse('  @StMarys.ORG. ')).toBe('stmarys.org');
    expect(domainField.parse('nhs.scot')).toBe('nhs.scot');
    expect(domainField.parse('mail.ouh.nhs.uk')).toBe('mail.ouh.nhs.uk');
  });

  it('refuses what is not a domain, and addresses anyone can get', () => {
    for (const bad of ['', 'stmarys', 'nia@stmarys.org', 'st marys.org', '-x.org', 'a..org', 'x.1'])
      expect(message(domainField.safeParse(bad)), bad).toMatch(/Enter a domain/);
    expect(message(domainField.safeParse('Gmail.com'))).toMatch(/Anyone can get an address/);
    expect(message(domainField.safeParse(`${'a'.repeat(250)}.org`))).toBe('That domain is too long.');
  });
});

describe('teamReferenceField', () => {
  const id = '0b5e2c1a-6f3d-4c2b-9a8e-1d2c3b4a5f60';
  it('finds the team id in the address of its page, or takes the id alone', () => {
    expect(teamReferenceField.parse(`https://rounds.example/teams/${id.toUpperCase()}/manage`)).toBe(id);
    expect(teamReferenceField.parse(id)).toBe(id);
  });
  it('refuses anything without one', () => {
    expect(message(teamReferenceField.safeParse('https://rounds.example/teams'))).toMatch(/Paste the address/);
  });
});

describe('the rest', () => {
  it('organisation names are trimmed and single-spaced; invisible characters are refused', () => {
    expect(organisationNameField.parse('  St  Mary’s   Hospital ')).toBe('St Mary’s Hospital');
    expect(organisationNameField.safeParse('St\u200bMary').success).toBe(false);
    expect(organisationNameField.safeParse('  ').success).toBe(false);
  });
  it('domainOf reads the part after the last @, lower-case', () => {
    expect(domainOf('Nia@StMarys.org')).toBe('stmarys.org');
    expect(domainOf('no-at-sign')).toBe('');
  });
});
