// Certificates end to end, on a phone: a learner finishes a short course and sees the
// certificate at once, downloads the PDF (read back with pdftotext), opens the
// verification page from the URL printed in it, and an administrator revokes it — the
// page says so. Revoking needs an administrator, the first account of an install, so
// this spec runs its own Rounds on a fresh database (same build, same mail capture).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  curriculum,
  expect,
  expectNoSeriousAxeFindings,
  latestMail,
  linkFrom,
  newPerson,
  ONE_AT_A_TIME,
  openLesson,
  type Person,
  question,
  rightAnswers,
  rightOption,
  signUp,
  startOwnServer,
  test,
} from './support.ts';
import type { APIRequestContext, Page } from '@playwright/test';
import { gunzipSync } from 'node:zlib';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';

/**
 * A verifier's revocation check, by the standards alone: the credential's signature, its
 * credentialStatus, the signed status list it names (against the same JWKS), the bit.
 */
async function revocationBit(request: APIRequestContext, certificateUrl: string): Promise<number> {
  const jwks = createLocalJWKSet(
    (await (await request.get(new URL('/.well-known/jwks.json', certificateUrl).href)).json()) as { keys: JWK[] },
  );
  const { payload: vc } = await jwtVerify(await (await request.get(`${certificateUrl}.jwt`)).text(), jwks);
  const status = vc.credentialStatus as { type: string; statusListIndex: string; statusListCredential: string };
  expect(status.type).toBe('BitstringStatusListEntry');
  const listResponse = await request.get(status.statusListCredential);
  expect(listResponse.headers()['content-type']).toBe('application/vc+jwt');
  expect(listResponse.headers()['cache-control']).toMatch(/max-age=\d+/);
  const { payload: list } = await jwtVerify(await listResponse.text(), jwks);
  expect(list.type).toContain('BitstringStatusListCredential');
  const { encodedList, statusPurpose } = list.credentialSubject as { encodedList: string; statusPurpose: string };
  expect(statusPurpose).toBe('revocation');
  const bits = gunzipSync(Buffer.from(encodedList.replace(/^u/, ''), 'base64url'));
  expect(bits.length).toBeGreaterThanOrEqual(16_384);
  const index = Number(status.statusListIndex);
  return (bits[index >> 3]! >> (7 - (index % 8))) & 1;
}

const PORT = Number(process.env.E2E_PORT ?? 4410) + 22;
let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;
let downloads: string;

test.describe.configure({ mode: 'serial', lock: ONE_AT_A_TIME });
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startOwnServer(PORT, 'certificates');
  downloads = mkdtempSync(path.join(os.tmpdir(), 'rounds-e2e-certificates-'));
});

test.afterAll(async () => {
  await server?.stop();
  if (downloads) rmSync(downloads, { recursive: true, force: true });
});

/** axe (WCAG 2.2 AA): serious and critical findings fail, as in a11y.spec.ts. */
async function confirmEmail(page: Page, person: Person): Promise<void> {
  const mail = await latestMail(person.email, { subject: /Confirm your email/ });
  await page.goto(linkFrom(mail.text));
  await page.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(page.getByText('your email address is confirmed')).toBeVisible();
}

test('a learner finishes a course, gets the certificate at once, and an administrator revokes it', async ({
  page,
  openContext,
}) => {
  test.setTimeout(240_000);
  const base = server!.baseUrl;
  // The shortest course keeps the journey quick.
  const course = [...curriculum()].sort((a, b) => a.lessons.length - b.lessons.length)[0]!;
  const last = course.lessons.at(-1)!;

  // The administrator: the first account of this install.
  const adminContext = await openContext();
  const admin = await adminContext.newPage();
  await signUp(admin, newPerson('Ada Admin', 'admin'));

  // The learner, with a name the certificate must print exactly, and a confirmed email.
  const learner = newPerson('Nguyễn Thị Ánh', 'anh');
  await signUp(page, learner);
  await confirmEmail(page, learner);

  // Every lesson but the last, straight through the Action the lesson page posts to.
  for (const lesson of course.lessons.slice(0, -1)) {
    const form: Record<string, string> = { courseSlug: course.slug, lessonSlug: lesson.slug };
    rightAnswers(lesson).forEach((option, index) => (form[`q${index}`] = String(option)));
    const response = await page.request.post(`${base}/_actions/progress.complete`, { form, headers: { origin: base } });
    expect(response.status(), await response.text()).toBe(200);
  }

  // The last lesson, as a person does it: the certificate appears the moment it is complete.
  await openLesson(page, last.url);
  for (let index = 0; index < last.check.length; index++) {
    await question(page, last, index).getByLabel(rightOption(last, index).text, { exact: true }).check();
  }
  await page.getByRole('button', { name: 'Mark complete' }).click();
  await expect(page.getByText('Course complete: your certificate is ready.')).toBeVisible();
  await page.getByRole('link', { name: 'See your certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Valid certificate/ })).toBeVisible();
  await expect(page.getByText('Nguyễn Thị Ánh', { exact: true })).toBeVisible();

  // Today says so too, and the list under Certificates has it with its ways to share.
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Your certificate is ready' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your certificates' })).toBeVisible();
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: course.title }) });
  const linkedIn = new URL((await card.getByRole('link', { name: 'Add to LinkedIn' }).getAttribute('href'))!);
  expect(linkedIn.origin + linkedIn.pathname).toBe('https://www.linkedin.com/profile/add');
  expect(Object.fromEntries(linkedIn.searchParams)).toMatchObject({
    startTask: 'CERTIFICATION_NAME',
    name: course.title,
    organizationName: 'Rounds',
  });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await card.getByRole('button', { name: 'Copy link' }).click();
  await expect(card.getByText('Link copied.')).toBeVisible();
  await expectNoSeriousAxeFindings(page);

  // The PDF: its text, read back as a credentialing office would.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('link', { name: 'Download PDF' }).click(),
  ]);
  const file = path.join(downloads, 'certificate.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).normalize('NFC');
  expect(text).toContain('Nguyễn Thị Ánh');
  expect(text).toContain(course.title);
  expect(text).toContain(`Contact hours awarded: ${course.contactHours}`);
  expect(text).toContain('Learning format: enduring material');
  const code = /RND-[A-Z2-9]{4}-[A-Z2-9]{4}/.exec(text)?.[0];
  expect(code).toBeTruthy();
  const printedUrl = new RegExp(`${base.replace(/[.]/g, '\\.')}/certificates/[A-Za-z0-9_-]{22}`).exec(text)?.[0];
  expect(printedUrl, text).toBeTruthy();

  // The verification page, from the URL printed in the PDF, signed out as a verifier would be.
  const verifier = await (await openContext()).newPage();
  await verifier.goto(printedUrl!);
  await expect(verifier.getByRole('heading', { level: 1, name: /Valid certificate/ })).toBeVisible();
  await expect(verifier.getByText(code!).first()).toBeVisible();
  await expectNoSeriousAxeFindings(verifier);
  expect(await revocationBit(verifier.request, printedUrl!)).toBe(0);

  // The administrator finds it by its code and revokes it with a reason.
  await admin.goto('/admin');
  await admin.getByLabel('Find a certificate').fill(code!.toLowerCase());
  await admin.getByRole('button', { name: 'Find' }).click();
  await expectNoSeriousAxeFindings(admin);
  await admin.getByRole('link', { name: code! }).click();
  await expectNoSeriousAxeFindings(admin);
  await admin.getByRole('button', { name: 'Revoke certificate' }).click();
  await expect(admin.getByText('Give the reason: it is shown on the verification page.')).toBeVisible();
  // A pasted NUL or bell is refused next to the field, not a server error (a NUL cannot even be stored).
  await admin.getByLabel('Reason').fill('Issued\u0000 in error\u0007');
  const refused = admin.waitForResponse((response) => response.request().method() === 'POST');
  await admin.getByRole('button', { name: 'Revoke certificate' }).click();
  expect((await refused).status()).toBe(400);
  await expect(admin.getByLabel('Reason')).toHaveAccessibleDescription(/invisible control characters/);
  await admin.getByLabel('Reason').fill('Issued in error: the course was not completed by this person.');
  await admin.getByRole('button', { name: 'Revoke certificate' }).click();
  await expect(admin.getByText('Revoked. The verification page and the PDF now say so')).toBeVisible();

  // The public page changes at once.
  await verifier.reload();
  await expect(verifier.getByRole('heading', { level: 1, name: /Revoked certificate/ })).toBeVisible();
  await expect(verifier.getByText('Issued in error: the course was not completed by this person.')).toBeVisible();
  await expectNoSeriousAxeFindings(verifier);
  // And machines that check the credential's status list see it too.
  expect(await revocationBit(verifier.request, printedUrl!)).toBe(1);
});

test('without JavaScript: the last lesson leads to Certificates, which says what a certificate is waiting for', async ({
  openContext,
}) => {
  test.setTimeout(120_000);
  const base = server!.baseUrl;
  const course = [...curriculum()].sort((a, b) => a.lessons.length - b.lessons.length)[0]!;
  const last = course.lessons.at(-1)!;
  const page = await (await openContext({ javaScriptEnabled: false })).newPage();
  const learner = newPerson('Zoë Ødegaard', 'zoe');
  await signUp(page, learner);
  for (const lesson of course.lessons.slice(0, -1)) {
    const form: Record<string, string> = { courseSlug: course.slug, lessonSlug: lesson.slug };
    rightAnswers(lesson).forEach((option, index) => (form[`q${index}`] = String(option)));
    expect(
      (await page.request.post(`${base}/_actions/progress.complete`, { form, headers: { origin: base } })).status(),
    ).toBe(200);
  }

  await page.goto(last.url);
  for (let index = 0; index < last.check.length; index++) {
    await question(page, last, index).getByLabel(rightOption(last, index).text, { exact: true }).check();
  }
  await page.getByRole('button', { name: 'Mark complete' }).click();
  // The email is not confirmed yet: no certificate, and the page says why and what to do.
  await expect(page.getByRole('heading', { level: 1, name: 'Your certificates' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Waiting for a certificate' })).toBeVisible();
  await expect(page.getByText(/waiting for you to confirm your email address/)).toBeVisible();

  await confirmEmail(page, learner);
  await page.goto('/certificates');
  await page.getByRole('button', { name: 'Issue my certificate' }).click();
  await expect(page.getByText('Your certificate is issued.')).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: course.title })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Waiting for a certificate' })).toHaveCount(0);
});
