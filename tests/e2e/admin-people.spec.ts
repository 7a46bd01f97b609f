// People, for an administrator, on a phone: she finds a learner by part of their name,
// makes them an administrator and takes it back, and deactivates the account after a
// confirm step — the learner is signed out at once and cannot sign in (told so only after
// the right password) until she reactivates it. She cannot remove her own role while she
// is the only administrator: the page says so beside the button. The first account of an
// install is its administrator, so this spec runs its own Rounds on a fresh database.
import type { Page } from '@playwright/test';
import {
  expect,
  expectNoSeriousAxeFindings,
  newPerson,
  ONE_AT_A_TIME,
  signUp,
  startOwnServer,
  submitSignIn,
  test,
} from './support.ts';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 24;
let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startOwnServer(PORT, 'people');
});
test.afterAll(async () => {
  await server?.stop();
});

/** axe (WCAG 2.2 AA): serious and critical findings fail, as in a11y.spec.ts. */
/** Nothing wider than the phone's screen. */
async function expectNoSideways(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `${page.url()} scrolls sideways`).toBeLessThanOrEqual(client);
}

test('an administrator finds a person, grants and removes the role, deactivates and reactivates the account', async ({
  page,
  openContext,
}) => {
  test.setTimeout(120_000);
  const ada = newPerson('Ada Admin', 'admin');
  await signUp(page, ada);
  const sam = newPerson('Sam Okafor', 'people');
  const samPage = await (await openContext()).newPage();
  await signUp(samPage, sam);
  await signUp(await (await openContext()).newPage(), newPerson('Bea Other', 'people'));

  // From the header's Admin link to People; a search by part of the name, in any case.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('link', { name: 'People' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'People' })).toBeVisible();
  await expect(page.getByText('1–3 of 3 people, by name.')).toBeVisible();
  await expectNoSideways(page);
  await page.getByLabel('Search people').fill('OKAF');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('1–1 of 1 person matching “OKAF”, by name.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Bea Other' })).toHaveCount(0);
  await expectNoSeriousAxeFindings(page);
  // A wildcard is a plain character: it matches nobody here.
  await page.getByLabel('Search people').fill('%');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('Nobody matches “%”.')).toBeVisible();
  await expect(page.getByLabel('Search people')).toHaveValue('%');

  await page.getByLabel('Search people').fill('okafor');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Sam Okafor' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sam Okafor' })).toBeVisible();
  await expectNoSideways(page);
  await expectNoSeriousAxeFindings(page);
  const personPath = new URL(page.url()).pathname;

  // Grant, then remove, the administrator role.
  const role = page.getByRole('region', { name: 'Administrator' });
  await role.getByRole('button', { name: 'Make administrator' }).click();
  await expect(page.getByText('Done: this person is now an administrator.')).toBeVisible();
  await role.getByRole('button', { name: 'Remove administrator role' }).click();
  await expect(page.getByText('Done: this person is no longer an administrator.')).toBeVisible();
  await expect(role.getByRole('button', { name: 'Make administrator' })).toBeVisible();

  // A tampered form (an id that is no account's) is answered beside the button, not with an error page.
  const tampered = await page.request.post(`${personPath}?_action=people.grantAdmin`, {
    headers: { Origin: new URL(page.url()).origin, Accept: 'text/html' },
    form: { userId: 'not-an-account' },
  });
  expect(tampered.status()).toBe(400);
  expect(await tampered.text()).toContain('Unknown account.');

  // Deactivate, after a confirm step (cancel first: nothing happens).
  const account = page.getByRole('region', { name: 'Account' });
  await account.getByRole('link', { name: 'Deactivate account…' }).click();
  await account.getByRole('link', { name: 'Cancel' }).click();
  await expect(account.getByRole('button', { name: 'Yes, deactivate this account' })).toHaveCount(0);
  await account.getByRole('link', { name: 'Deactivate account…' }).click();
  await expect(account.getByText('Deactivate Sam Okafor’s account?')).toBeVisible();
  await expectNoSeriousAxeFindings(page);
  await account.getByRole('button', { name: 'Yes, deactivate this account' }).click();
  await expect(page.getByText('Deactivated. They were signed out everywhere')).toBeVisible();
  await expectNoSeriousAxeFindings(page);

  // Sam is signed out on the next request, and cannot sign in: a wrong password says only that.
  await samPage.goto('/journal');
  await expect(samPage).toHaveURL(/\/login\?next=%2Fjournal$/);
  await submitSignIn(samPage, sam.email, 'not the password, surely');
  await expect(samPage.getByText('That email and password do not match.')).toBeVisible();
  await expect(samPage.getByText(/deactivated/)).toHaveCount(0);
  await submitSignIn(samPage, sam.email, sam.password);
  await expect(samPage.getByRole('alert')).toContainText('This account is deactivated');
  await expect(samPage.getByRole('alert')).toContainText('Contact your Rounds administrator');

  // The people list says so.
  await page.goto('/admin/people?q=okafor');
  await expect(page.getByRole('listitem').filter({ hasText: 'Sam Okafor' })).toContainText('Deactivated');

  // Reactivated, Sam signs in again.
  await page.goto(personPath);
  await page.getByRole('button', { name: 'Reactivate account' }).click();
  await expect(page.getByText('Reactivated. They can sign in again')).toBeVisible();
  await submitSignIn(samPage, sam.email, sam.password);
  // Back where the sign-in sent them from.
  await expect(samPage.getByRole('heading', { level: 1, name: 'My journal' })).toBeVisible();

  // Ada is the only administrator: she cannot give up the role, and is told beside the button.
  await page.goto('/admin/people?q=ada');
  await page.getByRole('link', { name: 'Ada Admin' }).click();
  await expect(page.getByRole('region', { name: 'Account' })).toContainText('You cannot deactivate your own account.');
  await role.getByRole('button', { name: 'Remove my administrator role' }).click();
  await expect(role.getByRole('alert')).toHaveText(
    'You cannot remove the last active administrator. Make someone else an administrator first.',
  );
  await expect(role.getByRole('button', { name: 'Remove my administrator role' })).toBeVisible();
  await expectNoSeriousAxeFindings(page);

  // The audit log names who did each.
  await page.goto('/admin/audit');
  for (const action of ['admin.grant', 'admin.remove', 'account.deactivate', 'account.reactivate'])
    await expect(
      page
        .getByRole('row')
        .filter({ hasText: action })
        .filter({ hasText: `Ada Admin (${ada.email})` }),
    ).toHaveCount(1);
});
