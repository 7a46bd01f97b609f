import { EVENT_ACTIVITY_PREFIX, isEventActivityKey } from '#lib/credit-rules.ts';
import { createHash, randomBytes } from 'node:crypto';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';

// Open Badges 3.0 credentials, signed as VC-JWT (OB 3.0 §8.2) with Ed25519.

export const ALG = 'EdDSA';
export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: stable, and derivable by anyone holding it. */
  kid: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const usage = { kid, alg: ALG, use: 'sig' };
  return { kid, publicJwk: { ...publicJwk, ...usage }, privateJwk: { ...(await exportJWK(privateKey)), ...usage } };
}

/**
 * The JWKS for `/.well-known/jwks.json`: every key still able to verify (old keys stay so old
 * credentials keep verifying). Copies public members only, so a private key passed by mistake
 * cannot leak.
 */
export function publicJwks(keys: { publicJwk: JWK }[]): { keys: JWK[] } {
  return {
    keys: keys.map(({ publicJwk: { kty, crv, x, kid, alg, use } }) => {
      if (kty !== 'OKP' || crv !== 'Ed25519' || !x || !kid)
        throw new Error(`Not an Ed25519 public key with a kid: ${kid ?? '(no kid)'}`);
      return { kty, crv, x, kid, alg: alg ?? ALG, use: use ?? 'sig' };
    }),
  };
}

export interface IdentityObject {
  type: 'IdentityObject';
  identityHash: string;
  identityType: 'emailAddress' | 'name';
  hashed: boolean;
  salt?: string;
}

export interface OpenBadgeCredential {
  '@context': [typeof VC_CONTEXT, typeof OB_CONTEXT];
  type: ['VerifiableCredential', 'OpenBadgeCredential'];
  id: string;
  name: string;
  issuer: { id: string; type: ['Profile']; name: string; url: string; email?: string };
  validFrom: string;
  validUntil?: string;
  credentialStatus?: StatusListEntry;
  credentialSubject: {
    type: ['AchievementSubject'];
    identifier: IdentityObject[];
    activityEndDate: string;
    /** With continuing-education credit: the hours claimed, and the result against the achievement's description. */
    creditsEarned?: number;
    result?: { type: ['Result']; resultDescription: string; value: string }[];
    achievement: {
      id: string;
      type: ['Achievement'];
      name: string;
      description: string;
      criteria: { narrative: string };
      creditsAvailable?: number;
      otherIdentifier?: { type: 'IdentifierEntry'; identifier: string; identifierType: 'identifier' }[];
      resultDescription?: { id: string; type: ['ResultDescription']; name: string; resultType: 'ext:CreditAwarded' }[];
    };
  };
}

/** Continuing-education credit on a credential (issue 21). */
export interface CredentialCredit {
  typeLabel: string;
  /** Hours the learner claimed (at most `available`). */
  hours: number;
  available: number;
  activityId: string;
}

/** Where a verifier reads the credential's revocation bit (W3C Bitstring Status List v1.0). */
export interface StatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: 'revocation';
  statusListIndex: string;
  statusListCredential: string;
}

export interface OpenBadgeCredentialInput {
  baseUrl: string;
  certificateId: string;
  issuerName: string;
  issuerEmail?: string;
  holderEmail: string;
  holderName: string;
  /** Per-credential random salt (see generateIdentitySalt), stored with the certificate. */
  salt: string;
  courseSlug: string;
  courseTitle: string;
  courseDescription: string;
  criteriaNarrative: string;
  issuedAt: Date;
  completedOn: Date;
  expiresAt: Date | null;
  /** The certificate's entry in the revocation status list. */
  status: { listUrl: string; index: number };
  credit?: CredentialCredit;
}

export function generateIdentitySalt(): string {
  return randomBytes(16).toString('hex');
}

/**
 * "sha256$" + hex SHA-256 of email + salt, as OB 3.0 IdentityObject defines it. The address is
 * trimmed and lower-cased first (as Rounds stores it), so a verifier who knows it can match.
 */
export function emailIdentityHash(email: string, salt: string): string {
  return `sha256$${createHash('sha256')
    .update(email.trim().toLowerCase() + salt)
    .digest('hex')}`;
}

/** XML Schema dateTime without milliseconds: "2026-11-26T10:05:00Z". */
export const dateTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function buildOpenBadgeCredential(input: OpenBadgeCredentialInput): OpenBadgeCredential {
  const baseUrl = input.baseUrl.replace(/\/+$/, '');
  // An event activity (`event:<slug>`, decision 0045) is described on its event page.
  const achievementId = isEventActivityKey(input.courseSlug)
    ? `${baseUrl}/events/${input.courseSlug.slice(EVENT_ACTIVITY_PREFIX.length)}`
    : `${baseUrl}/courses/${input.courseSlug}`;
  const credit = input.credit;
  const resultId = `${achievementId}#credit`;
  return {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    id: `${baseUrl}/certificates/${input.certificateId}`,
    name: `Certificate of completion: ${input.courseTitle}`,
    issuer: {
      id: `${baseUrl}/issuer`,
      type: ['Profile'],
      name: input.issuerName,
      url: baseUrl,
      ...(input.issuerEmail ? { email: input.issuerEmail } : {}),
    },
    validFrom: dateTime(input.issuedAt),
    ...(input.expiresAt ? { validUntil: dateTime(input.expiresAt) } : {}),
    credentialStatus: {
      id: `${input.status.listUrl}#${input.status.index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(input.status.index),
      statusListCredential: input.status.listUrl,
    },
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [
        // The email identifies the learner without revealing it; it comes first because `sub` uses it.
        {
          type: 'IdentityObject',
          identityHash: emailIdentityHash(input.holderEmail, input.salt),
          identityType: 'emailAddress',
          hashed: true,
          salt: input.salt,
        },
        // The name as printed on the certificate, which the public verification page shows anyway.
        {
          type: 'IdentityObject',
          identityHash: input.holderName.normalize('NFC'),
          identityType: 'name',
          hashed: false,
        },
      ],
      activityEndDate: dateTime(input.completedOn),
      ...(credit
        ? {
            creditsEarned: credit.hours,
            result: [{ type: ['Result'] as ['Result'], resultDescription: resultId, value: String(credit.hours) }],
          }
        : {}),
      achievement: {
        id: achievementId,
        type: ['Achievement'],
        name: input.courseTitle,
        description: input.courseDescription,
        criteria: { narrative: input.criteriaNarrative },
        ...(credit
          ? {
              creditsAvailable: credit.available,
              otherIdentifier: [
                {
                  type: 'IdentifierEntry' as const,
                  identifier: credit.activityId,
                  identifierType: 'identifier' as const,
                },
              ],
              resultDescription: [
                {
                  id: resultId,
                  type: ['ResultDescription'] as ['ResultDescription'],
                  name: credit.typeLabel,
                  resultType: 'ext:CreditAwarded' as const,
                },
              ],
            }
          : {}),
      },
    },
  };
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Compact JWS: the credential's members at the top level plus the registered claims OB 3.0 maps them to. */
export async function signCredential(
  vc: OpenBadgeCredential,
  key: Pick<SigningKey, 'kid' | 'privateJwk'>,
): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, ALG);
  const claims: JWTPayload = {
    ...vc,
    iss: vc.issuer.id,
    jti: vc.id,
    sub: vc.credentialSubject.identifier[0]!.identityHash,
    nbf: seconds(vc.validFrom),
    ...(vc.validUntil ? { exp: seconds(vc.validUntil) } : {}),
  };
  return new SignJWT(claims).setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' }).sign(privateKey);
}

export type VerifiedCredential = OpenBadgeCredential & JWTPayload;

/**
 * Verifies signature, `nbf` and `exp` against the JWKS (the key is chosen by `kid`) and that
 * the registered claims agree with the credential they wrap. Throws when anything is off.
 */
export async function verifyCredential(
  jwt: string,
  jwks: { keys: JWK[] },
  options: { currentDate?: Date } = {},
): Promise<VerifiedCredential> {
  const { payload } = await jwtVerify<OpenBadgeCredential>(jwt, createLocalJWKSet(jwks), {
    algorithms: [ALG],
    typ: 'JWT',
    currentDate: options.currentDate,
  });
  if (
    !payload.type?.includes('OpenBadgeCredential') ||
    payload.iss !== payload.issuer?.id ||
    payload.jti !== payload.id
  ) {
    throw new Error('The token is signed but is not a consistent OpenBadgeCredential.');
  }
  return payload;
}
