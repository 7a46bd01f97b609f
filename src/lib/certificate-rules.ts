// Pure rules for certificates: ids, codes, status, the LinkedIn link. No I/O.
import { cryptoRandom, randomSymbols, typedSymbols, type RandomBytes } from './readable-codes.ts';

/** 128 random bits as base64url: the id in /certificates/<id>. */
export function newCertificateId(random: RandomBytes = cryptoRandom): string {
  return btoa(String.fromCharCode(...random(16)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export const CERTIFICATE_ID = /^[A-Za-z0-9_-]{22}$/;

const CODE_SYMBOLS = 8;
const formatCode = (symbols: string) => `RND-${symbols.slice(0, 4)}-${symbols.slice(4)}`;

/** RND-XXXX-XXXX. */
export function newCertificateCode(random?: RandomBytes): string {
  return formatCode(randomSymbols(CODE_SYMBOLS, random));
}

/** What people type ("rnd 7k4q 2m9x", "7K4Q-2M9X") to the stored form, or undefined when it cannot be a code. */
export function normalizeCertificateCode(input: string): string | undefined {
  const symbols = typedSymbols(input, CODE_SYMBOLS, 'RND');
  return symbols && formatCode(symbols);
}

export type CertificateStatus = 'valid' | 'revoked' | 'reissued' | 'expired';

/** Revocation outranks a reissue, which outranks expiry: the page states the strongest fact. */
export function certificateStatus(
  row: { revoked_at: Date | null; replaced_by: string | null; expires_at: Date | null },
  now = new Date(),
): CertificateStatus {
  if (row.revoked_at) return 'revoked';
  if (row.replaced_by) return 'reissued';
  if (row.expires_at && row.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

/** `months` calendar months after `from` (day clamped: 31 January + 1 month = 28/29 February). */
export function addMonths(from: Date, months: number): Date {
  const result = new Date(from);
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

/** LinkedIn's "add a licence or certification" form, filled in. */
export function linkedInAddUrl(certificate: {
  courseTitle: string;
  issuerName: string;
  issuedOn: string;
  url: string;
  code: string;
}): string {
  const [year, month] = certificate.issuedOn.split('-');
  const params = new URLSearchParams({
    startTask: 'CERTIFICATION_NAME',
    name: certificate.courseTitle,
    organizationName: certificate.issuerName,
    issueYear: String(Number(year)),
    issueMonth: String(Number(month)),
    certUrl: certificate.url,
    certId: certificate.code,
  });
  return `https://www.linkedin.com/profile/add?${params}`;
}
