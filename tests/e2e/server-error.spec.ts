// The 500 page, rendered by the server for a real failure: a deploy that left the build
// half-replaced (README, Decision 16: chunks missing under a running server answered 500
// with ERR_MODULE_NOT_FOUND). This spec runs Rounds from a copy of the build with the
// journal page's module removed. The person sees a friendly page that says what happened,
// with status 500 and no stack trace; the rest of Rounds keeps working.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { copyOfBuild } from '../load/harness.ts';
import {
  expect,
  expectNoSeriousAxeFindings,
  newPerson,
  ONE_AT_A_TIME,
  signUp,
  startOwnServer,
  test,
} from './support.ts';
import type { Page } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4410) + 24;
let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: `http://127.0.0.1:${port}` });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const appDir = copyOfBuild();
  const chunks = path.join(appDir, 'dist/server/chunks');
  // The journal page's own module: the only chunk with the journal's search label.
  const journal = readdirSync(chunks).filter(
    (file) => file.endsWith('.mjs') && readFileSync(path.join(chunks, file), 'utf8').includes('Search my reflections'),
  );
  expect(journal, 'exactly one chunk holds the journal page').toHaveLength(1);
  rmSync(path.join(chunks, journal[0]!));
  server = await startOwnServer(port, 'servererror', { appDir });
});

test.afterAll(async () => {
  await server?.stop();
});

const STACK_TRACE = /ERR_MODULE_NOT_FOUND|Cannot find module|node:internal|\.mjs\b|\/tmp\/|\bat [\w.<>]+ \(|Error:/;

async function expectFriendly500(page: Page): Promise<void> {
  const response = await page.goto('/journal');
  expect(response?.status()).toBe(500);
  expect(response?.headers()['content-type']).toMatch(/^text\/html/);
  await expect(page).toHaveTitle('Something went wrong · Rounds');
  await expect(page.getByRole('heading', { level: 1, name: 'Something went wrong on our side' })).toBeVisible();
  await expect(page.getByText('this is our fault, not yours. Anything you had already saved is safe.')).toBeVisible();
  expect(await response!.text(), 'no stack trace or server path in the page').not.toMatch(STACK_TRACE);
  await expectNoSeriousAxeFindings(page);
}

test('a page that fails on the server shows the friendly 500 page, and the rest of Rounds keeps working', async ({
  page,
  openContext,
}) => {
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to execute/i.test(message.text())) cspViolations.push(message.text());
  });
  await signUp(page, newPerson('Tomás Ó Briain', 'servererror'));
  await expectFriendly500(page);
  // The header still knows who is signed in, and its way out works.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to Today' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  expect(cspViolations).toEqual([]);

  // Signed out: the same page, with the visitor's links.
  const visitor = await (await openContext()).newPage();
  await expectFriendly500(visitor);
  await expect(
    visitor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in', exact: true }),
  ).toBeVisible();
  expect((await visitor.goto('/courses'))?.status()).toBe(200);
});
