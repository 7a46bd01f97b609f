// Certificates on a real database: issued once however the last lessons complete, held
// (not broken) when the email is unconfirmed or the name cannot be printed, revoked and
// reissued by administrators with an audit trail. Then against the built server: the
// signed credential verifies with jose against the JWKS fetched over HTTP, fails when one
// byte of its payload changes, and still verifies after `rotate-signing-key`.
import { ForbiddenError } from '#server/kernel/errors.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import {
  createTestDatabase,
  root,
  seedLearners,
  signIn,
  startServer,
  type ServerProcess,
  type TestDatabase,
} from '../load/harness.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { CatalogCourse, CatalogLesson } from '#lib/catalog.ts';
import { createUser, findUserById, markEmailVerified, setAdmin, updateUserName } from '#server/accounts/users-repo.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import * as learning from '#server/learning/learning.ts';
import * as certificates from '#server/certificates/certificates.ts';
import { signingKey } from '#server/certificates/signing-keys.ts';
import { verifyCredential } from '#server/certificates/credentials.ts';
import { publishedKeys } from '#server/certificates/signing-keys.ts';
import { addMonths } from '#lib/certificate-rules.ts';

const catalog = testCatalog();
// A course with a recertification period, so certificates expire.
const course = catalog.courses.find((c) => c.recertifyMonths && c.lessons.length >= 3)!;

function correctAnswers(lesson: CatalogLesson): Record<number, number> {
  return Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
}

async function complete(db: RoundsDatabase['db'], userId: string, lesson: CatalogLesson) {
  const user = (await findUserById(db, userId))!;
  return learning.completeLesson(
    { db, catalog, user },
    {
      courseSlug: lesson.courseSlug,
      lessonSlug: lesson.slug,
      answers: correctAnswers(lesson),
    },
  );
}

/** Completes every lesson of `of` except the last `leave`. */
async function completeAllBut(
  db: RoundsDatabase['db'],
  userId: string,
  of: CatalogCourse,
  leave: number,
): Promise<void> {
  for (const lesson of of.lessons.slice(0, of.lessons.length - leave)) await complete(db, userId, lesson);
}

describe('on the database', () => {
  let database: RoundsDatabase;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  async function learner(options: { name?: string; verified?: boolean; admin?: boolean } = {}) {
    const user = (await createUser(database.db, {
      email: uniqueEmail('cert'),
      name: options.name ?? 'Nguyễn Thị Ánh',
      passwordHash: 'x',
    }))!;
    if (options.verified ?? true) await markEmailVerified(database.db, user.id, user.email);
    if (options.admin) await setAdmin(database.db, user.email);
    return (await findUserById(database.db, user.id))!;
  }

  const certificatesOf = (userId: string) =>
    database.db.selectFrom('certificates').selectAll().where('user_id', '=', userId).execute();

  it('completing the last two lessons at the same time issues exactly one certificate; a retry changes nothing', async () => {
    const learners = await Promise.all(Array.from({ length: 4 }, () => learner()));
    for (const { id } of learners) await completeAllBut(database.db, id, course, 2);
    const [secondLast, last] = course.lessons.slice(-2) as [CatalogLesson, CatalogLesson];
    const results = await Promise.all(
      learners.flatMap(({ id }) => [
        complete(database.db, id, secondLast),
        complete(database.db, id, last),
        complete(database.db, id, last),
      ]),
    );
    expect(results.some((r) => r.certificate)).toBe(true);
    for (const user of learners) {
      const id = user.id;
      const rows = await certificatesOf(id);
      expect(rows).toHaveLength(1);
      // The retry: the same certificate, still one.
      const again = await complete(database.db, id, last);
      expect(again.certificate).toMatchObject({ certificate: { id: rows[0]!.id } });
      const concurrent = await Promise.all(
        Array.from({ length: 5 }, () => certificates.issueEarnedCertificates({ db: database.db, catalog, user })),
      );
      expect(new Set(concurrent.flat().map((o) => ('certificate' in o ? o.certificate.id : o.held)))).toEqual(
        new Set([rows[0]!.id]),
      );
      expect(await certificatesOf(id)).toHaveLength(1);
    }
  });

  it('records what a continuing-education office needs, as issued', async () => {
    const user = await learner();
    await completeAllBut(database.db, user.id, course, 0);
    const [row] = await certificatesOf(user.id);
    expect(row).toMatchObject({
      holder_name: 'Nguyễn Thị Ánh',
      course_slug: course.slug,
      course_title: course.title,
      course_version: course.version,
      contact_hours: course.contactHours,
      issuer_name: 'Rounds',
      revoked_at: null,
      replaced_by: null,
    });
    expect(row!.id).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 bits
    expect(row!.code).toMatch(/^RND-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(row!.completed_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const progress = await database.db
      .selectFrom('lesson_progress')
      .select('completed_at')
      .where('user_id', '=', user.id)
      .execute();
    const lastCompletion = new Date(Math.max(...progress.map((p) => p.completed_at!.getTime())));
    expect(row!.expires_at!.getTime()).toBe(addMonths(lastCompletion, course.recertifyMonths!).getTime());

    // The signed credential names the course and hashes the email with the stored salt.
    const vc = await verifyCredential(row!.credential_jwt!, await publishedKeys(database.db));
    expect(vc.credentialSubject.achievement.name).toBe(course.title);
    expect(vc.credentialSubject.identifier[0]!.salt).toBe(row!.holder_email_salt);
    expect(vc.credentialSubject.identifier[1]!.identityHash).toBe('Nguyễn Thị Ánh');
    expect(decodeProtectedHeader(row!.credential_jwt!).kid).toBe((await signingKey(database.db)).kid);

    const view = certificates.describeCertificate(row!);
    expect(view.status).toBe('valid');
    expect(new URL(view.linkedInUrl).searchParams.get('certId')).toBe(row!.code);
    expect(certificates.verificationJson(view)).toMatchObject({
      status: 'valid',
      holder: { name: 'Nguyễn Thị Ánh' },
      completedOn: row!.completed_on,
    });
  });

  it('holds the certificate until the email is confirmed, then issues it on request', async () => {
    const user = await learner({ verified: false });
    const done = await (async () => {
      await completeAllBut(database.db, user.id, course, 1);
      return complete(database.db, user.id, course.lessons.at(-1)!);
    })();
    expect(done.courseComplete).toBe(true);
    expect(done.certificate).toMatchObject({ held: expect.stringMatching(/confirm your email/) });
    expect(await certificatesOf(user.id)).toHaveLength(0);
    expect((await certificates.myCertificates({ db: database.db, catalog, user: user })).waiting).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/confirm your email/) }),
    ]);

    await markEmailVerified(database.db, user.id, user.email);
    const [outcome] = await certificates.issueEarnedCertificates({ db: database.db, catalog, user: user });
    expect(outcome).toHaveProperty('certificate');
    expect(await certificatesOf(user.id)).toHaveLength(1);
  });

  it('never issues a certificate with a name the font cannot draw: it says which characters, and issues once the name changes', async () => {
    const user = await learner({ name: 'Lee 李小龍' });
    await completeAllBut(database.db, user.id, course, 1);
    const done = await complete(database.db, user.id, course.lessons.at(-1)!);
    expect(done.certificate).toMatchObject({ held: expect.stringContaining('“李” “小” “龍”') });
    expect(await certificatesOf(user.id)).toHaveLength(0);

    await updateUserName(database.db, user.id, 'Lee Siu Lung');
    await certificates.issueEarnedCertificates({ db: database.db, catalog, user: user });
    expect((await certificatesOf(user.id)).map((r) => r.holder_name)).toEqual(['Lee Siu Lung']);
  });

  it('revocation: administrators only, with a reason, audit-logged, final (completing again brings nothing back)', async () => {
    const admin = await learner({ admin: true, name: 'Ada Admin' });
    const holder = await learner();
    await completeAllBut(database.db, holder.id, course, 0);
    const [row] = await certificatesOf(holder.id);

    await expect(
      certificates.revokeCertificate({ db: database.db, catalog, user: holder }, { id: row!.id, reason: 'mine' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const revoked = await certificates.revokeCertificate(
      { db: database.db, catalog, user: admin },
      { id: row!.id, reason: 'Issued in error' },
    );
    expect(revoked.revoke_reason).toBe('Issued in error');
    await expect(
      certificates.revokeCertificate({ db: database.db, catalog, user: admin }, { id: row!.id, reason: 'again' }),
    ).rejects.toThrow(/already revoked/);

    const view = (await certificates.findCertificateView(database.db, row!.id))!;
    expect(view).toMatchObject({ status: 'revoked', revokeReason: 'Issued in error' });
    expect(certificates.verificationJson(view)).toMatchObject({
      status: 'revoked',
      valid: false,
      revocationReason: 'Issued in error',
    });

    const entry = (await listAuditEntries(database.db, { action: 'certificate.revoke' })).find(
      (e) => e.target === `certificate:${row!.id}`,
    );
    expect(entry).toMatchObject({ actorId: admin.id, details: { code: row!.code, reason: 'Issued in error' } });

    await complete(database.db, holder.id, course.lessons.at(-1)!);
    expect(await certificatesOf(holder.id)).toHaveLength(1);
  });

  it('reissue after a change of name: the old one says reissued and points at the new one; only one is current', async () => {
    const admin = await learner({ admin: true, name: 'Ada Admin' });
    const holder = await learner({ name: 'Zoë Ødegaard' });
    await completeAllBut(database.db, holder.id, course, 0);
    const [old] = await certificatesOf(holder.id);

    await updateUserName(database.db, holder.id, 'Zoë Ødegaard-Berg');
    await expect(
      certificates.reissueCertificate({ db: database.db, catalog, user: holder }, { id: old!.id }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const replacement = await certificates.reissueCertificate(
      { db: database.db, catalog, user: admin },
      { id: old!.id },
    );
    expect(replacement).toMatchObject({
      holder_name: 'Zoë Ødegaard-Berg',
      course_slug: old!.course_slug,
      completed_on: old!.completed_on,
      replaced_by: null,
    });
    expect(replacement.expires_at!.getTime()).toBe(old!.expires_at!.getTime());
    expect(replacement.code).not.toBe(old!.code);

    expect((await certificates.findCertificateView(database.db, old!.id))!).toMatchObject({
      status: 'reissued',
      replacedById: replacement.id,
    });
    expect((await certificates.findCertificateView(database.db, replacement.id))!.status).toBe('valid');
    await expect(
      certificates.reissueCertificate({ db: database.db, catalog, user: admin }, { id: old!.id }),
    ).rejects.toThrow(/already reissued/);
    expect(
      (await certificates.myCertificates({ db: database.db, catalog, user: holder })).certificates.map((c) => c.id),
    ).toEqual([replacement.id]);

    // Two current certificates for one learner, course and term are impossible in the database itself
    // (a renewal is the next term: decision 0041).
    await expect(
      database.db
        .insertInto('certificates')
        .values({
          ...replacement,
          id: 'x'.repeat(22),
          code: 'RND-TEST-TEST',
          issued_at: new Date(),
          status_list: replacement.status_list + 1,
        })
        .execute(),
    ).rejects.toThrow(/certificates_one_current_per_term/);

    const entry = (await listAuditEntries(database.db, { action: 'certificate.reissue' })).find(
      (e) => e.target === `certificate:${old!.id}`,
    );
    expect(entry).toMatchObject({
      actorId: admin.id,
      details: { replacement: replacement.id, previousName: 'Zoë Ødegaard', name: 'Zoë Ødegaard-Berg' },
    });
  });

  it('an unknown or malformed id finds nothing', async () => {
    expect(await certificates.findCertificateView(database.db, 'AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(await certificates.findCertificateView(database.db, "'; drop table certificates; --")).toBeUndefined();
    expect(await certificates.signedCredential(database.db, '../../etc/passwd')).toBeUndefined();
  });
});

describe('against the built server', () => {
  let testDb: TestDatabase;
  let server: ServerProcess;
  let logDir: string;
  // The first expires (it has a recertification period), so its credential carries `exp`.
  const first = course;
  const second = catalog.courses.find((c) => c.slug !== course.slug && c.lessons.length > 0)!;
  let learnerEmails: string[] = [];
  let adminEmail = '';

  const start = async () => {
    server = await startServer({ env: testDb.env, logFile: path.join(logDir, 'server.log') });
  };

  beforeAll(async () => {
    logDir = mkdtempSync(path.join(os.tmpdir(), 'rounds-certificates-'));
    testDb = await createTestDatabase(process.env.DATABASE_URL, 'certificates');
    // Seeded before the server opens the database (PGlite is one process's): confirmed
    // learners with every lesson but the last of two courses done, and an administrator.
    const database = await testDb.open();
    try {
      const seeded = await seedLearners(database, 2, 'cert');
      learnerEmails = seeded.map((l) => l.email);
      adminEmail = 'cert-owner@load.rounds.test';
      for (const { id } of seeded) {
        await completeAllBut(database.db, id, first, 1);
        await completeAllBut(database.db, id, second, 1);
      }
    } finally {
      await database.close();
    }
    await start();
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    await testDb?.drop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  async function completeOverHttp(cookie: string, lesson: CatalogLesson): Promise<void> {
    const body = new URLSearchParams({ courseSlug: lesson.courseSlug, lessonSlug: lesson.slug });
    for (const [question, option] of Object.entries(correctAnswers(lesson))) body.set(`q${question}`, String(option));
    const response = await fetch(`${server.origin}/_actions/progress.complete`, {
      method: 'POST',
      headers: { origin: server.origin, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(response.status, await response.text()).toBe(200);
  }

  /** The certificate the lesson page's island is told about once the course is complete. */
  async function certificateUrl(cookie: string, lesson: CatalogLesson): Promise<string> {
    const response = await fetch(`${server.origin}/courses/${lesson.courseSlug}/${lesson.slug}/state.json`, {
      headers: { cookie },
    });
    const state = (await response.json()) as { courseComplete: boolean; certificate: { status: string; url: string } };
    expect(state.courseComplete).toBe(true);
    expect(state.certificate.status).toBe('issued');
    return state.certificate.url;
  }

  const jwks = () =>
    createRemoteJWKSet(new URL(`${server.origin}/.well-known/jwks.json`), { cacheMaxAge: 0, cooldownDuration: 0 });
  const fetchText = async (url: string) => (await fetch(url)).text();

  let firstJwt = '';

  it('the credential verifies against the JWKS over HTTP, and not once one byte of its payload changes', async () => {
    const cookie = await signIn(server.origin, learnerEmails[0]!);
    await completeOverHttp(cookie, first.lessons.at(-1)!);
    const url = await certificateUrl(cookie, first.lessons.at(-1)!);

    const response = await fetch(`${server.origin}${url}.jwt`);
    expect(response.headers.get('content-type')).toBe('application/vc+jwt');
    firstJwt = await response.text();
    const { payload, protectedHeader } = await jwtVerify(firstJwt, jwks(), { algorithms: ['EdDSA'] });
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload).toMatchObject({
      iss: `${server.origin}/issuer`,
      jti: `${server.origin}${url}`,
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
    });
    expect(payload.nbf).toBeTypeOf('number');
    expect(payload.exp).toBeTypeOf('number'); // the course has a recertification period

    // One byte of the payload changed (still valid base64url and JSON): the signature no longer holds.
    const [header, body, signature] = firstJwt.split('.') as [string, string, string];
    const json = Buffer.from(body, 'base64url').toString('utf8');
    const tampered = json.replace(
      first.title,
      first.title.replace(/^./, (c) => (c === 'X' ? 'Y' : 'X')),
    );
    expect(Buffer.byteLength(tampered)).toBe(Buffer.byteLength(json));
    expect(tampered).not.toBe(json);
    await expect(
      jwtVerify(`${header}.${Buffer.from(tampered).toString('base64url')}.${signature}`, jwks()),
    ).rejects.toThrow(/signature/i);

    // The issuer profile it points at, and the machine-readable status.
    const issuer = await (await fetch(`${server.origin}/issuer`)).json();
    expect(issuer).toMatchObject({
      id: `${server.origin}/issuer`,
      type: 'Profile',
      name: 'Rounds',
      url: server.origin,
    });
    const status = await (await fetch(`${server.origin}${url}`, { headers: { accept: 'application/json' } })).json();
    expect(status).toMatchObject({ status: 'valid', valid: true, course: { slug: first.slug } });
  });

  it('revocation shows to people and machines at once; only an administrator can revoke', async () => {
    const learner = await signIn(server.origin, learnerEmails[0]!);
    const url = await certificateUrl(learner, first.lessons.at(-1)!);
    const id = url.split('/').at(-1)!;
    const revoke = (cookie: string) =>
      fetch(`${server.origin}/_actions/certificates.revoke`, {
        method: 'POST',
        headers: { origin: server.origin, cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ certificateId: id, reason: 'Issued in error: test' }),
      });
    expect((await revoke(learner)).status).toBe(403);
    expect(
      (await fetch(`${server.origin}${url}`, { headers: { accept: 'application/json' } }).then((r) => r.json())).status,
    ).toBe('valid');

    const admin = await signIn(server.origin, adminEmail);
    expect((await revoke(admin)).status).toBe(200);
    const status = await (await fetch(`${server.origin}${url}`, { headers: { accept: 'application/json' } })).json();
    expect(status).toMatchObject({ status: 'revoked', valid: false, revocationReason: 'Issued in error: test' });
    const page = await fetchText(`${server.origin}${url}`);
    expect(page).toContain('Revoked certificate');
    expect(page).toContain('Issued in error: test');
    expect(page).toContain('<meta name="robots" content="noindex">');

    const unknown = await fetch(`${server.origin}/certificates/AAAAAAAAAAAAAAAAAAAAAA`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('No certificate at this address');
  });

  it('after rotate-signing-key the old credential still verifies and new credentials use the new key', async () => {
    const before = (
      (await (await fetch(`${server.origin}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
    ).keys.map((k) => k.kid);
    const oldKid = decodeProtectedHeader(firstJwt).kid;
    expect(before).toEqual([oldKid]);

    // The CLI needs the database to itself when it is the embedded one.
    if (testDb.kind === 'pglite') await server.stop();
    const cli = spawnSync(process.execPath, [path.join(root, 'bin/rounds.ts'), 'rotate-signing-key'], {
      env: { ...process.env, ...testDb.env },
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    const newKid = /signing key (\S+)\./.exec(cli.stdout)?.[1];
    expect(newKid).toBeTruthy();
    if (testDb.kind === 'pglite') await start();

    const after = (
      (await (await fetch(`${server.origin}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
    ).keys.map((k) => k.kid);
    expect(after).toEqual([oldKid, newKid]);
    await expect(jwtVerify(firstJwt, jwks())).resolves.toBeTruthy();

    const cookie = await signIn(server.origin, learnerEmails[1]!);
    await completeOverHttp(cookie, second.lessons.at(-1)!);
    const url = await certificateUrl(cookie, second.lessons.at(-1)!);
    const jwt = await fetchText(`${server.origin}${url}.jwt`);
    expect(decodeProtectedHeader(jwt).kid).toBe(newKid);
    await expect(jwtVerify(jwt, jwks())).resolves.toBeTruthy();
  });
});
