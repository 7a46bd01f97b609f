// Revocation that survives account deletion (issue 15, finding 2). A verifier takes the
// signed credential, follows its credentialStatus to the signed Bitstring Status List,
// checks the list's signature against the JWKS, decompresses it and reads the bit —
// before and after revocation, and after the holder deletes their account. The
// verification page keeps every certificate's status without the holder's name, and the
// same address cannot earn a revoked course afresh. Indexes are unique under concurrency,
// and certificates from before the change get one in the migration.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { decodeJwt, createLocalJWKSet, jwtVerify } from 'jose';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { openDatabase, type RoundsDatabase } from '#server/platform/db.ts';
import { migrations } from '#db/migrations/index.ts';
import type { CatalogCourse } from '#lib/catalog.ts';
import { createUser, eraseAccount, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import * as learning from '#server/learning/learning.ts';
import * as certificates from '#server/certificates/certificates.ts';
import { publishedKeys, signingKey } from '#server/certificates/signing-keys.ts';
import { buildOpenBadgeCredential, signCredential } from '#server/certificates/credentials.ts';

const catalog = testCatalog();
const course = catalog.courses.find((c) => c.lessons.length >= 2)!;
const other = catalog.courses.find((c) => c.slug !== course.slug)!;

let database: RoundsDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

async function learner(email = uniqueEmail('status')) {
  const user = (await createUser(database.db, { email, name: 'Amaka Obi', passwordHash: 'x' }))!;
  await markEmailVerified(database.db, user.id, user.email);
  return (await findUserById(database.db, user.id))!;
}

async function finish(userId: string, of: CatalogCourse = course) {
  const user = (await findUserById(database.db, userId))!;
  let result;
  for (const lesson of of.lessons) {
    const answers = Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
    result = await learning.completeLesson(
      { db: database.db, catalog, user },
      { courseSlug: of.slug, lessonSlug: lesson.slug, answers },
    );
  }
  return result!.certificate;
}

async function admin() {
  const user = await learner(uniqueEmail('status-admin'));
  await setAdmin(database.db, user.email);
  return { db: database.db, catalog, user: (await findUserById(database.db, user.id))! };
}

/** What a verifier does, by the standard alone: credential → credentialStatus → signed list → bit. */
async function revocationBit(credentialJwt: string): Promise<0 | 1> {
  const jwks = createLocalJWKSet(await publishedKeys(database.db));
  const { payload: vc } = await jwtVerify(credentialJwt, jwks, { algorithms: ['EdDSA'] });
  const status = vc.credentialStatus as Record<string, string>;
  expect(status).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
  const listUrl = new URL(status.statusListCredential!);
  const list = Number(listUrl.pathname.match(/^\/certificates\/status\/(\d+)$/)![1]);
  const listJwt = (await certificates.statusListCredential(database.db, list))!;
  const { payload } = await jwtVerify(listJwt, jwks, { algorithms: ['EdDSA'] });
  expect(payload).toMatchObject({
    id: status.statusListCredential,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation' },
  });
  const encoded = (payload.credentialSubject as { encodedList: string }).encodedList;
  expect(encoded[0]).toBe('u');
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  expect(bits.length).toBeGreaterThanOrEqual(16 * 1024);
  const index = Number(status.statusListIndex);
  return ((bits[index >> 3]! >> (7 - (index % 8))) & 1) as 0 | 1;
}

describe('a verifier reads revocation from the signed status list', () => {
  it('0 before revocation, 1 after, still 1 after the holder deletes their account; the page keeps the status, not the name', async () => {
    const holder = await learner();
    const outcome = await finish(holder.id);
    const id = (outcome as { certificate: { id: string } }).certificate.id;
    const jwt = (await certificates.signedCredential(database.db, id))!.jwt!;
    expect(await revocationBit(jwt)).toBe(0);

    await certificates.revokeCertificate(await admin(), { id, reason: 'Completed by someone else' });
    expect(await revocationBit(jwt)).toBe(1);

    await database.db.transaction().execute((tx) => eraseAccount(tx, holder.id));
    // The credential in the holder's hands still says revoked; the server no longer has the name or the credential.
    expect(await revocationBit(jwt)).toBe(1);
    const view = (await certificates.findCertificateView(database.db, id))!;
    expect(view).toMatchObject({ status: 'revoked', holderName: null, holderErased: true });
    const json = certificates.verificationJson(view);
    expect(json).toMatchObject({ status: 'revoked', valid: false, holder: null, holderDeletedAccount: true });
    expect(JSON.stringify(json)).not.toContain('Amaka');
    expect(await certificates.signedCredential(database.db, id)).toEqual({ jwt: null });
    expect((await certificates.certificatePdf(database.db, id))!.pdf).toBeNull();
    const row = await database.db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([row.holder_name, row.credential_jwt]).toEqual([null, null]);
  });

  it('a deleted holder’s valid certificate stays valid, without name or email hash', async () => {
    const holder = await learner();
    const { certificate } = (await finish(holder.id)) as { certificate: { id: string } };
    const jwt = (await certificates.signedCredential(database.db, certificate.id))!.jwt!;
    await database.db.transaction().execute((tx) => eraseAccount(tx, holder.id));
    expect(await revocationBit(jwt)).toBe(0);
    expect(await certificates.findCertificateView(database.db, certificate.id)).toMatchObject({
      status: 'valid',
      holderName: null,
    });
    const row = await database.db
      .selectFrom('certificates')
      .select('holder_email_hash')
      .where('id', '=', certificate.id)
      .executeTakeFirstOrThrow();
    expect(row.holder_email_hash).toBeNull();
  });

  it('the same address, signed up again after deleting a revoked holder’s account, does not earn the course afresh', async () => {
    const email = uniqueEmail('again');
    const first = await learner(email);
    const { certificate } = (await finish(first.id)) as { certificate: { id: string } };
    await certificates.revokeCertificate(await admin(), { id: certificate.id, reason: 'Shared answers' });
    await database.db.transaction().execute((tx) => eraseAccount(tx, first.id));

    const second = await learner(email);
    const outcome = await finish(second.id);
    expect(outcome).toMatchObject({ held: expect.stringContaining('was revoked') });
    // Another course is not affected.
    expect(await finish(second.id, other)).toMatchObject({ certificate: { user_id: second.id } });
  });

  it('concurrent issues get distinct indexes, and concurrent revocations both reach the list', async () => {
    const people = await Promise.all(Array.from({ length: 12 }, () => learner()));
    const issued = await Promise.all(people.map((p) => finish(p.id)));
    const ids = issued.map((o) => (o as { certificate: { id: string } }).certificate.id);
    const rows = await database.db
      .selectFrom('certificates')
      .select(['status_list', 'status_index'])
      .where('id', 'in', ids)
      .execute();
    expect(new Set(rows.map((r) => `${r.status_list}:${r.status_index}`)).size).toBe(ids.length);

    const ctx = await admin();
    await Promise.all(
      ids.slice(0, 6).map((id) => certificates.revokeCertificate(ctx, { id, reason: 'Audit finding' })),
    );
    for (const [n, id] of ids.entries()) {
      const jwt = (await certificates.signedCredential(database.db, id))!.jwt!;
      expect(await revocationBit(jwt), `certificate ${n}`).toBe(n < 6 ? 1 : 0);
    }
  });

  it('there is no list beyond the ones in use', async () => {
    expect(await certificates.statusListCredential(database.db, 1)).toBeTruthy();
    expect(await certificates.statusListCredential(database.db, 2)).toBeUndefined();
    expect(await certificates.statusListCredential(database.db, 0)).toBeUndefined();
  });
});

describe('the migration', () => {
  it('gives certificates issued before it a random index and their credential’s email hash', async () => {
    const old = openDatabase({});
    try {
      const migrator = new Migrator({ db: old.db, provider: { getMigrations: async () => migrations } });
      const before = Object.keys(migrations).filter((name) => name < '2026-12-10T1000-certificate-status');
      expect((await migrator.migrateTo(before.at(-1)!)).error).toBeUndefined();
      const [user] = (
        await sql<{
          id: string;
        }>`insert into users (email, name, password_hash) values ('old@example.org', 'Old Holder', 'x') returning id`.execute(
          old.db,
        )
      ).rows;
      const key = await signingKey(old.db);
      const vc = buildOpenBadgeCredential({
        baseUrl: 'http://localhost',
        certificateId: 'AAAAAAAAAAAAAAAAAAAAAA',
        issuerName: 'Rounds',
        holderEmail: 'old@example.org',
        holderName: 'Old Holder',
        salt: 'abc',
        courseSlug: course.slug,
        courseTitle: course.title,
        courseDescription: 'd',
        criteriaNarrative: 'c',
        issuedAt: new Date(),
        completedOn: new Date(),
        expiresAt: null,
        status: { listUrl: 'unused', index: 0 },
      });
      // As signed before credentials carried credentialStatus.
      delete vc.credentialStatus;
      const jwt = await signCredential(vc, key);
      await sql`insert into certificates (id, code, user_id, holder_name, holder_email_salt, course_slug, course_title,
        course_version, completed_on, contact_hours, issuer_name, credential_jwt)
        values ('AAAAAAAAAAAAAAAAAAAAAA', 'RND-AAAA-AAAA', ${user!.id}, 'Old Holder', 'abc', ${course.slug}, 't', '1',
        '2026-11-30', 1, 'Rounds', ${jwt})`.execute(old.db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const row = await old.db
        .selectFrom('certificates')
        .selectAll()
        .where('id', '=', 'AAAAAAAAAAAAAAAAAAAAAA')
        .executeTakeFirstOrThrow();
      expect(row.status_list).toBe(1);
      expect(row.status_index).toBeGreaterThanOrEqual(0);
      expect(row.status_index).toBeLessThan(131_072);
      expect(row.holder_email_hash).toBe(decodeJwt(jwt).sub);
    } finally {
      await old.close();
    }
  });
});
