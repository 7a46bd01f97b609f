// Organisations on a phone: the site administrator creates St Mary's, verifies its email
// domain and makes a nurse of it an administrator. The nurse, who signed up with an
// address at that domain, is told she joins St Mary's once she confirms it; after
// confirming she manages its page — and cannot name someone from outside as an
// administrator (the reason is beside the field, what she typed is kept). The first
// account of an install is its administrator, so this spec runs its own Rounds.
import { randomBytes } from 'node:crypto';
import {
  expect,
  expectNoSeriousAxeFindings,
  latestMail,
  linkFrom,
  newPerson,
  ONE_AT_A_TIME,
  type Person,
  signUp,
  startOwnServer,
  test,
} from './support.ts';

const PORT = Number(process.env.E2E_PORT ?? 4410) + 24;
let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startOwnServer(PORT, 'organisations');
});
test.afterAll(async () => {
  await server?.stop();
});

test('a site administrator sets up an organisation; a nurse at its domain joins and manages it', async ({
  page,
  openContext,
}) => {
  test.setTimeout(90_000);
  const domain = `stmarys-${randomBytes(3).toString('hex')}.org`;
  await signUp(page, newPerson('Ada Admin', 'admin'));
  const nia: Person = { ...newPerson('Nia Nurse'), email: `nia@${domain}` };
  const niaPage = await (await openContext()).newPage();
  await signUp(niaPage, nia);

  // The site administrator: Admin → Organisations → a new one, its domain, its administrator.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('link', { name: 'Organisations' }).click();
  await expect(page.getByText('No organisation yet.')).toBeVisible();
  await page.getByLabel('Name').fill('St Mary’s Hospital');
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'St Mary’s Hospital' })).toBeVisible();
  await page.getByLabel('Verified domain').fill('gmail.com');
  await page.getByRole('button', { name: 'Add domain' }).click();
  await expect(page.getByText('Anyone can get an address at this domain')).toBeVisible();
  await expect(page.getByLabel('Verified domain')).toHaveValue('gmail.com');
  await page.getByLabel('Verified domain').fill(`@${domain.toUpperCase()}`);
  await page.getByRole('button', { name: 'Add domain' }).click();
  await expect(page.getByText('Domain verified')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Email domains' }).getByText(domain, { exact: true })).toBeVisible();

  // The nurse is told what confirming her address will do, then confirms it.
  await niaPage.goto('/account');
  await expect(niaPage.getByText('Once you confirm it, you join St Mary’s Hospital')).toBeVisible();
  const mail = await latestMail(nia.email, { subject: /confirm/i });
  await niaPage.goto(linkFrom(mail.text));
  await niaPage.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(niaPage.getByText('You are part of St Mary’s Hospital')).toBeVisible();

  await page.getByLabel('Add an administrator by email').fill(nia.email);
  await page.getByRole('button', { name: 'Add administrator' }).click();
  await expect(page.getByText('Administrator added.')).toBeVisible();

  // The nurse manages St Mary's from her phone: she is among its people and administrators.
  await niaPage.goto('/account');
  await niaPage.getByRole('link', { name: 'St Mary’s Hospital' }).click();
  const people = niaPage.getByRole('region', { name: 'People' });
  await expect(people.getByText('1 person with a confirmed address')).toBeVisible();
  await expect(people.getByText(nia.email)).toBeVisible();
  await expect(niaPage.getByLabel('Verified domain')).toHaveCount(0); // domains are the site administrator's
  await niaPage.getByLabel('Add an administrator by email').fill('someone@elsewhere.example');
  await niaPage.getByRole('button', { name: 'Add administrator' }).click();
  await expect(niaPage.getByText('No account uses this address')).toBeVisible();
  await expect(niaPage.getByLabel('Add an administrator by email')).toHaveValue('someone@elsewhere.example');
  const width = await niaPage.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(width, 'the organisation page scrolls sideways').toBeLessThanOrEqual(0);
  await expectNoSeriousAxeFindings(niaPage);
  await niaPage.screenshot({ path: test.info().outputPath('organisation-phone.png'), fullPage: true });

  // Provisioning: Nia makes the SCIM token (shown once) for St Mary's directory.
  await niaPage.getByRole('button', { name: 'Make a token' }).click();
  const newToken = niaPage.getByRole('status').filter({ hasText: 'Your new token' });
  await expect(newToken).toBeVisible();
  const token = (await newToken.locator('code').textContent())!.trim();
  expect(token).toMatch(/^scim_/);
  await niaPage
    .getByRole('region', { name: 'Provisioning from your directory (SCIM)' })
    .screenshot({ path: test.info().outputPath('scim-token-phone.png') });

  // Ola, a colleague signed in on her phone, is taken over by the directory, then deactivated by it.
  const ola: Person = { ...newPerson('Ola Nurse'), email: `ola@${domain}` };
  const olaPage = await (await openContext()).newPage();
  await signUp(olaPage, ola);
  await olaPage.goto(linkFrom((await latestMail(ola.email, { subject: /confirm/i })).text));
  await olaPage.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(olaPage.getByText('You are part of St Mary’s Hospital')).toBeVisible();
  const scim = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
  const created = await page.request.post('/scim/v2/Users', {
    headers: scim,
    data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: ola.email, active: true },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const group = await page.request.post('/scim/v2/Groups', {
    headers: scim,
    data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Ward 7', members: [{ value: id }] },
  });
  expect(group.status()).toBe(201);
  const deactivated = await page.request.patch(`/scim/v2/Users/${id}`, {
    headers: scim,
    data: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    },
  });
  expect(deactivated.status()).toBe(200);
  // Her session ended: the next page sends her to sign in.
  await olaPage.goto('/account');
  await expect(olaPage).toHaveURL(/\/login/);

  await niaPage.goto(niaPage.url().split('?')[0]!);
  const provisioning = niaPage.getByRole('region', { name: 'Provisioning from your directory (SCIM)' });
  await expect(provisioning.getByText('Ward 7')).toBeVisible();
  await expect(provisioning.getByText('Your new token')).toHaveCount(0); // shown once
  await expectNoSeriousAxeFindings(niaPage);
  await provisioning.screenshot({ path: test.info().outputPath('scim-groups-phone.png') });
});
