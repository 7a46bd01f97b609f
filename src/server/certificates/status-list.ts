import { randomInt } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SignJWT, createLocalJWKSet, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { ALG, VC_CONTEXT, dateTime, type SigningKey } from './credentials.ts';

// W3C Bitstring Status List v1.0 for certificate revocation: every credential names one
// bit of a signed list; 1 means revoked. Decision 0023.

/** Bits per list: 16 KB uncompressed, the standard's minimum, so one list hides 131,072 certificates. */
export const STATUS_LIST_ENTRIES = 131_072;
/**
 * Certificates per list before the next opens: a quarter of its bits, so a random index
 * is free three times in four and a few draws always find one.
 */
export const STATUS_LIST_FILL = STATUS_LIST_ENTRIES / 4;
/** How long verifiers may cache a list (the `ttl` member and the HTTP max-age agree). */
export const STATUS_LIST_TTL_SECONDS = 300;

/** A random index in the list new certificates go to (the standard asks for random indexes). */
export function drawStatusEntry(certificatesSoFar: number): { list: number; index: number } {
  return { list: Math.floor(certificatesSoFar / STATUS_LIST_FILL) + 1, index: randomInt(STATUS_LIST_ENTRIES) };
}

export const statusListUrl = (baseUrl: string, list: number) =>
  `${baseUrl.replace(/\/+$/, '')}/certificates/status/${list}`;

/** The multibase ('u' = base64url, no padding) GZIP of the bitstring; index 0 is the left-most bit. */
export function encodeStatusList(setIndexes: Iterable<number>): string {
  const bits = new Uint8Array(STATUS_LIST_ENTRIES / 8);
  for (const index of setIndexes) bits[index >> 3]! |= 0x80 >> (index & 7);
  return `u${gzipSync(bits).toString('base64url')}`;
}

/** Reads one bit of an encodedList, as a verifier does. */
export function statusBit(encodedList: string, index: number): 0 | 1 {
  if (!encodedList.startsWith('u')) throw new Error('The encodedList is not multibase base64url.');
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), { maxOutputLength: 16 * 1024 * 1024 });
  if (bits.length * 8 < STATUS_LIST_ENTRIES || index < 0 || index >= bits.length * 8)
    throw new Error('The status list is shorter than the standard allows, or the index is outside it.');
  return ((bits[index >> 3]! >> (7 - (index & 7))) & 1) as 0 | 1;
}

export interface StatusListCredential {
  '@context': [typeof VC_CONTEXT];
  id: string;
  type: ['VerifiableCredential', 'BitstringStatusListCredential'];
  issuer: { id: string; name: string };
  validFrom: string;
  credentialSubject: {
    id: string;
    type: 'BitstringStatusList';
    statusPurpose: 'revocation';
    encodedList: string;
    ttl: number;
  };
}

export function buildStatusListCredential(input: {
  baseUrl: string;
  list: number;
  issuerName: string;
  revokedIndexes: Iterable<number>;
  signedAt: Date;
}): StatusListCredential {
  const baseUrl = input.baseUrl.replace(/\/+$/, '');
  const id = statusListUrl(baseUrl, input.list);
  return {
    '@context': [VC_CONTEXT],
    id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: { id: `${baseUrl}/issuer`, name: input.issuerName },
    validFrom: dateTime(input.signedAt),
    credentialSubject: {
      id: `${id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: encodeStatusList(input.revokedIndexes),
      ttl: STATUS_LIST_TTL_SECONDS * 1000,
    },
  };
}

/** Signed as the certificates are: VC-JWT, Ed25519, the key named by `kid` in the JWKS. */
export async function signStatusList(
  vc: StatusListCredential,
  key: Pick<SigningKey, 'kid' | 'privateJwk'>,
): Promise<string> {
  const claims: JWTPayload = { ...vc, iss: vc.issuer.id, jti: vc.id, nbf: Math.floor(Date.parse(vc.validFrom) / 1000) };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .sign(await importJWK(key.privateJwk, ALG));
}

/** A verifier's check of a fetched list: signature against the JWKS, then its shape. */
export async function verifyStatusList(jwt: string, jwks: { keys: JWK[] }): Promise<StatusListCredential> {
  const { payload } = await jwtVerify<StatusListCredential>(jwt, createLocalJWKSet(jwks), {
    algorithms: [ALG],
    typ: 'JWT',
  });
  if (
    !payload.type?.includes('BitstringStatusListCredential') ||
    payload.credentialSubject?.type !== 'BitstringStatusList' ||
    payload.iss !== payload.issuer?.id ||
    payload.jti !== payload.id
  )
    throw new Error('The token is signed but is not a consistent BitstringStatusListCredential.');
  return payload;
}
