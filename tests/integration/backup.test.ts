// Backup → wipe → restore with the real CLI (`node bin/rounds.ts backup|restore <file>`,
// a child process as an operator runs it), on the embedded PGlite (always) and on
// PostgreSQL (when DATABASE_URL is set, as in CI). The database holds a bit of everything
// an install has: learners' progress and reflections, a demo team with members, invites,
// assignments, a personal due date, reminders and their signing key, an event with
// enrollments and nudges, certificates with their signed credentials and the private
// signing key, sessions, email tokens, throttles, mail and the audit log. Every table's
// row count and a sample of its rows come back exactly, and a credential issued before
// the backup still verifies against the JWKS the restored server publishes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type RoundsDatabase } from '#server/platform/db.ts';
import { createSession } from '#server/accounts/sessions.ts';
import { hashToHex } from '#server/kernel/tokens.ts';
import { insertEmailToken } from '#server/accounts/email-tokens-repo.ts';
import { hitThrottle } from '#server/platform/throttle-repo.ts';
import { saveReflection } from '#server/learning/reflections-repo.ts';
import { completeLesson, openNextTerm, recordCheckAttempts } from '#server/progress/repo.ts';
import { findUserById, setAdmin } from '#server/accounts/users-repo.ts';
import * as events from '#server/events/events.ts';
import { requestPasswordReset } from '#server/accounts/accounts.ts';
import { statusListCredential } from '#server/certificates/certificates.ts';
import { saveCreditProvider } from '#server/credit/credit.ts';
import * as creditRecords from '#server/credit/records-repo.ts';
import * as reminders from '#server/teams/reminders.ts';
import * as automatic from '#server/teams/automatic-reminders.ts';
import * as teams from '#server/teams/teams.ts';
import * as paths from '#server/teams/paths.ts';
import * as invitations from '#server/teams/invitations.ts';
import * as organisations from '#server/organisations/organisations.ts';
import * as ssoRepo from '#server/sso/repo.ts';
import { handleScimRequest } from '#server/organisations/scim.ts';
import { DEMO_DOMAIN, seedDemo } from '#server/demo/demo.ts';
import { answerReview, createCardsForLesson } from '#server/review/index.ts';
import { subscribeToPush, vapidPublicKey } from '#server/notifications/index.ts';
import { createECDH, randomBytes } from 'node:crypto';
import { root, seedLearners, startServer } from '../load/harness.ts';
import { testCatalog } from '../support/catalog.ts';

type Snapshot = Record<string, { count: number; sample: string }>;
const catalog = testCatalog();

/** Fills every table the app writes, through the same services and repos the app uses. */
async function seed(database: RoundsDatabase): Promise<{ certificateId: string; credential: string }> {
  const db = database.db;
  // The demo team: leader, members at every stage, invites, assignments, progress,
  // reflections, and the certificates of finished courses (signing key included).
  await seedDemo(db, catalog);
  const learners = await seedLearners(database, 12, 'backup');
  for (const [i, learner] of learners.entries()) {
    const key = { userId: learner.id, courseSlug: 'patient-connection', lessonSlug: `lesson-${i % 5}` };
    await recordCheckAttempts(db, key, [{ question: 0, chosenOption: i % 3, correct: i % 2 === 0 }]);
    await completeLesson(db, key, 'v1');
    await saveReflection(db, learner.id, {
      courseSlug: key.courseSlug,
      lessonSlug: key.lessonSlug,
      body: `Réflexion ${i}: «let them finish» — 🏥\n${'x'.repeat(i * 10)}`,
      revision: 1000 + i,
    });
    if (i % 3 === 0) await createSession(db, learner.id, 'backup-test');
  }
  // A review answered, on cards from a completion a day ago.
  const reviewer = (await findUserById(db, learners[0]!.id))!;
  const reviewed = catalog.course('patient-connection')!.lessons[0]!;
  await createCardsForLesson(db, reviewer.id, reviewed, new Date(Date.now() - 86_400_000));
  await answerReview(
    { db, catalog, user: reviewer },
    {
      reviewId: crypto.randomUUID(),
      courseSlug: 'patient-connection',
      lessonSlug: reviewed.slug,
      card: reviewed.check[0]!.id,
      option: reviewed.check[0]!.options.findIndex((o) => !o.correct),
    },
  );
  await insertEmailToken(db, {
    tokenHash: hashToHex('backup-test-token'),
    userId: learners[0]!.id,
    purpose: 'reset-password',
    email: learners[0]!.email,
    expiresAt: new Date(Date.now() + 3600_000),
  });
  await hitThrottle(db, 'sign-in:ip:10.0.0.1', 900);
  // A reset request still queued for the job, and the signed certificate status list.
  await requestPasswordReset(db, learners[1]!.email, { ip: '10.0.0.2', userAgent: '' });
  await statusListCredential(db, 1);

  const leaderRow = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', '=', `leader@${DEMO_DOMAIN}`)
    .executeTakeFirstOrThrow();
  await setAdmin(db, leaderRow.email);
  const leader = (await findUserById(db, leaderRow.id))!;
  const team = await db
    .selectFrom('team_members')
    .select('team_id')
    .where('user_id', '=', leader.id)
    .where('role', '=', 'leader')
    .executeTakeFirstOrThrow();
  const assignment = await db
    .selectFrom('team_assignments')
    .select(['id'])
    .where('team_id', '=', team.team_id)
    .executeTakeFirstOrThrow();
  const member = await db
    .selectFrom('team_members')
    .select('user_id')
    .where('team_id', '=', team.team_id)
    .where('role', '=', 'member')
    .executeTakeFirstOrThrow();
  const ctx = { db, catalog, user: leader, clientIp: '127.0.0.1' };
  // A personal due date, quiet hours, and reminders queued and delivered (mail, unsubscribe key).
  await teams.setMemberDueDate(ctx, {
    teamId: team.team_id,
    assignmentId: assignment.id,
    userId: member.user_id,
    dueOn: '2031-02-01',
  });
  await reminders.savePreferences(
    { db, catalog, user: (await findUserById(db, member.user_id))! },
    { quietStart: 22 * 60, quietEnd: 7 * 60, remindersOn: true },
  );
  await reminders.sendReminders(ctx, { teamId: team.team_id, assignmentId: assignment.id });
  await reminders.runDueReminders(db, catalog, new Date(Date.now() + 26 * 3600_000));
  // An invitation mailed to someone not yet in the team.
  await invitations.inviteByEmail(ctx, { teamId: team.team_id, addresses: ['newcomer@example.org'], repeated: 0 });
  // A learning path, in a team of its own (the demo team has its courses assigned one by one).
  const pathTeam = await teams.createTeam(ctx, { name: 'Backup path team', description: '' });
  await paths.createPath(ctx, {
    teamId: pathTeam.teamId,
    name: 'Onboarding',
    startsOn: null,
    inOrder: true,
    steps: [{ courseSlug: 'team-huddles', offsetDays: 7 }],
  });
  // A renewal term (decision 0041): a learner finished a course and started taking it again.
  const renewing = catalog.course('servant-leadership')!;
  for (const lesson of renewing.lessons)
    await completeLesson(db, { userId: learners[0]!.id, courseSlug: renewing.slug, lessonSlug: lesson.slug }, 'v1');
  await openNextTerm(db, {
    userId: learners[0]!.id,
    courseSlug: renewing.slug,
    lessonSlugs: renewing.lessons.map((l) => l.slug),
    dueOn: '2030-06-30',
  });
  // An event (audit-logged), learners enrolled, and the nudge of its first lesson sent.
  const course = catalog.course('team-huddles')!;
  const { code } = await events.createEvent(ctx, {
    name: 'Backup symposium',
    slug: '',
    eventDate: '2030-01-01',
    timeZone: 'UTC',
    location: 'Hall B',
    welcomeMessage: 'Welcome',
    courses: [course.slug],
    unlockMinute: 7 * 60,
    firstUnlockDays: 1,
    intervalDays: 2,
    dayOffsets: null,
  });
  for (const learner of learners.slice(0, 3)) {
    const person = (await findUserById(db, learner.id))!;
    await events.joinEvent({ ...ctx, user: person }, { code });
  }
  await events.runEventNudges(db, catalog, new Date('2030-01-02T12:00:00Z')); // and the learners' mail days
  // Automatic follow-up (decision 0040): a team's schedule, a stage sent, a member's per-team
  // stop and a leader's digest (sent, then turned off by its link).
  await automatic.saveReminderSchedule(ctx, { teamId: team.team_id, automatic: true, daysBefore: 5 });
  await db
    .insertInto('automatic_reminders')
    .values({ assignment_id: assignment.id, user_id: member.user_id, stage: 'before', day: '2031-01-27' })
    .execute();
  const stop = new URL(await automatic.teamUnsubscribeUrl(db, member.user_id, [team.team_id]));
  await automatic.unsubscribeFromTeamsWithToken(db, stop.searchParams.get('token')!, stop.searchParams.get('teams')!);
  await db
    .insertInto('leader_digests')
    .values({ user_id: leader.id, week: '2031-01-27', sent_at: new Date() })
    .execute();
  const digestOff = new URL(await automatic.digestOffUrl(db, leader.id));
  await automatic.stopDigestWithToken(db, digestOff.searchParams.get('token')!);
  // An organisation with a child, a verified domain, an administrator and the demo team.
  const { organisationId: system } = await organisations.createOrganisation(ctx, {
    name: 'Backup Health',
    parentId: null,
  });
  const { organisationId } = await organisations.createOrganisation(ctx, { name: 'Backup Hospital', parentId: system });
  await organisations.addDomain(ctx, { organisationId, domain: 'backup-hospital.org' });
  await organisations.addOrganisationAdmin(ctx, { organisationId, email: learners[2]!.email });
  await organisations.addOrganisationTeam(ctx, { organisationId, teamId: team.team_id });
  // Its single sign-on: the provider (secret as stored, encrypted), a sign-in on its way,
  // a linked provider account and a session that began at the provider.
  await ssoRepo.upsertProvider(db, {
    organisationId,
    issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0',
    clientId: 'backup-client',
    clientSecretEncrypted: 'v1.aXY.Ym9keQ.dGFn',
    requireSso: true,
    updatedBy: ctx.user.id,
  });
  await ssoRepo.insertPendingSignIn(db, {
    stateHash: 'backup-state-hash',
    organisationId,
    codeVerifier: 'backup-verifier',
    nonce: 'backup-nonce',
    next: '/courses',
    expiresAt: new Date('2100-01-01T00:00:00Z'),
  });
  await ssoRepo.insertIdentity(db, { organisationId, subject: 'backup-subject', userId: learners[2]!.id });
  const someSession = await db.selectFrom('sessions').select('id').limit(1).executeTakeFirstOrThrow();
  await ssoRepo.insertSsoSession(db, { sessionId: someSession.id, organisationId, idToken: 'backup.id.token' });
  // Its directory over SCIM: a token, a provisioned account, a group mapped to the team.
  const { token } = await organisations.rotateScimToken(ctx, { organisationId });
  const scim = async (method: string, path: string, body: unknown) => {
    const request = new Request(`http://backup.test/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
    });
    const response = await handleScimRequest(db, request, path);
    expect(response.status, `SCIM ${method} ${path}`).toBe(201);
    return (await response.json()) as { id: string };
  };
  const provisioned = await scim('POST', '/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'pat.provisioned@backup-hospital.org',
    name: { givenName: 'Pat', familyName: 'Provisioned' },
  });
  const group = await scim('POST', '/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Backup ward',
    members: [{ value: provisioned.id }],
  });
  await organisations.mapScimGroup(ctx, { organisationId, groupId: group.id, teamId: team.team_id });
  // The continuing-education provider an administrator saved.
  await saveCreditProvider(ctx, {
    name: 'Backup CE Office',
    accreditationStatement: '',
    approverStatement: '',
    enabledTypes: ['participation'],
  });
  // A learner's credit record: a post-test attempt, an evaluation (receipt and answers apart), a claim.
  const creditCourse = catalog.courses.find((c) => c.credit)!;
  const creditLearner = learners[2]!.id;
  await creditRecords.insertPostTestAttempt(db, {
    attemptId: crypto.randomUUID(),
    userId: creditLearner,
    courseSlug: creditCourse.slug,
    courseVersion: creditCourse.version,
    answers: [0, 1],
    correct: 2,
    questions: 2,
    score: 100,
    passed: true,
  });
  await db.transaction().execute((tx) =>
    creditRecords.insertEvaluation(tx, {
      userId: creditLearner,
      courseSlug: creditCourse.slug,
      activityId: creditCourse.credit!.activityId,
      formVersion: 1,
      completedOn: '2030-01-02',
      answers: { outcomes: [4, 5], comments: 'Useful' },
    }),
  );
  await creditRecords.insertCreditClaim(db, {
    userId: creditLearner,
    courseSlug: creditCourse.slug,
    activityId: creditCourse.credit!.activityId,
    creditType: 'participation',
    hoursClaimed: 0.25,
    postTestScore: 100,
  });

  // A phone that gets reminders by push, and the server's VAPID key pair.
  await vapidPublicKey(db);
  await subscribeToPush(
    { ...ctx, user: (await findUserById(db, learners[1]!.id))! },
    {
      endpoint: 'https://fcm.googleapis.com/fcm/send/backup-phone',
      p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
      auth: randomBytes(16).toString('base64url'),
      sessionId: null,
    },
  );

  const certificate = await db
    .selectFrom('certificates')
    .select(['id', 'credential_jwt'])
    .orderBy('issued_at')
    .executeTakeFirstOrThrow();
  return { certificateId: certificate.id, credential: certificate.credential_jwt! };
}

async function snapshot(database: RoundsDatabase): Promise<Snapshot> {
  const tables = (
    await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(
      database.db,
    )
  ).rows;
  const result: Snapshot = {};
  for (const { table_name } of tables) {
    const [count] = (
      await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)}`.execute(database.db)
    ).rows;
    // A sample of whole rows in a stable order (every column, as text, so types compare exactly).
    const rows = (
      await sql<{ r: string }>`select t::text as r from ${sql.table(table_name)} t order by 1 limit 40`.execute(
        database.db,
      )
    ).rows;
    result[table_name] = { count: Number(count!.n), sample: rows.map((row) => row.r).join('\n') };
  }
  return result;
}

/** The seeded database has rows in every table of the schema: an empty one would prove nothing. */
function expectEveryTableFilled(before: Snapshot): void {
  const empty = Object.entries(before)
    .filter(([, table]) => table.count === 0)
    .map(([name]) => name);
  expect(empty).toEqual([]);
  // The tables that matter most, by name, so a rename cannot hide them.
  for (const table of [
    'users',
    'certificates',
    'signing_keys',
    'teams',
    'team_members',
    'team_invites',
    'team_assignments',
    'team_paths',
    'course_terms',
    'team_reminders',
    'team_reminder_schedules',
    'automatic_reminders',
    'team_reminder_opt_outs',
    'leader_digests',
    'leader_digest_opt_outs',
    'mail_days',
    'events',
    'event_enrollments',
    'event_nudges',
    'audit_log',
    'reflections',
    'organisations',
    'organisation_domains',
    'organisation_admins',
    'organisation_teams',
    'sso_providers',
    'sso_pending_sign_ins',
    'sso_identities',
    'sso_sessions',
    'push_keys',
    'push_subscriptions',
    'scim_tokens',
    'scim_users',
    'scim_groups',
    'scim_group_members',
  ]) {
    expect(before[table]?.count, table).toBeGreaterThan(0);
  }
  expect(before.signing_keys!.sample).toContain('"d"'); // the private key is in the backup
}

/** `node bin/rounds.ts <args>` with the database settings an operator would have. */
function cli(env: Record<string, string>, ...args: string[]): string {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.DATA_DIR;
  const result = spawnSync(process.execPath, [path.join(root, 'bin/rounds.ts'), ...args], {
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status, `rounds ${args.join(' ')}: ${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The restored database served: the credential issued before the backup verifies against its JWKS. */
async function expectCredentialStillVerifies(
  env: Record<string, string>,
  logDir: string,
  seeded: { certificateId: string; credential: string },
): Promise<void> {
  const server = await startServer({ env, logFile: path.join(logDir, 'server.log') });
  try {
    const served = await (await fetch(`${server.origin}/certificates/${seeded.certificateId}.jwt`)).text();
    expect(served).toBe(seeded.credential);
    const jwks = createRemoteJWKSet(new URL(`${server.origin}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(seeded.credential, jwks, { algorithms: ['EdDSA'] });
    expect(payload.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    const status = (await (
      await fetch(`${server.origin}/certificates/${seeded.certificateId}`, { headers: { accept: 'application/json' } })
    ).json()) as { status: string };
    expect(status.status).toBe('valid');
  } finally {
    await server.stop();
  }
}

describe('backup and restore with the CLI: embedded PGlite', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-backup-'));
  const dataDir = path.join(dir, 'pglite');
  const env = { DATA_DIR: dir };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'backs up, wipes, restores: every table, same row counts and rows; old credentials verify',
    { timeout: 300_000 },
    async () => {
      let database = openDatabase({ dataDir });
      await migrateToLatest(database.db);
      const seeded = await seed(database);
      const before = await snapshot(database);
      expectEveryTableFilled(before);

      // While the folder is open, a backup is refused (the server must be stopped).
      const refused = spawnSync(
        process.execPath,
        [path.join(root, 'bin/rounds.ts'), 'backup', path.join(dir, 'refused.tar.gz')],
        { env: { ...process.env, DATABASE_URL: '', ...env }, encoding: 'utf8' },
      );
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/stop Rounds|in use|open/i);
      await database.close();

      const file = path.join(dir, 'nightly', 'rounds.tar.gz');
      cli(env, 'backup', file);
      expect(existsSync(file)).toBe(true);

      rmSync(dataDir, { recursive: true, force: true });
      cli(env, 'restore', file);
      database = openDatabase({ dataDir });
      expect(await snapshot(database)).toEqual(before);
      await database.close();

      await expectCredentialStillVerifies(env, dir, seeded);
    },
  );
});

describe.runIf(process.env.DATABASE_URL)('backup and restore with the CLI: PostgreSQL', () => {
  let dir = '';
  const name = `rounds_backup_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://localhost/none');
  url.pathname = `/${name}`;
  const env = { DATABASE_URL: url.toString() };
  const admin = () =>
    new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 }) }),
    });
  afterAll(async () => {
    const a = admin();
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(a);
    await a.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'backs up, wipes, restores: every table, same row counts and rows; old credentials verify',
    { timeout: 300_000 },
    async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-backup-pg-'));
      const a = admin();
      await sql`create database ${sql.id(name)}`.execute(a);
      await a.destroy();
      const database = openDatabase({ url: url.toString(), poolMax: 2 });
      await migrateToLatest(database.db);
      const seeded = await seed(database);
      const before = await snapshot(database);
      expectEveryTableFilled(before);

      // A backup runs while the app is connected.
      const file = path.join(dir, 'rounds.dump');
      cli(env, 'backup', file);
      expect(existsSync(file)).toBe(true);

      await sql`drop schema public cascade`.execute(database.db);
      await sql`create schema public`.execute(database.db);
      expect(
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(
            database.db,
          )
        ).rows[0]!.n,
      ).toBe(0);

      cli(env, 'restore', file);
      expect(await snapshot(database)).toEqual(before);
      // Restoring over a live database with newer rows brings back the backup's state.
      await sql`delete from reflections`.execute(database.db);
      cli(env, 'restore', file);
      expect(await snapshot(database)).toEqual(before);
      await database.close();

      await expectCredentialStillVerifies(env, dir, seeded);
    },
  );
});
