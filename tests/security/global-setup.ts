// One built server for the security suite, on a fresh database (a new PostgreSQL
// database when DATABASE_URL is set, else a temporary PGlite folder), plus a second one
// whose PUBLIC_URL is https:// to check the Secure `__Host-` cookie.
//
// The first account of an install is its administrator: it is made here, before any test
// file runs, so which account is the administrator does not depend on the order of files.
//
// TRUST_PROXY=true, a documented setting: each test sends its own X-Forwarded-For so
// per-address throttles (sign-up: 300 an hour) count each test separately — the limits
// themselves are unchanged and tested as they are.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  appSnapshot,
  createTestDatabase,
  root,
  startServer,
  type ServerProcess,
  type TestDatabase,
} from '../load/harness.ts';
import { signUp, type TestUser } from './support.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    origin: string;
    secureOrigin: string;
    /** The main server's log: without SMTP its mail (confirmation links) is printed there. */
    serverLog: string;
    /** The administrator (the install's first account), signed in. */
    admin: TestUser;
  }
}

export default async function setup(project: TestProject) {
  const outDir = path.join(root, 'tests/.output/security');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  appSnapshot((line) => console.log(`[security] ${line}`));
  const databases: TestDatabase[] = [];
  const servers: ServerProcess[] = [];
  try {
    const [main, secure] = await Promise.all([
      createTestDatabase(process.env.DATABASE_URL, 'security'),
      createTestDatabase(process.env.DATABASE_URL, 'secure'),
    ]);
    databases.push(main, secure);
    const serverLog = path.join(outDir, 'server.log');
    const [server, secureServer] = await Promise.all([
      // LESSON_TIME_FLOOR 0: the fixtures complete a course in a second and need its certificate (docs/settings.md).
      startServer({ env: { ...main.env, TRUST_PROXY: 'true', LESSON_TIME_FLOOR: '0' }, logFile: serverLog }),
      startServer({
        env: { ...secure.env, TRUST_PROXY: 'true', PUBLIC_URL: 'https://rounds.example' },
        logFile: path.join(outDir, 'secure-server.log'),
      }),
    ]);
    servers.push(server, secureServer);
    project.provide('origin', server.origin);
    project.provide('serverLog', serverLog);
    project.provide('admin', await signUp(server.origin, 'admin'));
    project.provide('secureOrigin', secureServer.origin);
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(databases.map((d) => d.drop()));
    throw error;
  }
  return async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(databases.map((d) => d.drop()));
  };
}
