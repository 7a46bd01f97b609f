// Single sign-on on a phone, against a real OpenID Provider (oidc-provider) started here:
// the site administrator connects St Mary's to it on the organisation's Single sign-on page;
// a nurse at St Mary's types only her email on Sign in, signs in at the provider and lands on
// Today with a new account; she signs out (and out of the provider), signs in again and is
// the same account (St Mary's lists her once). The first account of an install is its
// administrator, so this spec runs its own Rounds (port +23) beside the provider (+22).
import { randomBytes } from 'node:crypto';
import { startTestOp, type TestOp } from '../support/oidc-op.ts';
import {
  expect,
  expectNoSeriousAxeFindings,
  newPerson,
  ONE_AT_A_TIME,
  signUp,
  startOwnServer,
  test,
} from './support.ts';

const OP_PORT = Number(process.env.E2E_PORT ?? 4410) + 22;
const PORT = Number(process.env.E2E_PORT ?? 4410) + 23;
const BASE = `http://127.0.0.1:${PORT}`;
let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;
let op: TestOp | undefined;

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: BASE });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  op = await startTestOp({ port: OP_PORT, redirectUri: `${BASE}/sso/callback`, postLogoutRedirectUri: `${BASE}/` });
  // The server's key for client secrets (startOwnServer passes this process's environment on).
  process.env.SECRETS_KEY = randomBytes(32).toString('base64');
  server = await startOwnServer(PORT, 'sso');
});
test.afterAll(async () => {
  await server?.stop();
  await op?.close();
});

test('a nurse of St Mary’s signs in through its identity provider and lands on Today; the second time is the same account', async ({
  page,
  openContext,
}) => {
  test.setTimeout(60_000);
  const domain = `stmarys-${randomBytes(3).toString('hex')}.org`;
  await signUp(page, newPerson('Ada Admin', 'admin'));
  await page.goto('/organisations');
  await page.getByLabel('Name').fill('St Mary’s Hospital');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await page.getByLabel('Verified domain').fill(domain);
  await page.getByRole('button', { name: 'Add domain' }).click();
  await expect(page.getByText('Domain verified')).toBeVisible();
  const organisationUrl = page.url().split('?')[0]!;

  // Connecting the provider: a wrong issuer is refused beside its field, then the real one saves.
  await page.getByRole('link', { name: 'Single sign-on' }).click();
  await expect(page.getByText(`${BASE}/sso/callback`)).toBeVisible();
  await page.getByLabel('Issuer URL').fill('https://');
  await page.getByLabel('Client (application) id').fill(op!.clientId);
  await page.getByLabel('Client secret').fill(op!.clientSecret);
  await page.getByRole('button', { name: 'Save single sign-on' }).click();
  await expect(page.getByText('Enter an https URL like')).toBeVisible();
  await expect(page.getByLabel('Client (application) id')).toHaveValue(op!.clientId);
  await page.getByLabel('Issuer URL').fill(op!.issuer);
  await page.getByLabel('Client secret').fill(op!.clientSecret);
  await page.getByRole('button', { name: 'Save single sign-on' }).click();
  await expect(page.getByText('Single sign-on saved.')).toBeVisible();
  await expect(page.getByText('A secret is stored (it is never shown)')).toBeVisible();
  expect(await page.content()).not.toContain(op!.clientSecret);
  const width = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(width, 'the single sign-on page scrolls sideways').toBeLessThanOrEqual(0);
  await expectNoSeriousAxeFindings(page);
  await page.screenshot({ path: test.info().outputPath('sso-settings-phone.png'), fullPage: true });

  // The nurse: only her email, then the provider's own sign-in page, then Today.
  const nurse = await (await openContext()).newPage();
  const email = `nia@${domain}`;
  const signInThroughProvider = async () => {
    await nurse.goto('/login');
    await nurse.getByLabel('Email', { exact: true }).fill(email);
    await nurse.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(nurse).toHaveURL((url) => url.origin === op!.issuer);
    await nurse.locator('input[name="login"]').fill(email);
    await nurse.locator('input[name="password"]').fill('at the provider');
    await nurse.getByRole('button', { name: 'Sign-in' }).click();
    await expect(nurse).toHaveURL(`${BASE}/`);
    await expect(nurse.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  };
  await signInThroughProvider();
  await nurse.screenshot({ path: test.info().outputPath('sso-today-phone.png') });

  // Signing out ends the Rounds session and offers the provider's sign-out, which comes back here.
  await nurse.goto('/logout');
  await nurse.getByRole('button', { name: 'Sign out of Rounds' }).click();
  await expect(nurse).toHaveURL((url) => url.origin === op!.issuer);
  await nurse.getByRole('button', { name: /yes/i }).click();
  await expect(nurse).toHaveURL(`${BASE}/`);
  await nurse.goto('/account');
  await expect(nurse).toHaveURL((url) => url.pathname === '/login');

  await signInThroughProvider();
  await page.goto(organisationUrl);
  const people = page.getByRole('region', { name: 'People' });
  await expect(people.getByText('1 person with a confirmed address')).toBeVisible();
  await expect(people.getByText(email)).toHaveCount(1);
});
