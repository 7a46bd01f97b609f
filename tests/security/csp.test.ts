// The Content Security Policy holds in a real browser: Chromium visits the main pages,
// signed out and signed in, and reports no CSP violation (console or
// `securitypolicyviolation` event), while the lesson islands still hydrate.
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../faults/browser-outage.ts';
import { signUp } from './support.ts';

const origin = inject('origin');
const catalog = testCatalog();
const course = catalog.courses[0]!;
const lesson = course.lessons[0]!;
const huddle = catalog.courses.flatMap((c) => c.lessons).find((l) => /huddle/.test(l.slug)) ?? lesson;

const SIGNED_OUT = ['/', '/login', '/signup', '/forgot-password', '/courses', `/courses/${course.slug}`, `/courses/${course.slug}/${lesson.slug}`, '/no-such-page'];
const SIGNED_IN = ['/', '/courses', `/courses/${course.slug}`, `/courses/${course.slug}/${lesson.slug}`, `/courses/${huddle.courseSlug}/${huddle.slug}`, '/journal', '/account', '/teams', '/join'];

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
});

async function visit(page: Page, path: string): Promise<string[]> {
  const problems: string[] = [];
  const onConsole = (message: { type(): string; text(): string }) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(message.text())) problems.push(`console ${message.type()}: ${message.text()}`);
  };
  page.on('console', onConsole);
  await page.goto(path, { waitUntil: 'load' });
  // Islands hydrate and fetch their state right after load (some pages keep polling, so not networkidle).
  await page.waitForTimeout(700);
  const events = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  page.off('console', onConsole);
  return [...problems, ...events];
}

async function newPage(cookie?: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: origin });
  if (cookie) {
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: origin, httpOnly: true, sameSite: 'Lax' }]);
  }
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} in ${event.sourceFile || document.location.pathname}`));
  });
  return context.newPage();
}

describe('no CSP violation in Chromium', () => {
  it('signed out', async () => {
    const page = await newPage();
    for (const path of SIGNED_OUT) expect(await visit(page, path), path).toEqual([]);
    await page.context().close();
  });

  it('signed in, and the lesson islands hydrate under the policy', async () => {
    const user = await signUp(origin, 'csp');
    const page = await newPage(user.cookie);
    for (const path of SIGNED_IN) expect(await visit(page, path), path).toEqual([]);
    await page.goto(`/courses/${course.slug}/${lesson.slug}`);
    await page.getByText('It saves as you type.').waitFor({ timeout: 15_000 });
    await page.context().close();
  });

  it('a violation would be seen (the check can fail)', async () => {
    const page = await newPage();
    await page.goto('/login');
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = 1';
      document.body.append(script);
    });
    await page.waitForTimeout(200);
    const events = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    expect(events.length).toBeGreaterThan(0);
    await page.context().close();
  });
});
