// Accounts: sign-up, email confirmation, sign-in, bad input, throttling, password
// reset, sessions, and the cross-site and cookie protections around them.
import type { Page, Response } from '@playwright/test';
import {
  BASE_URL,
  expect,
  failOnServerErrors,
  latestMail,
  linkFrom,
  newPerson,
  ONE_AT_A_TIME,
  SAME_ORIGIN,
  signIn,
  signUp,
  strongPassword,
  submitSignIn,
  test,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const TODAY = `${BASE_URL}/`;

/** Submits the form with `button` and returns the response to the POST. */
async function submit(page: Page, button: string): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}

function verifyBanner(page: Page) {
  return page.getByRole('status').filter({ hasText: 'Please confirm your email address' });
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
}

test.describe('accounts', () => {
  test('sign up, confirm the email, sign out, sign in', async ({ page, context }) => {
    const serverErrors = failOnServerErrors(page);
    const person = newPerson('Nguyễn Thị Ánh', 'anh');
    await signUp(page, person);

    // Greeted by the whole name: "Nguyễn" alone would be the family name.
    await expect(page.getByRole('heading', { name: 'Welcome, Nguyễn Thị Ánh' })).toBeVisible();
    await expect(verifyBanner(page)).toBeVisible();
    await expect(verifyBanner(page)).toContainText(person.email);

    // The session cookie is out of reach of scripts and of cross-site requests.
    const session = (await context.cookies()).find((cookie) => cookie.name === 'session');
    expect(session, 'a session cookie is set').toBeDefined();
    expect(session!.httpOnly).toBe(true);
    expect(session!.sameSite).toBe('Lax');
    expect(session!.path).toBe('/');

    // Confirm with the link from the real email.
    const mail = await latestMail(person.email, { subject: /confirm/i });
    // Greeted without a name: whoever asks for the mail chooses the name (issue 15).
    expect(mail.text.split('\n')[0]).toBe('Hello,');
    const link = linkFrom(mail.text);
    expect(link.startsWith(`${BASE_URL}/verify-email?token=`)).toBe(true);
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1, name: 'Confirm your email' })).toBeVisible();
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'your email address is confirmed' })).toBeVisible();
    await page.getByRole('link', { name: 'Go to Today' }).click();
    await expect(page).toHaveURL(TODAY);
    await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
    await expect(verifyBanner(page)).toHaveCount(0);
    await page.goto('/account');
    await expect(page.getByText(`${person.email} — confirmed`)).toBeVisible();

    // The same link does not work twice.
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await expect(page.getByRole('alert')).toContainText('expired or was already used');

    await signOut(page);

    // A wrong password: the message sits next to the password field; the email stays.
    await page.goto('/login');
    await submitSignIn(page, person.email, 'not my password at all');
    const password = page.getByLabel('Password', { exact: true });
    await expect(password).toHaveAccessibleDescription(/do not match/);
    await expect(page.getByText('That email and password do not match.')).toBeVisible();
    await expect(page.getByLabel('Email', { exact: true })).toHaveValue(person.email);
    await expect(password).toHaveValue('');
    await expect(password).toHaveAttribute('aria-invalid', 'true');

    await submitSignIn(page, person.email, person.password);
    await expect(page).toHaveURL(TODAY);
    await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
    expect(serverErrors).toEqual([]);
  });

  test.describe('bad input on sign-up gets a message next to the field and keeps what was typed', () => {
    test('empty fields', async ({ page }) => {
      await page.goto('/signup');
      const response = await submit(page, 'Create account');
      expect(response.status()).toBe(400);
      await expect(page.getByLabel('Your name')).toHaveAccessibleDescription(/Enter your name/);
      await expect(page.getByLabel('Email', { exact: true })).toHaveAccessibleDescription(/Enter your email address/);
      await expect(page.getByLabel('Password', { exact: true })).toHaveAccessibleDescription(/Enter a password/);
      await expect(page.getByText('Enter your name.')).toBeVisible();
    });

    test('malformed email', async ({ page }) => {
      await page.goto('/signup');
      await page.getByLabel('Your name').fill('Ama Mensah');
      await page.getByLabel('Email', { exact: true }).fill('ama@@example');
      await page.getByLabel('Password', { exact: true }).fill(strongPassword());
      const response = await submit(page, 'Create account');
      expect(response.status()).toBe(400);
      await expect(page.getByLabel('Email', { exact: true })).toHaveAccessibleDescription(
        /Enter an email address like name@example\.org/,
      );
      await expect(page.getByLabel('Email', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('Email', { exact: true })).toHaveValue('ama@@example');
      await expect(page.getByLabel('Your name')).toHaveValue('Ama Mensah');
      await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    });

    test('a 10,000-character name', async ({ page }) => {
      await page.goto('/signup');
      const name = page.getByLabel('Your name');
      const long = 'Ana '.repeat(2500);
      // The browser keeps a typed or pasted name within the limit…
      await name.fill(long);
      expect((await name.inputValue()).length).toBeLessThanOrEqual(100);
      // …and the server says so when a client does not (an old browser, a script).
      await name.evaluate((input) => input.removeAttribute('maxlength'));
      await name.fill(long);
      await page.getByLabel('Email', { exact: true }).fill('ana-long@example.org');
      await page.getByLabel('Password', { exact: true }).fill(strongPassword());
      const response = await submit(page, 'Create account');
      expect(response.status()).toBe(400);
      await expect(page.getByLabel('Your name')).toHaveAccessibleDescription(/at most 100 characters/);
      await expect(page.getByLabel('Your name')).toHaveValue(long);
      await expect(page.getByLabel('Email', { exact: true })).toHaveValue('ana-long@example.org');
      await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    });

    test('an HTML/script payload as the name', async ({ page }) => {
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const payload = '<script>alert(1)</script>';
      const email = newPerson().email;
      await page.goto('/signup');
      await page.getByLabel('Your name').fill(payload);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(strongPassword());
      const response = await submit(page, 'Create account');
      expect(response.status(), 'never a server error').toBeLessThan(500);
      const refused = new URL(page.url()).pathname === '/signup';
      if (!refused) {
        // Accepted: wherever the name is shown it must be text, never markup that runs.
        await expect(page.getByRole('heading', { name: `Welcome, ${payload}` })).toBeVisible();
        await page.goto('/account');
        await expect(page.getByLabel('Your name')).toHaveValue(payload);
      }
      expect(dialogs, 'no script from the name ran').toEqual([]);
      // Markup is not a name: the form comes back with a message next to the field.
      expect(refused, 'a name made of HTML/script markup is refused on the sign-up form').toBe(true);
      expect(response.status()).toBe(400);
      // An error message after the field's usual hint (the wording is the app's to choose).
      await expect(page.getByLabel('Your name')).toHaveAccessibleDescription(
        /^As you would like it on certificates\.\s+\S/,
      );
      await expect(page.getByLabel('Your name')).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('Your name')).toHaveValue(payload);
      await expect(page.getByLabel('Email', { exact: true })).toHaveValue(email);
      await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    });

    for (const name of ['José Álvarez', '李雷']) {
      test(`a name like ${name} is accepted`, async ({ page }) => {
        await signUp(page, newPerson(name));
        await expect(page.getByRole('heading', { name: `Welcome, ${name}` })).toBeVisible();
        await page.goto('/account');
        await expect(page.getByLabel('Your name')).toHaveValue(name);
      });
    }
  });

  test('eleven wrong passwords hold that browser back, even with the right one; the owner’s own browser still gets in', async ({
    page,
    openContext,
  }) => {
    const person = newPerson('Kofi Boateng', 'throttle');
    const owner = await (await openContext()).newPage();
    await signUp(owner, person);

    await page.goto('/login');
    for (let attempt = 1; attempt <= 11; attempt++) {
      await page.getByLabel('Email', { exact: true }).fill(person.email);
      await page.getByLabel('Password', { exact: true }).fill(`wrong guess number ${attempt}`);
      const response = await submit(page, 'Sign in');
      if (attempt <= 10) expect(response.status(), `attempt ${attempt}`).toBe(400);
      else expect(response.status(), `attempt ${attempt}`).toBe(429);
    }
    await expect(page.getByRole('alert')).toContainText(/try again in \d+ minutes?/i);

    // The right password does not get through while the account is locked.
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    const response = await submit(page, 'Sign in');
    expect(response.status()).toBe(429);
    expect(response.headers()['retry-after']).toBeTruthy();
    await expect(page.getByRole('alert')).toContainText(/try again in \d+ minutes?/i);
    await expect(page).not.toHaveURL(TODAY);
    await expect(page.getByLabel('Email', { exact: true })).toHaveValue(person.email);

    // The owner's browser signed in before (the same network here): the right password gets in.
    await signOut(owner);
    await signIn(owner, person);
  });

  test('changing the email tells the old address, whose link puts it back and asks for a new password', async ({
    page,
  }) => {
    const person = newPerson('Aroha Ngata', 'moved');
    await signUp(page, person);
    await page.goto('/account');
    const newEmail = person.email.replace('@', '.new@');
    await page.getByLabel('New email').fill(newEmail);
    await page.locator('#email-currentPassword').fill(person.password);
    await page.getByRole('button', { name: 'Change email' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Email changed' })).toContainText('told your old address');

    const notice = await latestMail(person.email, { subject: /was changed/i });
    expect(notice.text.split('\n')[0]).toBe('Hello,');
    expect(notice.text).toContain(newEmail);
    const undo = linkFrom(notice.text.slice(notice.text.indexOf('Put my old address back')));
    expect(undo.startsWith(`${BASE_URL}/undo-email-change?token=`)).toBe(true);
    await page.goto(undo);
    await expect(page.getByRole('heading', { level: 1, name: 'Put your old email address back' })).toBeVisible();
    await page.getByRole('button', { name: 'Put my old address back' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
    const newPassword = strongPassword();
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
    await page.goto('/account');
    await expect(page.getByText(person.email).first()).toBeVisible();
  });

  test('forgot password: the emailed link sets a new one and signs out every other session', async ({
    page,
    openContext,
  }) => {
    const person = newPerson('Priya Raman', 'reset');
    await signUp(page, person);
    await signOut(page);

    // A second device that signed in before the reset.
    const laptop = await (await openContext()).newPage();
    await signIn(laptop, person);

    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Reset your password' })).toBeVisible();
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expect(page.getByRole('status')).toContainText(person.email);

    const mail = await latestMail(person.email, { subject: /reset/i });
    const link = linkFrom(mail.text);
    expect(link.startsWith(`${BASE_URL}/reset-password?token=`)).toBe(true);
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
    const newPassword = strongPassword();
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect(page).toHaveURL(/\/\?reset=1$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'signed out everywhere else' })).toBeVisible();

    // The other device is signed out on its next page.
    await laptop.goto('/journal');
    await expect(laptop).toHaveURL(/\/login\?next=%2Fjournal$/);

    // The link works once.
    await page.goto(link);
    await page.getByLabel('New password').fill(strongPassword());
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expect(page.getByText('expired or was already used')).toBeVisible();

    // The old password no longer works; the new one does.
    await page.goto('/');
    await signOut(page);
    await page.goto('/login');
    await submitSignIn(page, person.email, person.password);
    await expect(page.getByLabel('Password', { exact: true })).toHaveAccessibleDescription(/do not match/);
    await submitSignIn(page, person.email, newPassword);
    await expect(page).toHaveURL(TODAY);
    await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  });

  test('signing out another session from the account page', async ({ page, openContext }) => {
    const person = newPerson('Mateus Costa', 'revoke');
    await signUp(page, person);
    const other = await (await openContext()).newPage();
    await signIn(other, person);

    await page.goto('/account');
    const sessions = page.getByRole('region', { name: 'Where you are signed in' });
    const entries = sessions.getByRole('listitem');
    await expect(entries).toHaveCount(2);
    await expect(entries.filter({ hasText: '(this device)' })).toHaveCount(1);
    await entries
      .filter({ hasNotText: '(this device)' })
      .getByRole('button', { name: /^Sign out/ })
      .click();
    await expect(page.getByRole('status').filter({ hasText: 'That session is signed out.' })).toBeVisible();
    await expect(sessions.getByRole('listitem')).toHaveCount(1);
    await expect(sessions.getByRole('listitem')).toContainText('(this device)');

    // This device stays signed in; the other one is signed out on its next navigation.
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
    await other.goto('/account');
    await expect(other).toHaveURL(/\/login\?next=%2Faccount$/);
    await other.goto('/');
    await expect(other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
  });

  test('writes from another site are refused, even with a valid session', async ({ page, request }) => {
    const person = newPerson('Lena Fischer', 'csrf');
    await signUp(page, person);
    const evil = { Origin: 'https://evil.example' };
    const crossSite = { 'Sec-Fetch-Site': 'cross-site' };
    const signInForm = { email: person.email, password: person.password };
    const reflection = { courseSlug: 'team-huddles', lessonSlug: 'the-microsystem', body: 'Written by another site' };

    // Cookie-less and cookie-carrying requests alike.
    for (const client of [request, page.request]) {
      expect(
        (
          await client.post('/login?_action=accounts.signIn', { headers: evil, form: signInForm, maxRedirects: 0 })
        ).status(),
      ).toBe(403);
      expect(
        (
          await client.post('/login?_action=accounts.signIn', { headers: crossSite, form: signInForm, maxRedirects: 0 })
        ).status(),
      ).toBe(403);
      expect((await client.post('/_actions/reflections.save', { headers: evil, data: reflection })).status()).toBe(403);
      expect((await client.post('/_actions/reflections.save', { headers: crossSite, data: reflection })).status()).toBe(
        403,
      );
      expect((await client.post('/_actions/reflections.save', { headers: evil, form: reflection })).status()).toBe(403);
    }

    // Nothing was written…
    const state = await (await page.request.get('/courses/team-huddles/the-microsystem/state.json')).json();
    expect(state.signedIn).toBe(true);
    expect(state.reflection).toBeNull();

    // …while the same write from this site goes through (so the 403s above mean something).
    const sameSite = await page.request.post('/_actions/reflections.save', {
      headers: { ...SAME_ORIGIN, 'Sec-Fetch-Site': 'same-origin' },
      form: { ...reflection, body: 'Written here' },
    });
    expect(sameSite.status()).toBe(200);
    const after = await (await page.request.get('/courses/team-huddles/the-microsystem/state.json')).json();
    expect(after.reflection.body).toBe('Written here');
  });
});
