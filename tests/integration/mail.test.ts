import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerEnvelope } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { hashToHex } from '#server/kernel/tokens.ts';

// Real SMTP to an in-process server. settings() reads the environment once and
// caches it, so the app modules are loaded afresh after SMTP_URL is set.
type Accounts = typeof import('#server/accounts/accounts.ts');
type Users = typeof import('#server/accounts/users-repo.ts');
type Settings = typeof import('#server/platform/settings.ts');

const PUBLIC_URL = 'https://rounds.example-hospital.test';
const ENV_KEYS = ['SMTP_URL', 'PUBLIC_URL', 'MAIL_FROM'] as const;

interface Received {
  envelope: SMTPServerEnvelope;
  raw: Buffer;
}

let database: RoundsDatabase;
let server: SMTPServer;
let received: Received[] = [];
let accounts: Accounts;
let users: Users;
let settingsModule: Settings;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>> = {};

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'], // plain SMTP on loopback; TLS is not what is under test
    logger: false,
    // A mailbox the server refuses, as a real one does for an unknown or full mailbox.
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('refused-'))
        return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ envelope: structuredClone(session.envelope), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
  process.env.PUBLIC_URL = `${PUBLIC_URL}/`;
  delete process.env.MAIL_FROM;

  vi.resetModules();
  settingsModule = await import('#server/platform/settings.ts');
  accounts = await import('#server/accounts/accounts.ts');
  users = await import('#server/accounts/users-repo.ts');
  database = await freshDatabase();
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await database?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

async function outboxCount(): Promise<number> {
  const row = await database.db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('mail over SMTP', () => {
  it('uses the configured SMTP server and public URL', () => {
    expect(settingsModule.settings().SMTP_URL).toBe(process.env.SMTP_URL);
    expect(settingsModule.settings().PUBLIC_URL).toBe(PUBLIC_URL);
  });

  it('delivers a password reset with a text and an HTML part, a working PUBLIC_URL link, and stores nothing in the outbox', async () => {
    received = [];
    const email = uniqueEmail('smtp');
    const user = (await users.createUser(database.db, { email, name: 'Zoë Ødegård', passwordHash: 'x' }))!;

    await accounts.requestPasswordReset(database.db, email, { ip: '203.0.113.7', userAgent: '' });
    // Nothing goes over SMTP while the request is answered: the job runner sends it.
    expect(received).toHaveLength(0);
    expect(await accounts.sendRequestedPasswordResets(database.db)).toBe(1);

    expect(received).toHaveLength(1);
    const [message] = received;
    expect(message!.envelope.rcptTo.map((r) => r.address)).toEqual([email]);
    expect(message!.envelope.mailFrom && message!.envelope.mailFrom.address).toBe('rounds@localhost');

    const parsed = await simpleParser(message!.raw);
    expect(addresses(parsed.to)).toEqual([email]);
    expect(parsed.subject).toMatch(/reset/i);
    expect(typeof parsed.text).toBe('string');
    expect(typeof parsed.html).toBe('string');
    // The greeting names nobody: a name is chosen by whoever made the account.
    expect(parsed.text!.split('\n')[0]).toBe('Hello,');

    const linkPattern = new RegExp(
      `${PUBLIC_URL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/reset-password\\?token=([a-z0-9]+)`,
    );
    const textLink = linkPattern.exec(parsed.text!);
    const htmlLink = linkPattern.exec(parsed.html as string);
    expect(textLink).not.toBeNull();
    expect(htmlLink).not.toBeNull();
    expect(htmlLink![1]).toBe(textLink![1]);
    expect(parsed.html as string).toContain(`href="${textLink![0]}"`);
    expect(parsed.text).not.toContain('localhost:4321');

    // The mailed token is the one the database knows (as a hash), for this user.
    const token = textLink![1]!;
    const stored = await database.db.selectFrom('email_tokens').selectAll().where('user_id', '=', user.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toBe(hashToHex(token));
    expect(stored[0]!.purpose).toBe('reset-password');

    // Mail sent over SMTP may hold single-use links: it is not kept.
    expect(await outboxCount()).toBe(0);
  });

  it('sends nothing for an address without an account', async () => {
    received = [];
    await accounts.requestPasswordReset(database.db, uniqueEmail('nobody'), { ip: '203.0.113.8', userAgent: '' });
    expect(await accounts.sendRequestedPasswordResets(database.db)).toBe(0);
    expect(received).toEqual([]);
    expect(await outboxCount()).toBe(0);
  });

  it('a refused confirmation mail still creates the account and its session, and says the link did not go out', async () => {
    received = [];
    const email = uniqueEmail('refused');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { user, session, verificationMail } = await accounts.signUp(
      database.db,
      { name: 'Ada Nurse', email, password: 'violet harbour tractor quilt 92' },
      { ip: '203.0.113.9', userAgent: '' },
    );
    vi.mocked(console.error).mockRestore();
    expect(verificationMail.sent).toBe(false);
    expect(!verificationMail.sent && verificationMail.message).toMatch(
      /could not send the confirmation link .* just now/,
    );
    expect(received).toEqual([]);
    expect(
      (await database.db.selectFrom('sessions').select('user_id').where('id', '=', session.id).executeTakeFirst())
        ?.user_id,
    ).toBe(user.id);
    // No link counts as sent: the banner offers to send a new one.
    const tokens = await database.db
      .selectFrom('email_tokens')
      .select('token_hash')
      .where('user_id', '=', user.id)
      .execute();
    expect(tokens).toEqual([]);
  });
});
