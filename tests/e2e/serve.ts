// The end-to-end test server, started by Playwright's webServer:
//   1. an SMTP server on 127.0.0.1:E2E_SMTP_PORT that keeps every message in memory,
//   2. a small HTTP API on 127.0.0.1:E2E_MAIL_PORT to read them (GET /messages?to=<email>, newest first),
//   3. Rounds itself (`node bin/start.ts`) on 127.0.0.1:E2E_PORT, sending its mail to (1),
//      on a fresh embedded PGlite in a temp folder unless DATABASE_URL is given.
// SIGTERM/SIGINT are forwarded to Rounds; this process exits when Rounds does.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import { startScriptFlags } from '../support/start-flags.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
const appPort = Number(process.env.E2E_PORT ?? 4410);
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 4425);
const mailPort = Number(process.env.E2E_MAIL_PORT ?? 4426);

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
  /** List-Unsubscribe and List-Unsubscribe-Post, where the mail has them. */
  listUnsubscribe?: string;
  listUnsubscribePost?: string;
  receivedAt: string;
}

const messages: CapturedMail[] = [];

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((group) => group.value.map((entry) => (entry.address ?? '').toLowerCase())).filter(Boolean);
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 5 * 1024 * 1024,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((parsed) => {
        // Envelope recipients are the truth (Bcc never shows in the headers); headers as a fallback.
        const envelope = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
        const to = envelope.length ? envelope : addresses(parsed.to);
        const header = (name: string) =>
          parsed.headerLines
            .find((line) => line.key === name)
            ?.line.slice(name.length + 1)
            .trim();
        messages.push({
          to,
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          listUnsubscribe: header('list-unsubscribe'),
          listUnsubscribePost: header('list-unsubscribe-post'),
          receivedAt: new Date().toISOString(),
        });
        callback();
      })
      .catch((error: Error) => callback(error));
  },
});
smtp.on('error', (error) => console.error('[e2e smtp]', error.message));

const mailApi = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://${HOST}:${mailPort}`);
  if (req.method === 'GET' && url.pathname === '/messages') {
    const to = url.searchParams.get('to')?.trim().toLowerCase();
    const found = messages.filter((m) => !to || m.to.includes(to)).reverse();
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(found));
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
});

function listen(
  server: {
    listen: (port: number, host: string, cb: () => void) => unknown;
    once: (event: 'error', cb: (error: Error) => void) => unknown;
  },
  port: number,
  name: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`${name} could not listen on ${HOST}:${port}: ${error.message}`)));
    server.listen(port, HOST, () => resolve());
  });
}

await listen(smtp.server, smtpPort, 'SMTP capture');
await listen(mailApi, mailPort, 'Mail API');
console.log(`[e2e] capturing mail on smtp://${HOST}:${smtpPort}, readable at http://${HOST}:${mailPort}/messages`);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: String(appPort),
  HOST,
  PUBLIC_URL: `http://${HOST}:${appPort}`,
  SMTP_URL: `smtp://${HOST}:${smtpPort}`,
  // The journeys complete courses in seconds and expect certificates (docs/settings.md).
  LESSON_TIME_FLOOR: '0',
};
// A fresh embedded database every run, unless a (fresh) PostgreSQL database is given.
let dataDir: string | undefined;
if (!process.env.DATABASE_URL) {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'rounds-e2e-'));
  env.DATA_DIR = dataDir;
}
if (process.env.E2E_SKIP_BUILD === '1') env.ROUNDS_SKIP_BUILD = '1';
else delete env.ROUNDS_SKIP_BUILD;

console.log(
  `[e2e] starting Rounds on http://${HOST}:${appPort} (${dataDir ? `fresh PGlite in ${dataDir}` : 'PostgreSQL from DATABASE_URL'})`,
);
const app = spawn(process.execPath, [...startScriptFlags(), path.join(root, 'bin/start.ts')], {
  cwd: root,
  env,
  stdio: 'inherit',
});

function cleanUp(): void {
  smtp.close(() => undefined);
  mailApi.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (app.exitCode === null && app.signalCode === null) app.kill(signal);
  });
}

app.on('exit', (code, signal) => {
  cleanUp();
  process.exit(code ?? (signal ? 1 : 0));
});
app.on('error', (error) => {
  console.error('[e2e] could not start Rounds:', error.message);
  cleanUp();
  process.exit(1);
});
