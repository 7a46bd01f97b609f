// Bad input on every form people type into (issue 2 §6; sign-up is in accounts.spec.ts):
// empty required fields, 10,000 characters, malformed emails, names in other scripts,
// control characters and HTML/script payloads. Each gets a clear message next to the
// field (its accessible description, or an alert above the form), keeps what was typed
// (never a password), saves nothing half-way, renders nothing as HTML, and never a 500.
import type { Locator, Page, Response } from '@playwright/test';
import {
  expect,
  failOnServerErrors,
  findCourse,
  findLesson,
  latestMail,
  linkFrom,
  newPerson,
  ONE_AT_A_TIME,
  SAME_ORIGIN,
  signIn,
  signUp,
  startOwnServer,
  strongPassword,
  test,
  type Person,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const LONG = 'Ana '.repeat(2_500); // 10,000 characters
const CONTROL = 'Sam\u0007 Oka\u0000for\u200b';
const HTML = '<b>bold</b><img src=x alt=injected onerror=alert(1)><script>alert(2)</script>';
const NAMES = ['Zoë Ødegaard', '李雷'];
const MALFORMED_EMAIL = 'ama@@example';

/** Watches a page for what must never happen: a server error, a script from input running, markup from input. */
function guard(page: Page) {
  const serverErrors = failOnServerErrors(page);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return {
    async check() {
      expect(serverErrors, 'never a server error').toEqual([]);
      expect(dialogs, 'no script from the input ran').toEqual([]);
      await expect(page.getByRole('img', { name: 'injected' }), 'no markup from the input').toHaveCount(0);
      await expect(page.getByText('bold', { exact: true }), 'no markup from the input').toHaveCount(0);
    },
  };
}

/** Presses a form's submit button and returns the response to its POST (or GET) navigation. */
async function submit(scope: Page | Locator, button: string): Promise<Response> {
  const page = 'page' in scope ? scope.page() : scope;
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().resourceType() === 'document' && r.request().isNavigationRequest()),
    scope.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}

/** Lifts the browser's own limits, as an old browser or a script would: the server must cope. */
async function unlimited(field: Locator): Promise<void> {
  await field.evaluate((input) => {
    for (const attribute of ['maxlength', 'minlength', 'min', 'max', 'required', 'pattern'])
      input.removeAttribute(attribute);
    if (input instanceof HTMLInputElement && ['number', 'date', 'email', 'time'].includes(input.type))
      input.type = 'text';
  });
}

/** The field is marked invalid, says why, and holds what was typed (less a NUL, which HTML cannot carry). */
async function expectFieldError(field: Locator, message: RegExp, kept?: string): Promise<void> {
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAccessibleDescription(message);
  if (kept === undefined) return;
  // A date or number input cannot hold what is not one: the server's copy is in its value attribute.
  const typed = await field.evaluate(
    (input) => input instanceof HTMLInputElement && ['date', 'number', 'time'].includes(input.type),
  );
  if (typed) await expect(field).toHaveAttribute('value', kept.replace(/\u0000/g, ''));
  else await expect(field).toHaveValue(kept.replace(/\u0000/g, ''));
}

async function fillUnlimited(field: Locator, value: string): Promise<void> {
  await unlimited(field);
  await field.fill(value);
}

// ── Signed out: sign in, forgot password, reset password, the join code ───────

test('sign in: empty, malformed, 10,000 characters, control characters, markup', async ({ page }) => {
  const watch = guard(page);
  const email = () => page.getByLabel('Email', { exact: true });
  const password = () => page.getByLabel('Password', { exact: true });
  await page.goto('/login');
  expect((await submit(page, 'Sign in')).status()).toBe(400);
  await expectFieldError(email(), /Enter your email address/, '');

  for (const [value, message] of [
    [MALFORMED_EMAIL, /Enter an email address like name@example\.org/],
    [`${'a'.repeat(9_988)}@example.org`, /too long/],
    [`sam${CONTROL}@example.org`, /Enter an email address like/],
    [HTML, /Enter an email address like/],
  ] as const) {
    await fillUnlimited(email(), value);
    await password().fill('a password that is long enough');
    expect((await submit(page, 'Sign in')).status(), value.slice(0, 30)).toBe(400);
    await expectFieldError(email(), message, value);
    await expect(password()).toHaveValue('');
  }

  // Email first (decision 0042): the password may be left empty only at a domain with single sign-on.
  await email().fill('someone@example.org');
  await password().fill('');
  expect((await submit(page, 'Sign in')).status()).toBe(400);
  await expectFieldError(password(), /Enter your password/, '');
  await expect(email()).toHaveValue('someone@example.org');

  await fillUnlimited(password(), LONG);
  expect((await submit(page, 'Sign in')).status()).toBe(400);
  await expectFieldError(password(), /too long/, '');
  await expect(email()).toHaveValue('someone@example.org');
  await watch.check();
});

test('forgot password: empty, malformed, 10,000 characters, markup', async ({ page }) => {
  const watch = guard(page);
  const email = () => page.getByLabel('Email', { exact: true });
  await page.goto('/forgot-password');
  expect((await submit(page, 'Send the link')).status()).toBe(400);
  await expectFieldError(email(), /Enter your email address/, '');
  for (const [value, message] of [
    [MALFORMED_EMAIL, /Enter an email address like/],
    [`${'b'.repeat(9_988)}@example.org`, /too long/],
    [HTML, /Enter an email address like/],
    [`ana${CONTROL}@example.org`, /Enter an email address like/],
  ] as const) {
    await fillUnlimited(email(), value);
    expect((await submit(page, 'Send the link')).status()).toBe(400);
    await expectFieldError(email(), message, value);
  }
  await watch.check();
});

test('reset password: empty, too short, 10,000 characters; the link still works afterwards', async ({ page }) => {
  const watch = guard(page);
  const person = newPerson('Zoë Ødegaard', 'bad-reset');
  await signUp(page, person);
  await page.context().clearCookies();
  await page.goto('/forgot-password');
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  const link = linkFrom((await latestMail(person.email, { subject: /reset/i })).text);
  await page.goto(link);
  const password = () => page.getByLabel('New password');
  expect((await submit(page, 'Save new password')).status()).toBe(400);
  await expectFieldError(password(), /Enter a password/, '');
  for (const [value, message] of [
    ['short one', /at least 12 characters/],
    [LONG, /at most 256 characters/],
  ] as const) {
    await fillUnlimited(password(), value);
    expect((await submit(page, 'Save new password')).status()).toBe(400);
    await expectFieldError(password(), message, '');
  }
  // Nothing was used up: the same link sets a good password.
  const fresh = strongPassword();
  await password().fill(fresh);
  await submit(page, 'Save new password');
  await expect(page.getByRole('status').filter({ hasText: 'signed out everywhere else' })).toBeVisible();
  await watch.check();
});

test('the join code on the landing page: empty, 10,000 characters, markup, control characters, other scripts', async ({
  page,
}) => {
  const watch = guard(page);
  for (const value of ['', LONG, HTML, `AB${CONTROL}CD`, '李雷', 'Zoë-Ødeg']) {
    await page.goto('/');
    const code = page.getByLabel('Have a code from an event or your team?');
    await fillUnlimited(code, value);
    const response = await submit(page, 'Join');
    expect(response.status(), JSON.stringify(value.slice(0, 20))).toBe(400);
    // The code page says what a code looks like, next to the field, with the code kept.
    await expectFieldError(
      page.getByLabel('Invite code'),
      /Codes have 12 letters and digits.*\(teams\), or 10.*\(events\)/,
      value.replace(/[\n\r]/g, ''),
    );
  }
  await watch.check();
});

// ── Signed in: account, journal ───────────────────────────────────────────────

test('account: name, email and password changes refuse bad input and change nothing', async ({ page, openContext }) => {
  const watch = guard(page);
  const person = newPerson('Amara Obi', 'bad-account');
  await signUp(page, person);
  await page.goto('/account');
  const nameForm = page.getByRole('region', { name: 'Name' });
  const name = () => nameForm.getByLabel('Your name');

  for (const [value, message] of [
    ['', /Enter your name/],
    [LONG, /at most 100 characters/],
    [CONTROL, /invisible control characters/],
    [HTML, /without < or >/],
  ] as const) {
    await fillUnlimited(name(), value);
    expect((await submit(nameForm, 'Save name')).status()).toBe(400);
    await expectFieldError(name(), message, value.replace(/[\n\r]/g, ''));
  }
  await page.goto('/account');
  await expect(name(), 'the name is unchanged').toHaveValue(person.name);
  for (const value of NAMES) {
    await name().fill(value);
    await submit(nameForm, 'Save name');
    await expect(page.getByRole('status').filter({ hasText: 'Your name is saved.' })).toBeVisible();
    await expect(name()).toHaveValue(value);
  }

  const emailForm = page.getByRole('region', { name: 'Email' });
  const newEmail = () => emailForm.getByLabel('New email');
  const emailPassword = () => emailForm.getByLabel('Current password');
  expect((await submit(emailForm, 'Change email')).status()).toBe(400);
  await expectFieldError(newEmail(), /Enter your email address/, '');
  await expectFieldError(emailPassword(), /Enter your password/, '');
  for (const [value, message] of [
    [MALFORMED_EMAIL, /Enter an email address like/],
    [`${'c'.repeat(9_988)}@example.org`, /too long/],
    [HTML, /Enter an email address like/],
  ] as const) {
    await fillUnlimited(newEmail(), value);
    await emailPassword().fill(person.password);
    expect((await submit(emailForm, 'Change email')).status()).toBe(400);
    await expectFieldError(newEmail(), message, value);
    await expect(emailPassword()).toHaveValue('');
  }
  const other = newPerson().email;
  await newEmail().fill(other);
  await emailPassword().fill('not my password at all');
  expect((await submit(emailForm, 'Change email')).status()).toBe(400);
  await expectFieldError(emailPassword(), /current password is not right/, '');
  await expect(newEmail()).toHaveValue(other);
  await expect(emailForm.getByText(`${person.email} — not confirmed yet`), 'the email is unchanged').toBeVisible();

  const passwordForm = page.getByRole('region', { name: 'Password' });
  const current = () => passwordForm.getByLabel('Current password');
  const next = () => passwordForm.getByLabel('New password');
  expect((await submit(passwordForm, 'Change password')).status()).toBe(400);
  await expectFieldError(current(), /Enter your password/, '');
  await expectFieldError(next(), /Enter a password/, '');
  await current().fill(person.password);
  await fillUnlimited(next(), LONG);
  expect((await submit(passwordForm, 'Change password')).status()).toBe(400);
  await expectFieldError(next(), /at most 256 characters/, '');
  await expect(current()).toHaveValue('');
  await current().fill('not my password at all');
  await next().fill(strongPassword());
  expect((await submit(passwordForm, 'Change password')).status()).toBe(400);
  await expectFieldError(current(), /current password is not right/, '');
  // The old password still signs in: nothing was changed.
  const laptop = await (await openContext()).newPage();
  await signIn(laptop, person);
  await watch.check();
});

test('journal: editing a reflection refuses 10,000+ characters and keeps the text; markup and other scripts stay text', async ({
  page,
}) => {
  const watch = guard(page);
  await signUp(page, newPerson('Lars Nørgaard', 'bad-journal'));
  const lesson = findLesson('team-huddles', 'speaking-up');
  const original = 'I will say “I need a minute” out loud at the next handover.';
  const saved = await page.request.post('/_actions/reflections.save', {
    headers: SAME_ORIGIN,
    form: { courseSlug: lesson.course, lessonSlug: lesson.slug, body: original },
  });
  expect(saved.status()).toBe(200);

  const entry = () => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: lesson.title }) });
  const edit = async (value: string) => {
    await page.goto('/journal');
    await entry().getByText('Edit or delete').click();
    const box = entry().getByLabel('Your reflection');
    await fillUnlimited(box, value);
    return submit(entry(), 'Save changes');
  };

  const tooLong = `${'x'.repeat(10_000)}!`;
  expect((await edit(tooLong)).status()).toBe(400);
  await expectFieldError(
    entry().getByLabel('Your reflection'),
    /Too long to save: 10,001 characters, 1 over the limit of 10,000/,
    tooLong,
  );
  await expect(
    entry().getByRole('paragraph').filter({ hasText: original }),
    'the saved text is unchanged',
  ).toBeVisible();

  for (const value of [
    HTML,
    `${NAMES.join(' and ')} spoke up first.`,
    `Tabs\tand a bell\u0007 and a nul\u0000 in a pasted note`,
  ]) {
    expect((await edit(value)).status()).toBe(200);
    await expect(page.getByRole('status').filter({ hasText: 'Reflection saved.' })).toBeVisible();
    // Shown as typed, as text (characters that cannot be stored are dropped).
    await expect(
      entry()
        .getByRole('paragraph')
        .filter({ hasText: value.replace(/\u0000/g, '') }),
    ).toBeVisible();
  }

  // The search box takes anything, too.
  for (const query of [HTML, LONG, CONTROL, '李雷']) {
    const response = await page.goto(`/journal?q=${encodeURIComponent(query)}`);
    expect(response?.status(), JSON.stringify(query.slice(0, 20))).toBe(200);
  }
  await watch.check();
});

// ── Teams: create, edit, invite, assign ───────────────────────────────────────

test('teams: create and edit a team, invite and assign with bad input; nothing is half-saved', async ({ page }) => {
  test.setTimeout(120_000);
  const watch = guard(page);
  await signUp(page, newPerson('Ingrid Solberg', 'bad-team'));

  // Create.
  await page.goto('/teams');
  const create = page.getByRole('region', { name: 'Create a team' });
  const teamName = () => create.getByLabel('Team name');
  const description = () => create.getByLabel('Description (optional)');
  for (const [value, message] of [
    ['', /Give the team a name/],
    [LONG, /at most 80 characters/],
    [CONTROL, /invisible control characters/],
  ] as const) {
    await fillUnlimited(teamName(), value);
    expect((await submit(create, 'Create team')).status()).toBe(400);
    await expectFieldError(teamName(), message, value.replace(/[\n\r]/g, ''));
  }
  // A good name with a bad description: no team is made, both are kept.
  await teamName().fill('4 West nights');
  await fillUnlimited(description(), LONG);
  expect((await submit(create, 'Create team')).status()).toBe(400);
  await expectFieldError(description(), /at most 600 characters/, LONG);
  await expect(teamName()).toHaveValue('4 West nights');
  await expect(page.getByRole('region', { name: 'Your teams' })).toHaveCount(0);

  // Markup and other scripts are names like any other, shown as text.
  for (const value of [...NAMES, HTML]) {
    await page.goto('/teams');
    await teamName().fill(value);
    await description().fill(`Team of ${value}`);
    await submit(create, 'Create team');
    await expect(page.getByRole('heading', { level: 1, name: value })).toBeVisible();
    await expect(page.getByText(`Team of ${value}`)).toBeVisible();
  }
  const teamUrl = new URL(page.url()).pathname;

  // Edit.
  await page.goto(`${teamUrl}/manage`);
  const details = page.getByRole('region', { name: 'Team details' });
  await fillUnlimited(details.getByLabel('Team name'), '');
  expect((await submit(details, 'Save')).status()).toBe(400);
  await expectFieldError(details.getByLabel('Team name'), /Give the team a name/, '');
  await details.getByLabel('Team name').fill('Renamed team');
  await fillUnlimited(details.getByLabel('Description (optional)'), `Bell\u0007 in the description`);
  expect((await submit(details, 'Save')).status()).toBe(400);
  await expectFieldError(
    details.getByLabel('Description (optional)'),
    /invisible control characters/,
    'Bell\u0007 in the description',
  );
  await expect(details.getByLabel('Team name')).toHaveValue('Renamed team');
  await page.goto(teamUrl);
  await expect(page.getByRole('heading', { level: 1, name: HTML }), 'the name is unchanged').toBeVisible();

  // Invite.
  await page.goto(`${teamUrl}/manage`);
  const invite = page.getByRole('region', { name: 'Invite people' });
  for (const [days, uses, field, message] of [
    ['', '', 'Works for (days)', /Choose how long the invite works|whole number|at least 1 day/],
    ['0', '', 'Works for (days)', /at least 1 day/],
    ['9'.repeat(10_000), '', 'Works for (days)', /at most 90 days|Choose how long the invite works/],
    [HTML, '', 'Works for (days)', /Choose how long the invite works|whole number/],
    ['14', '0', 'Maximum number of people (optional)', /whole number from 1 to 5,000/],
    ['14', LONG, 'Maximum number of people (optional)', /whole number from 1 to 5,000/],
    ['14', HTML, 'Maximum number of people (optional)', /whole number from 1 to 5,000/],
  ] as const) {
    await fillUnlimited(invite.getByLabel('Works for (days)'), days);
    await fillUnlimited(invite.getByLabel('Maximum number of people (optional)'), uses);
    expect((await submit(invite, 'Create invite')).status(), `${days.slice(0, 10)} / ${uses.slice(0, 10)}`).toBe(400);
    await expectFieldError(invite.getByLabel(field), message, field.startsWith('Works') ? days : uses);
  }
  await expect(invite.getByRole('button', { name: /^Withdraw invite/ }), 'no invite was made').toHaveCount(0);

  // Assign.
  const course = findCourse('servant-leadership');
  await page.goto(teamUrl);
  const assign = () => page.getByRole('region', { name: 'Assign a course' });
  const due = () => assign().getByLabel('Due date', { exact: true });
  const note = () => assign().getByLabel('Note for the team (optional)');
  const chooseCourse = async () => {
    const option = (await assign().getByRole('option', { name: course.title }).textContent())!.trim();
    await assign().getByLabel('Course', { exact: true }).selectOption({ label: option });
  };
  await chooseCourse();
  expect((await submit(assign(), 'Assign course')).status()).toBe(400);
  await expectFieldError(due(), /Choose a date/);
  for (const [date, message] of [
    ['31/12/2026', /YYYY-MM-DD/],
    ['2027-02-30', /does not exist/],
    [HTML, /YYYY-MM-DD/],
  ] as const) {
    await chooseCourse();
    await fillUnlimited(due(), date);
    await note().fill('We talk about it at the huddle.');
    expect((await submit(assign(), 'Assign course')).status()).toBe(400);
    await expectFieldError(due(), message, date);
    await expect(note()).toHaveValue('We talk about it at the huddle.');
  }
  const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  for (const [value, message] of [
    [LONG, /400 characters/],
    [`A bell\u0007 here`, /invisible control characters/],
  ] as const) {
    await chooseCourse();
    await due().fill(inAWeek);
    await fillUnlimited(note(), value);
    expect((await submit(assign(), 'Assign course')).status()).toBe(400);
    await expectFieldError(note(), message, value);
    await expect(due()).toHaveValue(inAWeek);
  }
  await expect(page.getByText('No course is assigned yet.'), 'nothing was assigned').toBeVisible();
  // Markup in the note is shown as text; a line break (sent by the browser as CR LF) is fine.
  await chooseCourse();
  await due().fill(inAWeek);
  await note().fill(`${HTML}\nSee you at the huddle.`);
  await submit(assign(), 'Assign course');
  await expect(page.getByText('Course assigned.')).toBeVisible();
  await expect(page.getByText(HTML).first()).toBeVisible();
  await watch.check();
});

// ── Events (an administrator's form: a server of our own) ─────────────────────

test.describe('event create', () => {
  const port = Number(process.env.E2E_PORT ?? 4410) + 25;
  let server: Awaited<ReturnType<typeof startOwnServer>> | undefined;
  test.describe.configure({ mode: 'serial' });
  test.use({ baseURL: `http://127.0.0.1:${port}` });
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    server = await startOwnServer(port, 'badinput');
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test('every field refuses bad input with a message next to it and keeps the rest; no event is half-made', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const watch = guard(page);
    const admin: Person = newPerson('Ἀλέξανδρος Admin', 'bad-event');
    await signUp(page, admin); // the first account: the administrator
    const course = findCourse('patient-connection');
    const open = async () => {
      await page.goto('/admin/events/new');
      await page.getByLabel('Event name').fill('Spring Symposium');
      await page.getByRole('checkbox', { name: course.title }).check();
    };
    const cases: { label: string; value: string; message: RegExp }[] = [
      { label: 'Event name', value: '', message: /Give the event a name/ },
      { label: 'Event name', value: LONG, message: /at most 120 characters/ },
      { label: 'Event name', value: CONTROL, message: /invisible control characters/ },
      { label: 'Web address (optional)', value: HTML, message: /lower-case letters, digits and dashes/ },
      { label: 'Web address (optional)', value: LONG, message: /lower-case letters, digits and dashes/ },
      { label: 'Web address (optional)', value: 'zoë-ødegaard', message: /lower-case letters, digits and dashes/ },
      { label: 'Date of the event', value: '', message: /Choose a date/ },
      { label: 'Date of the event', value: '2027-13-01', message: /does not exist/ },
      { label: 'Date of the event', value: HTML, message: /YYYY-MM-DD/ },
      { label: 'Location (optional)', value: LONG, message: /at most 200 characters/ },
      { label: 'Location (optional)', value: CONTROL, message: /invisible control characters/ },
      { label: 'Welcome message (optional)', value: LONG, message: /1,000 characters/ },
      { label: 'Welcome message (optional)', value: 'A bell\u0007 here', message: /invisible control characters/ },
      { label: 'Time of day', value: '25:99', message: /Enter a time like/ },
      { label: 'Time of day', value: HTML, message: /Enter a time like/ },
      { label: 'First lesson: days after the event', value: '-1', message: /at least 0/ },
      {
        label: 'First lesson: days after the event',
        value: '9'.repeat(10_000),
        message: /at most 365|whole number of days/,
      },
      { label: 'Then one lesson every … days', value: HTML, message: /whole number of days/ },
      {
        label: 'Or: exact days after the event, one per lesson (optional)',
        value: HTML,
        message: /List whole days|too long/,
      },
      { label: 'Or: exact days after the event, one per lesson (optional)', value: LONG, message: /too long/ },
    ];
    for (const { label, value, message } of cases) {
      await open();
      const field = page.getByLabel(label, { exact: true });
      await fillUnlimited(field, value);
      const response = await submit(page, 'Create event');
      expect(response.status(), `${label}: ${JSON.stringify(value.slice(0, 20))}`).toBe(400);
      await expectFieldError(page.getByLabel(label, { exact: true }), message, value.replace(/[\n\r]/g, ''));
      if (label !== 'Event name') await expect(page.getByLabel('Event name')).toHaveValue('Spring Symposium');
      await expect(page.getByRole('checkbox', { name: course.title }), 'the chosen course stays chosen').toBeChecked();
    }
    // The time zone is a list; a zone not on it (an old page, a script) is refused beside it.
    await open();
    await page.getByLabel('Time zone of the event', { exact: true }).evaluate((select: HTMLSelectElement) => {
      select.options[select.selectedIndex]!.value = 'Mars/Olympus';
    });
    expect((await submit(page, 'Create event')).status()).toBe(400);
    await expectFieldError(page.getByLabel('Time zone of the event', { exact: true }), /We do not know that time zone/);
    await expect(page.getByLabel('Event name')).toHaveValue('Spring Symposium');
    // No course chosen.
    await page.goto('/admin/events/new');
    await page.getByLabel('Event name').fill('No courses');
    expect((await submit(page, 'Create event')).status()).toBe(400);
    await expect(page.getByRole('group', { name: 'Courses' })).toHaveAccessibleDescription(
      /Choose at least one course/,
    );
    // Nothing was made.
    await page.goto('/admin/events');
    await expect(page.getByRole('link', { name: 'Spring Symposium' })).toHaveCount(0);

    // Other scripts and markup are accepted as text.
    await open();
    await page.getByLabel('Event name').fill(`${NAMES.join(' · ')} ${HTML}`);
    await page.getByLabel('Location (optional)').fill('Salle Ødegaard, 李雷 Hall');
    await page.getByLabel('Welcome message (optional)').fill(`Welcome! ${HTML}`);
    await submit(page, 'Create event');
    await expect(page.getByText('Event created.')).toBeVisible();
    const publicPage = new URL(page.url()).pathname.replace('/admin', '');
    await page.goto(publicPage);
    await expect(page.getByRole('heading', { level: 1, name: `${NAMES.join(' · ')} ${HTML}` })).toBeVisible();
    await expect(page.getByText(`Welcome! ${HTML}`)).toBeVisible();

    // The administrator's search boxes take anything.
    for (const query of [HTML, LONG, CONTROL, '李雷']) {
      for (const path of [
        `/admin?q=${encodeURIComponent(query)}`,
        `/admin/audit?action=${encodeURIComponent(query)}`,
      ]) {
        expect((await page.goto(path))?.status(), `${path.slice(0, 40)}`).toBe(200);
      }
    }
    await watch.check();
  });
});
