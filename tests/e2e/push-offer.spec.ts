// Reminders on this phone (issue 20 §4, decision 0044): Today offers them only once a lesson is
// completed, never on a first visit; "Not now" hides the offer; the account page has the
// setting; on an iPhone outside the installed app the offer says how to install instead.
// (Subscribing for real needs Google's push service, which the test machine cannot reach:
// tests/integration/push.test.ts covers what happens after the browser subscribes.)
import {
  expect,
  expectNoSeriousAxeFindings,
  findCourse,
  newPerson,
  ONE_AT_A_TIME,
  rightAnswers,
  SAME_ORIGIN,
  signIn,
  signUp,
  test,
} from './support.ts';

test.describe.configure({ lock: ONE_AT_A_TIME });

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const OFFER = 'A nudge when your next lesson opens?';
const shots = (name: string) => test.info().outputPath(`${name}.png`);

test('Today offers reminders after a completed lesson, never before; the account page has the setting', async ({
  page,
  openContext,
}) => {
  // Headless Chromium denies notifications unless told otherwise; a phone asks the person first.
  await page.context().grantPermissions(['notifications']);
  const person = newPerson('Rosa Pereira');
  await signUp(page, person);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Today', level: 1 })).toBeVisible();
  // First visit: nothing completed, no offer.
  await expect(page.getByRole('heading', { name: OFFER })).toBeHidden();

  const lesson = findCourse('patient-connection').lessons[0]!;
  const answers = Object.fromEntries(rightAnswers(lesson).map((option, index) => [`q${index}`, String(option)]));
  const done = await page.request.post('/_actions/progress.complete', {
    headers: SAME_ORIGIN,
    form: { courseSlug: lesson.course, lessonSlug: lesson.slug, ...answers },
  });
  expect(done.status()).toBe(200);

  await page.goto('/');
  const offer = page.getByRole('region', { name: OFFER });
  await expect(offer).toBeVisible();
  await expect(offer.getByRole('button', { name: 'Remind me on this device' })).toBeVisible();
  await expect(offer).toContainText('Your quiet hours still apply');
  await offer.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shots('today-offer') });
  await expectNoSeriousAxeFindings(page, 'Today with the push offer');

  await offer.getByRole('button', { name: 'Not now' }).click();
  await expect(offer).toBeHidden();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Today', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: OFFER })).toBeHidden();

  // The setting stays on the account page.
  await page.goto('/account');
  const setting = page.getByRole('region', { name: 'Reminders on this device' });
  await expect(setting.getByRole('button', { name: 'Remind me on this device' })).toBeVisible();
  await expect(setting.getByRole('button', { name: 'Stop reminders on this device' })).toBeHidden();
  await setting.screenshot({ path: shots('account-setting') });
  await expectNoSeriousAxeFindings(page, 'account page with the push setting');

  // An iPhone, in Safari rather than the installed app: how to install, no button that cannot work.
  const iphone = await openContext({ userAgent: IPHONE });
  const phone = await iphone.newPage();
  await signIn(phone, person);
  await phone.evaluate(() => navigator.serviceWorker.ready);
  await phone.goto('/');
  const iosOffer = phone.getByRole('region', { name: OFFER });
  await expect(iosOffer).toContainText('tap Share, then “Add to Home Screen”');
  await expect(iosOffer.getByRole('button', { name: 'Remind me on this device' })).toBeHidden();
  await iosOffer.scrollIntoViewIfNeeded();
  await phone.screenshot({ path: shots('today-offer-iphone') });
});
