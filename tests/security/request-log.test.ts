// The request log (one line per request: method, path, status, ms) never holds a
// password, a session token, reflection text, a mailed token or an invite code.
// Runs its own built servers — one per LOG_FORMAT — on fresh databases, with a real
// SMTP server capturing the mail (without SMTP_URL, mail is printed to the console on
// purpose, links included, so a newcomer can follow them).
import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import {
  createTestDatabase,
  root,
  sleep,
  startServer,
  type ServerProcess,
  type TestDatabase,
} from '../load/harness.ts';
import { testCatalog } from '../support/catalog.ts';
import { form, FORM, http, sessionCookie } from './support.ts';

const catalog = testCatalog();
const lesson = catalog.courses[0]!.lessons[0]!;
const outDir = path.join(root, 'tests/.output/security');

let smtp: SMTPServer;
const mails: string[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // Quoted-printable soft line breaks would split a link.
        mails.push(
          Buffer.concat(chunks)
            .toString('utf8')
            .replace(/=\r?\n/g, ''),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(0, '127.0.0.1', () => resolve());
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** The token of the newest mailed link to `linkPath` for `email`. */
async function mailedToken(email: string, linkPath: string): Promise<string> {
  const pattern = new RegExp(`${linkPath}\\?token=3D([a-z0-9]+)|${linkPath}\\?token=([a-z0-9]+)`);
  for (let waited = 0; waited < 10_000; waited += 100) {
    for (const mail of [...mails].reverse()) {
      const match = mail.includes(email) ? pattern.exec(mail) : null;
      if (match) return (match[1] ?? match[2])!;
    }
    await sleep(100);
  }
  throw new Error(`no mail to ${email} with a ${linkPath} link`);
}

interface Logged {
  method: string;
  path: string;
  status: number;
}

describe.each(['text', 'json'] as const)('the request log (LOG_FORMAT=%s)', (format) => {
  let database: TestDatabase;
  let server: ServerProcess;
  let logFile: string;
  let logStart = 0;
  const sent: Logged[] = [];
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase(process.env.DATABASE_URL, `reqlog_${format}`);
    logFile = path.join(outDir, `request-log-${format}.log`);
    const { port } = smtp.server.address() as AddressInfo;
    server = await startServer({
      env: { ...database.env, SMTP_URL: `smtp://127.0.0.1:${port}`, LOG_FORMAT: format },
      logFile,
    });
    await sleep(300); // the start-up /healthz lines are written
    logStart = statSync(logFile).size;

    const { origin } = server;
    // Every request goes through here, so the test knows exactly which lines to expect.
    const send = async (
      method: string,
      rawPath: string,
      loggedAs: string,
      options: Parameters<typeof http>[3] = {},
    ) => {
      const isWrite = method !== 'GET';
      const reply = await http(origin, method, rawPath, {
        ...options,
        headers: { ...(isWrite ? { origin, 'content-type': FORM } : {}), ...options.headers },
      });
      sent.push({ method, path: loggedAs, status: reply.status });
      return reply;
    };
    const token = (cookie: string) => cookie.split('=')[1]!;

    const email = `logged-${format}-${Date.now().toString(36)}@example.org`;
    secrets.password = 'quartz lantern meadow sparrow 58';
    secrets.newPassword = 'harbour violet tractor pebble 31';
    secrets.reflection = `Reflection only I may read ${crypto.randomUUID()}`;

    const signedUp = await send('POST', '/_actions/accounts.signUp', '/_actions/accounts.signUp', {
      body: form({ name: 'Logan Quiet', email, password: secrets.password }),
    });
    expect(signedUp.status).toBe(200);
    secrets.signUpSession = token(sessionCookie(signedUp)!);
    expect(
      (
        await send('POST', '/_actions/accounts.signOut', '/_actions/accounts.signOut', {
          cookie: `session=${secrets.signUpSession}`,
        })
      ).status,
    ).toBe(200);
    const signedIn = await send('POST', '/_actions/accounts.signIn', '/_actions/accounts.signIn', {
      body: form({ email, password: secrets.password }),
    });
    expect(signedIn.status).toBe(200);
    secrets.session = token(sessionCookie(signedIn)!);
    const cookie = `session=${secrets.session}`;

    const saved = await send('POST', '/_actions/reflections.save', '/_actions/reflections.save', {
      cookie,
      body: form({ courseSlug: lesson.courseSlug, lessonSlug: lesson.slug, body: secrets.reflection, revision: '1' }),
    });
    expect(saved.status).toBe(200);
    const journal = await send('GET', `/journal?q=${encodeURIComponent(secrets.reflection.slice(0, 20))}`, '/journal', {
      cookie,
    });
    expect(journal.text).toContain(secrets.reflection);

    secrets.verifyToken = await mailedToken(email, '/verify-email');
    expect((await send('GET', `/verify-email?token=${secrets.verifyToken}`, '/verify-email', { cookie })).status).toBe(
      200,
    );
    expect(
      (
        await send('POST', '/_actions/accounts.verifyEmail', '/_actions/accounts.verifyEmail', {
          cookie,
          body: form({ token: secrets.verifyToken }),
        })
      ).status,
    ).toBe(200);

    const team = await send('POST', '/_actions/teams.create', '/_actions/teams.create', {
      cookie,
      body: form({ name: 'Night shift', description: '' }),
    });
    const teamId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(team.text)![0];
    const invite = await send('POST', '/_actions/teams.createInvite', '/_actions/teams.createInvite', {
      cookie,
      body: form({ teamId, days: '7', maxUses: '' }),
    });
    expect(invite.status).toBe(200);
    secrets.inviteCode = /"([A-Z0-9]{12})"/.exec(invite.text)![1]!;
    secrets.inviteCodeAsShown = secrets.inviteCode.match(/.{4}/g)!.join('-');
    expect((await send('GET', `/join/${secrets.inviteCode}`, '/join/:code', { cookie })).status).toBe(200);
    // Typed as shown, in any case: redirected to the canonical link.
    expect(
      (await send('GET', `/join/${secrets.inviteCodeAsShown.toLowerCase()}`, '/join/:code', { cookie })).status,
    ).toBe(301);

    expect(
      (
        await send('POST', '/_actions/accounts.requestPasswordReset', '/_actions/accounts.requestPasswordReset', {
          body: form({ email }),
        })
      ).status,
    ).toBe(200);
    secrets.resetToken = await mailedToken(email, '/reset-password');
    expect((await send('GET', `/reset-password?token=${secrets.resetToken}`, '/reset-password')).status).toBe(200);
    const reset = await send('POST', '/_actions/accounts.resetPassword', '/_actions/accounts.resetPassword', {
      body: form({ token: secrets.resetToken, password: secrets.newPassword }),
    });
    expect(reset.status).toBe(200);
    secrets.resetSession = token(sessionCookie(reset)!);
    const exported = await send('GET', '/account/export.json', '/account/export.json', {
      cookie: `session=${secrets.resetSession}`,
    });
    expect(exported.text).toContain(secrets.reflection);
    await sleep(300); // the last lines are written
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const logText = () => readFileSync(logFile, 'utf8').slice(logStart);

  it('holds no password, session token, reflection text, mailed token or invite code', () => {
    const whole = readFileSync(logFile, 'utf8');
    expect(Object.keys(secrets).length).toBe(10);
    for (const [what, secret] of Object.entries(secrets)) {
      // A session token is "<id>.<secret>": neither half may appear.
      for (const part of secret.split('.'))
        expect(whole.toLowerCase(), `${what} in the log`).not.toContain(part.toLowerCase());
    }
  });

  it('has exactly one line per request, with method, path, status and ms', () => {
    const lines = logText().split('\n').filter(Boolean);
    const logged: (Logged & { ms: number })[] = [];
    for (const line of lines) {
      if (format === 'json') {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        expect(Object.keys(entry).sort()).toEqual(['method', 'ms', 'path', 'status', 'time']);
        expect(new Date(entry.time as string).toISOString()).toBe(entry.time);
        logged.push({
          method: entry.method as string,
          path: entry.path as string,
          status: entry.status as number,
          ms: entry.ms as number,
        });
      } else {
        const match = /^([A-Z]+) (\S+) (\d{3}) (\d+\.\d)ms$/.exec(line);
        if (match) logged.push({ method: match[1]!, path: match[2]!, status: Number(match[3]), ms: Number(match[4]) });
      }
    }
    for (const entry of logged) expect(entry.ms).toBeGreaterThanOrEqual(0);
    const key = (e: Logged) => `${e.method} ${e.path} ${e.status}`;
    expect(logged.map(key).sort()).toEqual(sent.map(key).sort());
    expect(sent.length).toBe(15);
  });
});
