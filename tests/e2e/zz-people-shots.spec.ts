// Temporary: screenshots for the report. Not committed.
import type { Page } from '@playwright/test';
import { expect, newPerson, ONE_AT_A_TIME, startOwnServer, test, type Person } from './support.ts';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 24;
let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;
test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: `http://127.0.0.1:${PORT}` });
test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startOwnServer(PORT, 'peopleshots');
});
test.afterAll(async () => {
  await server?.stop();
});
async function signUpHere(page: Page, person: Person): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Your name').fill(person.name);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
}
test('shots', async ({ page, openContext }) => {
  test.setTimeout(300_000);
  const ada = newPerson('Ada Admin', 'admin');
  await signUpHere(page, ada);
  const names = ['Sam Okafor', 'Bea Lindqvist', 'Chidinma Okeke', 'Dmitri Volkov-Hargreaves', 'Eun-ji Park'];
  for (const name of names) {
    const ctx = await openContext();
    await signUpHere(await ctx.newPage(), newPerson(name, 'people'));
    await ctx.close();
  }
  await page.goto('/admin/people?q=okeke');
  await page.getByRole('link', { name: 'Chidinma Okeke' }).click();
  const chidinma = new URL(page.url()).pathname;
  await page.getByRole('link', { name: 'Deactivate account…' }).click();
  await page.getByRole('button', { name: 'Yes, deactivate this account' }).click();
  await page.goto('/admin/people?q=okafor');
  await page.getByRole('link', { name: 'Sam Okafor' }).click();
  const sam = new URL(page.url()).pathname;
  const cookies = await page.context().cookies();
  for (const [label, viewport] of [
    ['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1280, height: 900 }],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await openContext({ viewport, colorScheme: scheme });
      await ctx.addCookies(cookies);
      const p = await ctx.newPage();
      const shot = async (name: string, path: string) => {
        await p.goto(path);
        await p.screenshot({ path: `/tmp/shots-people/${name}-${label}-${scheme}.png`, fullPage: true });
      };
      await shot('people', '/admin/people');
      await shot('person-confirm', `${sam}?confirm=deactivate`);
      await shot('person-deactivated', chidinma);
      await p.goto('/admin/people?q=ada');
      await p.getByRole('link', { name: 'Ada Admin' }).click();
      await p.getByRole('button', { name: 'Remove my administrator role' }).click();
      await p.screenshot({ path: `/tmp/shots-people/last-admin-${label}-${scheme}.png`, fullPage: true });
      await ctx.close();
    }
  }
});
