// Against the built server with the provider settings of a real deployment: the name,
// address and accreditation statement reach the served PDF, the contact address reaches
// /issuer; an expired certificate says "Expired" with its date on the verification page
// (HTML and JSON) and on its PDF; administrators find certificates by name and by email.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import {
  createTestDatabase,
  seedLearners,
  signIn,
  startServer,
  type ServerProcess,
  type TestDatabase,
} from '../load/harness.ts';
import type { CatalogLesson } from '#lib/catalog.ts';
import * as learning from '#server/learning/learning.ts';
import { contextOf } from '../support/context.ts';

const catalog = testCatalog();
const course = catalog.courses.find((c) => c.recertifyMonths && c.lessons.length >= 2)!;
const SETTINGS = {
  ORGANIZATION_NAME: 'Riverside Nursing Education Unit',
  ORGANIZATION_ADDRESS: '14 Quay Street, Harbour Town HT1 2AB',
  ORGANIZATION_EMAIL: 'ce-office@riverside.example',
  ACCREDITATION_STATEMENT:
    'Riverside Nursing Education Unit is approved as a provider of nursing continuing professional development by the Harbour Board of Nursing.',
};

const correctAnswers = (lesson: CatalogLesson) =>
  Object.fromEntries(lesson.check.map((q, i) => [`q${i}`, String(q.options.findIndex((o) => o.correct))]));
const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

let testDb: TestDatabase;
let server: ServerProcess;
let dir: string;
let learners: { id: string; email: string }[];
const ids: string[] = [];
// Noon 40 days ago: the same calendar day in any server time zone within ±12 h.
const expiredAt = new Date(
  Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() - 40, 12),
);

const start = async () => {
  server = await startServer({ env: { ...testDb.env, ...SETTINGS, TZ: 'UTC' }, logFile: path.join(dir, 'server.log') });
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rounds-certificate-settings-'));
  testDb = await createTestDatabase(process.env.DATABASE_URL, 'certsettings');
  const database = await testDb.open();
  try {
    learners = await seedLearners(database, 2, 'settings');
    await database.db.updateTable('users').set({ name: 'Zoë Ødegaard' }).where('id', '=', learners[0]!.id).execute();
    await database.db.updateTable('users').set({ name: 'Łukasz Żółć' }).where('id', '=', learners[1]!.id).execute();
    for (const { id } of learners) {
      const ctx = await contextOf(database.db, catalog, id);
      for (const lesson of course.lessons.slice(0, -1)) {
        await learning.completeLesson(ctx, {
          courseSlug: course.slug,
          lessonSlug: lesson.slug,
          answers: Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)])),
        });
      }
    }
  } finally {
    await database.close();
  }
  await start();
  // The last lesson completed over HTTP: the server issues each certificate with its settings.
  const last = course.lessons.at(-1)!;
  for (const learner of learners) {
    const cookie = await signIn(server.origin, learner.email);
    const response = await fetch(`${server.origin}/_actions/progress.complete`, {
      method: 'POST',
      headers: { origin: server.origin, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ courseSlug: course.slug, lessonSlug: last.slug, ...correctAnswers(last) }),
    });
    expect(response.status, await response.text()).toBe(200);
  }
  // The first certificate's term ends in the past (PGlite is one process's: stop the server for it).
  await server.stop();
  const again = await testDb.open();
  try {
    const rows = await again.db
      .selectFrom('certificates')
      .select(['id', 'user_id'])
      .where(
        'user_id',
        'in',
        learners.map((l) => l.id),
      )
      .execute();
    for (const learner of learners) ids.push(rows.find((r) => r.user_id === learner.id)!.id);
    await again.db.updateTable('certificates').set({ expires_at: expiredAt }).where('id', '=', ids[0]!).execute();
  } finally {
    await again.close();
  }
  await start();
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await testDb?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function pdfText(id: string): Promise<string> {
  const response = await fetch(`${server.origin}/certificates/${id}.pdf`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/pdf');
  const file = path.join(dir, `${id}.pdf`);
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
    .normalize('NFC')
    .replace(/\s+/g, ' ');
}

describe('certificates served with the provider settings', () => {
  it('the PDF prints the provider name, address and accreditation statement from the settings', async () => {
    const text = await pdfText(ids[1]!);
    expect(text).toContain('Łukasz Żółć');
    expect(text).toContain(SETTINGS.ORGANIZATION_NAME);
    expect(text).toContain(SETTINGS.ORGANIZATION_ADDRESS);
    expect(text).toContain(SETTINGS.ACCREDITATION_STATEMENT);
    expect(text).not.toMatch(/EXPIRED|REVOKED|REISSUED/);
  });

  it('/issuer names the provider and its contact address; the verification page names the issuer', async () => {
    const issuer = (await (await fetch(`${server.origin}/issuer`)).json()) as Record<string, unknown>;
    expect(issuer).toMatchObject({
      type: 'Profile',
      name: SETTINGS.ORGANIZATION_NAME,
      email: SETTINGS.ORGANIZATION_EMAIL,
      url: server.origin,
    });
    const status = (await (
      await fetch(`${server.origin}/certificates/${ids[1]}`, { headers: { accept: 'application/json' } })
    ).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ status: 'valid', valid: true, issuer: { name: SETTINGS.ORGANIZATION_NAME } });
  });

  it('an expired certificate says "Expired" with its date, to people (HTML, PDF) and machines (JSON)', async () => {
    const date = day.format(expiredAt);
    const page = await (
      await fetch(`${server.origin}/certificates/${ids[0]}`, { headers: { accept: 'text/html' } })
    ).text();
    expect(page).toContain('Expired certificate');
    expect(page).toContain(`This certificate expired on ${date}.`);
    expect(page).not.toContain('Valid certificate');

    const json = (await (
      await fetch(`${server.origin}/certificates/${ids[0]}`, { headers: { accept: 'application/json' } })
    ).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ status: 'expired', valid: false, expiresOn: expiredAt.toISOString().slice(0, 10) });

    // The PDF states the term it was issued for, and, made now, that the term is over.
    const text = await pdfText(ids[0]!);
    expect(text).toContain(`EXPIRED on ${date} — see verification page`);
    expect(text).toContain(`Valid until ${date}`);
    expect(text).toContain('Zoë Ødegaard');
  });

  it('administrators find certificates by part of the name and by email', async () => {
    const admin = await signIn(server.origin, 'settings-owner@load.rounds.test');
    const find = async (q: string) =>
      (
        await fetch(`${server.origin}/admin?q=${encodeURIComponent(q)}`, {
          headers: { cookie: admin, accept: 'text/html' },
        })
      ).text();
    const codes = await Promise.all(
      ids.map(
        async (id) =>
          (
            (await (
              await fetch(`${server.origin}/certificates/${id}`, { headers: { accept: 'application/json' } })
            ).json()) as { code: string }
          ).code,
      ),
    );

    const byName = await find('Ødegaard');
    expect(byName).toContain(codes[0]);
    expect(byName).not.toContain(codes[1]);
    const byEmail = await find(learners[1]!.email.toUpperCase());
    expect(byEmail).toContain(codes[1]);
    expect(byEmail).not.toContain(codes[0]);
    // A learner gets no results, only the refusal.
    const learner = await signIn(server.origin, learners[0]!.email);
    const refused = await fetch(`${server.origin}/admin?q=${encodeURIComponent('Ødegaard')}`, {
      headers: { cookie: learner, accept: 'text/html' },
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain(codes[0]);
  });
});
