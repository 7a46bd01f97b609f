import { describe, expect, it } from 'vitest';
import {
  addMonths,
  CERTIFICATE_ID,
  certificateStatus,
  linkedInAddUrl,
  newCertificateCode,
  newCertificateId,
  normalizeCertificateCode,
} from '#lib/certificate-rules.ts';

describe('certificate ids and codes', () => {
  it('ids are 128 random bits in base64url', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newCertificateId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(CERTIFICATE_ID);
    expect(newCertificateId(() => new Uint8Array(16).fill(0xff))).toBe('_____________________w');
  });

  it('codes read RND-XXXX-XXXX without 0, O, 1, I or L, and are typed back in any case or spacing', () => {
    for (let i = 0; i < 200; i++) {
      const code = newCertificateCode();
      expect(code).toMatch(/^RND-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
      expect(normalizeCertificateCode(code.toLowerCase().replace(/-/g, ' '))).toBe(code);
      expect(normalizeCertificateCode(code.slice(4))).toBe(code);
    }
    expect(normalizeCertificateCode('RND-7K4Q-2M9O')).toBeUndefined(); // O is not in the alphabet
    expect(normalizeCertificateCode('RND-7K4Q-2M9')).toBeUndefined();
    expect(normalizeCertificateCode('Nguyễn')).toBeUndefined();
  });
});

describe('status and expiry', () => {
  const base = { revoked_at: null, replaced_by: null, expires_at: null };
  const now = new Date('2027-01-01T00:00:00Z');
  it('states the strongest fact: revoked, then reissued, then expired', () => {
    expect(certificateStatus(base, now)).toBe('valid');
    expect(certificateStatus({ ...base, expires_at: new Date('2027-01-01T00:00:01Z') }, now)).toBe('valid');
    expect(certificateStatus({ ...base, expires_at: now }, now)).toBe('expired');
    expect(certificateStatus({ ...base, expires_at: now, replaced_by: 'x' }, now)).toBe('reissued');
    expect(certificateStatus({ ...base, expires_at: now, replaced_by: 'x', revoked_at: now }, now)).toBe('revoked');
  });

  it('adds calendar months, clamping to the end of a shorter month', () => {
    expect(addMonths(new Date('2026-11-26T18:30:00Z'), 24).toISOString()).toBe('2028-11-26T18:30:00.000Z');
    expect(addMonths(new Date('2026-01-31T09:00:00Z'), 1).toISOString()).toBe('2026-02-28T09:00:00.000Z');
    expect(addMonths(new Date('2027-08-31T09:00:00Z'), 6).toISOString()).toBe('2028-02-29T09:00:00.000Z');
  });
});

describe('LinkedIn', () => {
  it("fills LinkedIn's add-certification form: name, organisation, issue year and month, URL and id", () => {
    const url = new URL(
      linkedInAddUrl({
        courseTitle: 'Team huddles & the microsystem',
        issuerName: 'Northside Health',
        issuedOn: '2026-03-05',
        url: 'https://rounds.example.org/certificates/abc',
        code: 'RND-7K4Q-2M9X',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://www.linkedin.com/profile/add');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      startTask: 'CERTIFICATION_NAME',
      name: 'Team huddles & the microsystem',
      organizationName: 'Northside Health',
      issueYear: '2026',
      issueMonth: '3',
      certUrl: 'https://rounds.example.org/certificates/abc',
      certId: 'RND-7K4Q-2M9X',
    });
  });
});
