import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, decodeProtectedHeader, importJWK } from 'jose';
import {
  buildOpenBadgeCredential,
  generateSigningKey,
  publicJwks,
  signCredential,
  verifyCredential,
  type OpenBadgeCredentialInput,
} from '#server/certificates/credentials.ts';

const input: OpenBadgeCredentialInput = {
  baseUrl: 'https://rounds.example.org',
  certificateId: 'c_8f3k2m9x7q4w1z5t',
  issuerName: 'Northside Community Health',
  issuerEmail: 'education@northside.example.org',
  holderEmail: 'zoe@example.org',
  holderName: 'Zoë Ødegaard',
  salt: '6d1c3f0a9b2e4d7f8a1b2c3d4e5f6a7b',
  courseSlug: 'medication-handover',
  courseTitle: 'Safe medication handover at shift change',
  courseDescription: 'Five short lessons on handing over medication safely.',
  criteriaNarrative: 'Complete every lesson and pass each check.',
  issuedAt: new Date('2026-11-26T10:05:00Z'),
  completedOn: new Date('2026-11-26T09:30:00Z'),
  expiresAt: null,
  status: { listUrl: 'https://rounds.example.org/certificates/status/1', index: 94_567 },
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const decodePayload = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

describe('signing keys', () => {
  it('generates an Ed25519 key whose kid is its JWK thumbprint', async () => {
    const key = await generateSigningKey();
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: key.kid, alg: 'EdDSA', use: 'sig' });
    expect(key.publicJwk.d).toBeUndefined();
    expect(key.privateJwk.d).toBeTypeOf('string');
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
  });

  it('publishes public members only, even when handed a private key', async () => {
    const key = await generateSigningKey();
    const jwks = publicJwks([{ publicJwk: key.privateJwk }]);
    expect(jwks.keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x, kid: key.kid, alg: 'EdDSA', use: 'sig' },
    ]);
    expect(JSON.stringify(jwks)).not.toContain(key.privateJwk.d);
  });
});

describe('buildOpenBadgeCredential', () => {
  it('builds an OB 3.0 OpenBadgeCredential on the VC 2.0 data model', () => {
    const vc = buildOpenBadgeCredential(input);
    expect(vc['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ]);
    expect(vc.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(vc.id).toBe('https://rounds.example.org/certificates/c_8f3k2m9x7q4w1z5t');
    expect(vc.issuer).toEqual({
      id: 'https://rounds.example.org/issuer',
      type: ['Profile'],
      name: 'Northside Community Health',
      url: 'https://rounds.example.org',
      email: 'education@northside.example.org',
    });
    expect(vc.validFrom).toBe('2026-11-26T10:05:00Z');
    expect(vc).not.toHaveProperty('validUntil');
    expect(vc.credentialSubject.type).toEqual(['AchievementSubject']);
    expect(vc.credentialSubject.activityEndDate).toBe('2026-11-26T09:30:00Z');
    expect(vc.credentialSubject.achievement).toEqual({
      id: 'https://rounds.example.org/courses/medication-handover',
      type: ['Achievement'],
      name: input.courseTitle,
      description: input.courseDescription,
      criteria: { narrative: input.criteriaNarrative },
    });
  });

  it('identifies the learner by a salted SHA-256 hash of their email, never the email itself', () => {
    const vc = buildOpenBadgeCredential(input);
    expect(vc.credentialSubject.identifier[0]).toEqual({
      type: 'IdentityObject',
      identityHash: `sha256$${sha256(input.holderEmail + input.salt)}`,
      identityType: 'emailAddress',
      hashed: true,
      salt: input.salt,
    });
    expect(JSON.stringify(vc)).not.toContain(input.holderEmail);
    const shouted = buildOpenBadgeCredential({ ...input, holderEmail: ' Zoe@Example.ORG ' });
    expect(shouted.credentialSubject.identifier[0]!.identityHash).toBe(
      vc.credentialSubject.identifier[0]!.identityHash,
    );
    const otherSalt = buildOpenBadgeCredential({ ...input, salt: 'another-salt' });
    expect(otherSalt.credentialSubject.identifier[0]!.identityHash).not.toBe(
      vc.credentialSubject.identifier[0]!.identityHash,
    );
  });

  it('leaves out the issuer email when there is none and adds validUntil when the certificate expires', () => {
    const vc = buildOpenBadgeCredential({
      ...input,
      issuerEmail: undefined,
      expiresAt: new Date('2028-11-26T10:05:00Z'),
    });
    expect(vc.issuer).not.toHaveProperty('email');
    expect(vc.validUntil).toBe('2028-11-26T10:05:00Z');
  });
});

describe('signCredential / verifyCredential', () => {
  it('signs a VC-JWT that verifies against the JWKS', async () => {
    const key = await generateSigningKey();
    const vc = buildOpenBadgeCredential(input);
    const jwt = await signCredential(vc, key);

    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' });
    const payload = await verifyCredential(jwt, publicJwks([key]));
    expect(payload).toMatchObject({
      ...vc,
      iss: 'https://rounds.example.org/issuer',
      jti: vc.id,
      sub: `sha256$${sha256(input.holderEmail + input.salt)}`,
      nbf: Date.parse('2026-11-26T10:05:00Z') / 1000,
    });
    expect(payload).not.toHaveProperty('exp');
  });

  it('rejects a token whose payload was changed by one byte', async () => {
    const key = await generateSigningKey();
    const jwt = await signCredential(buildOpenBadgeCredential(input), key);
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    const at = bytes.indexOf('Safe medication');
    bytes[at] = 'S'.charCodeAt(0) ^ 0x20; // "Safe" -> "safe": still valid JSON, different bytes
    const tampered = [header, bytes.toString('base64url'), signature].join('.');
    expect(decodePayload(tampered).name).toContain('safe medication');
    await expect(verifyCredential(tampered, publicJwks([key]))).rejects.toThrow(/signature verification failed/);
  });

  it('rejects a token signed by a key that is not in the JWKS', async () => {
    const [signer, other] = await Promise.all([generateSigningKey(), generateSigningKey()]);
    const jwt = await signCredential(buildOpenBadgeCredential(input), signer);
    await expect(verifyCredential(jwt, publicJwks([other]))).rejects.toThrow();
  });

  it('still verifies a credential signed with an old key after rotation', async () => {
    const oldKey = await generateSigningKey();
    const jwt = await signCredential(buildOpenBadgeCredential(input), oldKey);
    const newKey = await generateSigningKey();
    const fresh = await signCredential(buildOpenBadgeCredential({ ...input, certificateId: 'c_new' }), newKey);
    const jwks = publicJwks([newKey, oldKey]);
    await expect(verifyCredential(jwt, jwks)).resolves.toMatchObject({
      jti: 'https://rounds.example.org/certificates/c_8f3k2m9x7q4w1z5t',
    });
    await expect(verifyCredential(fresh, jwks)).resolves.toMatchObject({
      jti: 'https://rounds.example.org/certificates/c_new',
    });
  });

  it('sets exp only when the certificate expires, and refuses it afterwards', async () => {
    const key = await generateSigningKey();
    const expiresAt = new Date('2028-11-26T10:05:00Z');
    const jwt = await signCredential(buildOpenBadgeCredential({ ...input, expiresAt }), key);
    expect(decodePayload(jwt).exp).toBe(expiresAt.getTime() / 1000);
    const jwks = publicJwks([key]);
    await expect(verifyCredential(jwt, jwks, { currentDate: new Date('2027-01-01') })).resolves.toMatchObject({
      validUntil: '2028-11-26T10:05:00Z',
    });
    await expect(verifyCredential(jwt, jwks, { currentDate: new Date('2029-01-01') })).rejects.toThrow(
      /"exp" claim timestamp check failed/,
    );
  });

  it('refuses a signed token whose claims disagree with the credential they carry', async () => {
    const key = await generateSigningKey();
    const vc = buildOpenBadgeCredential(input);
    const jwt = await new SignJWT({ ...vc, iss: 'https://elsewhere.example/issuer', jti: vc.id })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
      .sign(await importJWK(key.privateJwk, 'EdDSA'));
    await expect(verifyCredential(jwt, publicJwks([key]))).rejects.toThrow(/not a consistent OpenBadgeCredential/);
  });
});
