// The reminder queue is durable: a reminder a leader sends during the member's quiet
// hours waits in the database, survives the server being stopped and started again, and
// is delivered by the new process — once — when the quiet hours end. Real processes (the
// built server, twice, then the CLI), a real SMTP server in this test.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse as parseDevalue } from 'devalue';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import {
  createTestDatabase,
  root,
  seedLearners,
  signIn,
  sleep,
  startServer,
  type ServerProcess,
  type TestDatabase,
} from '../load/harness.ts';
import { findUserById } from '#server/accounts/users-repo.ts';
import * as teams from '#server/teams/teams.ts';
import { addDays, formatMinute } from '#lib/team-rules.ts';

const catalog = testCatalog();
const outDir = path.join(root, 'tests/.output/reminders-restart');
let testDb: TestDatabase;
let smtp: SMTPServer;
let smtpUrl: string;
const received: { to: string[]; raw: string }[] = [];
let server: ServerProcess | undefined;

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  testDb = await createTestDatabase(process.env.DATABASE_URL, 'team_restart');
});
afterAll(async () => {
  await server?.stop();
  await testDb?.drop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const remindersTo = (email: string) =>
  received.filter((mail) => mail.to.includes(email) && /friendly reminder/i.test(mail.raw));

async function action(origin: string, cookie: string, name: string, values: Record<string, string>) {
  const response = await fetch(`${origin}/_actions/${name}`, {
    method: 'POST',
    headers: { origin, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values).toString(),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return parseDevalue(text) as Record<string, unknown>;
}

describe('a reminder held for quiet hours, across a server restart', () => {
  it('is delivered by the restarted server when the quiet hours end, exactly once', { timeout: 420_000 }, async () => {
    // A leader, a member and an assignment.
    const database = await testDb.open();
    const [leaderRow, memberRow] = await seedLearners(database, 2, 'restart');
    const leader = (await findUserById(database.db, leaderRow!.id))!;
    const { teamId } = await teams.createTeam(
      { db: database.db, catalog, user: leader },
      { name: 'Night shift', description: '' },
    );
    const { code } = await teams.createInvite(
      { db: database.db, catalog, user: leader },
      { teamId, days: 7, maxUses: null },
    );
    await teams.joinTeam(
      { db: database.db, catalog, user: (await findUserById(database.db, memberRow!.id))!, clientIp: '127.0.0.1' },
      { code },
    );
    const { assignmentId } = await teams.assignCourse(
      { db: database.db, catalog, user: leader },
      { teamId, courseSlug: 'team-huddles', dueOn: addDays(teams.teamToday(), 7), note: '' },
    );
    await database.close();

    const env = { ...testDb.env, SMTP_URL: smtpUrl };
    server = await startServer({ env, logFile: path.join(outDir, 'first.log') });
    const memberCookie = await signIn(server.origin, memberRow!.email);
    const leaderCookie = await signIn(server.origin, leaderRow!.email);

    // The member is in quiet hours (UTC) until two minutes from now.
    const now = new Date();
    const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
    const quietEnd = (minute + 2) % 1440;
    await action(server.origin, memberCookie, 'teams.savePreferences', {
      timeZone: 'UTC',
      quietStart: formatMinute((minute + 1380) % 1440),
      quietEnd: formatMinute(quietEnd),
      remindersOn: 'on',
    });
    const sent = await action(server.origin, leaderCookie, 'teams.sendReminders', { teamId, assignmentId });
    expect(sent).toMatchObject({ queued: 1 });
    const dueAt = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 2 * 60_000);

    // The first server asked its job runner for a run at once: nothing may go out during quiet hours.
    await sleep(3000);
    expect(remindersTo(memberRow!.email)).toHaveLength(0);
    await server.stop();
    expect(Date.now()).toBeLessThan(dueAt.getTime()); // stopped before it was due: the new process must deliver it

    server = await startServer({ env, logFile: path.join(outDir, 'second.log') });
    // Due at the end of the quiet hours; the runner looks every minute.
    const deadline = dueAt.getTime() + 150_000;
    while (remindersTo(memberRow!.email).length === 0 && Date.now() < deadline) await sleep(1000);
    const delivered = remindersTo(memberRow!.email);
    expect(delivered).toHaveLength(1);
    expect(Date.now()).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(delivered[0]!.raw).toContain('/courses/team-huddles/');
    await server.stop();
    server = undefined;

    // Another pass (the CLI on the stopped server's database) finds nothing left to send.
    const cli = spawnSync(process.execPath, [path.join(root, 'bin/rounds.ts'), 'run-jobs'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('Reminders: 0 sent');
    expect(remindersTo(memberRow!.email)).toHaveLength(1);
    const after = await testDb.open();
    const rows = await after.db
      .selectFrom('team_reminders')
      .select(['delivered_at'])
      .where('assignment_id', '=', assignmentId)
      .execute();
    await after.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.delivered_at).toBeInstanceOf(Date);
  });
});
