// (d) In Chromium: a learner types a reflection while PostgreSQL is down. The box says
// it is retrying and keeps the text; a page load shows "Try again shortly"; once the
// database is back, the island's own retry saves the text, and the database has it.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import type { Catalog } from '#lib/catalog.ts';
import { createTestDatabase, LEARNER_PASSWORD, seedLearners, startServer } from '../load/harness.ts';
import { Scenario } from './checks.ts';
import type { ThrowawayCluster } from './pg-cluster.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string | undefined {
  return process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
}

export async function reflectionDuringOutage(
  cluster: ThrowawayCluster,
  catalog: Catalog,
  outDir: string,
): Promise<Scenario> {
  const scenario = new Scenario('(d) Chromium: a reflection typed during the outage is saved afterwards');
  const database = await createTestDatabase(cluster.url, 'browser');
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  let clusterDown = false;
  try {
    const seeding = await database.open();
    const [learner] = await seedLearners(seeding, 1, 'browser');
    await seeding.close();
    const server = await startServer({ env: database.env, logFile: path.join(outDir, 'browser-server.log') });
    const lesson = catalog.courses[0]!.lessons[1]!;
    const context = await browser.newContext({ baseURL: server.origin, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();

    await page.goto('/login');
    await page.getByLabel('Email').fill(learner!.email);
    await page.getByLabel('Password').fill(LEARNER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto(`/courses/${lesson.courseSlug}/${lesson.slug}`);
    const box = page.getByRole('textbox', { name: lesson.reflection });
    await page.getByText('It saves as you type.').waitFor();

    cluster.stop();
    clusterDown = true;
    const downAt = Date.now();
    const text = `Typed while the database was down (${new Date().toISOString()}): I will sit with the family for one minute before the handover — ça compte.`;
    await box.pressSequentially(text, { delay: 5 });
    const status = page.locator('#reflection-status');
    await status.getByText('Not saved — retrying').waitFor({ timeout: 15_000 });
    scenario.check(
      true,
      'the reflection box says "Not saved — retrying" and keeps the text while the database is down',
    );
    const draft = await page.evaluate(
      (key) => localStorage.getItem(key),
      `rounds:reflection:${lesson.courseSlug}/${lesson.slug}`,
    );
    scenario.check(draft !== null && draft.includes('ça compte'), 'the draft is kept in the browser (localStorage)');

    const other = await context.newPage();
    const response = await other.goto('/');
    const otherText = await other.locator('body').innerText();
    scenario.check(
      response?.status() === 503 && /Try again shortly/.test(otherText),
      `a page opened meanwhile shows "Try again shortly" (${response?.status()})`,
    );
    scenario.check(Number(response?.headers()['retry-after']) > 0, 'with Retry-After');
    await other.close();

    const wait = 10_000 - (Date.now() - downAt);
    if (wait > 0) await page.waitForTimeout(wait);
    cluster.start();
    clusterDown = false;
    const upAt = Date.now();
    await status.getByText(/^Saved/).waitFor({ timeout: 60_000 });
    scenario.check(
      true,
      `the island's retry saved it ${((Date.now() - upAt) / 1000).toFixed(1)} s after PostgreSQL came back`,
    );
    await context.close();
    const stopped = await server.stop();
    scenario.check(stopped.code === 0, 'server exits cleanly');

    const checking = await database.open();
    const stored = await checking.db
      .selectFrom('reflections')
      .select(['body'])
      .where('user_id', '=', learner!.id)
      .where('lesson_slug', '=', lesson.slug)
      .executeTakeFirst();
    await checking.close();
    scenario.check(stored?.body === text, 'the database holds exactly the text typed during the outage');
  } catch (error) {
    scenario.check(false, `browser scenario: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    if (clusterDown) cluster.start();
    await browser.close();
    await database.drop();
  }
  return scenario;
}
