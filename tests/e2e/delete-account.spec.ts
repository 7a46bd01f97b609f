// Deleting an account: the email and the password, retyped; a wrong password keeps
// what was typed and says why beside the field; then the account is gone for good.
import { expect, newPerson, ONE_AT_A_TIME, signUp, submitSignIn, test } from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

test('deleting my account asks for my password, keeps the form on a mistake, then signs me out for good', async ({
  page,
}) => {
  const person = newPerson('Noor Haddad', 'leaving');
  await signUp(page, person);
  await page.goto('/account');
  const section = page.getByRole('region', { name: 'Delete your account' });
  await section.getByLabel('Type your email address to confirm').fill(person.email);
  await section.getByLabel('Your password').fill('not my password at all');
  await section.getByRole('button', { name: 'Delete my account' }).click();

  await expect(section.getByText('Your current password is not right.')).toBeVisible();
  await expect(section.getByLabel('Your password')).toHaveAttribute('aria-invalid', 'true');
  await expect(section.getByLabel('Type your email address to confirm')).toHaveValue(person.email);

  await section.getByLabel('Your password').fill(person.password);
  await section.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your account is deleted' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' })).toBeVisible();

  // The address and password no longer open anything.
  await submitSignIn(page, person.email, person.password);
  await expect(page.getByText(/email and password do not match/)).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});
