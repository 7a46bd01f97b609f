import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, type LaunchOptions } from '@playwright/test';

// End-to-end tests drive Chromium against the built server (tests/e2e/serve.ts starts it
// with a real SMTP capture and a fresh database). The specs share that server and the
// machine has two cores, so they run one at a time (each takes the ONE_AT_A_TIME lock,
// tests/e2e/support.ts) — all but the events journey, which mostly waits for a lesson to
// unlock at the next minute on a server of its own: it runs beside them, in a second worker.
const PORT = Number(process.env.E2E_PORT ?? 4410);

// A spec without the lock could run beside another one on the shared server: refuse to start.
const specDir = path.join(import.meta.dirname, 'tests/e2e');
const unlocked = readdirSync(specDir).filter(
  (file) =>
    file.endsWith('.spec.ts') &&
    file !== 'events.spec.ts' &&
    !readFileSync(path.join(specDir, file), 'utf8').includes('lock: ONE_AT_A_TIME'),
);
if (unlocked.length > 0) {
  throw new Error(
    `${unlocked.join(', ')}: add \`test.describe.configure({ lock: ONE_AT_A_TIME });\` (see tests/e2e/support.ts)`,
  );
}
const baseURL = `http://127.0.0.1:${PORT}`;

// A system Chromium where Playwright's own browser cannot be downloaded.
const executablePath = process.env.CHROMIUM_PATH || (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const launchOptions: LaunchOptions = executablePath
  ? {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }
  : {};

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    browserName: 'chromium',
    launchOptions,
    // Sign-up takes the browser's time zone: the same one on every machine, unless a spec sets another.
    timezoneId: 'UTC',
  },
  projects: [
    {
      // A small phone: every journey, plus the accessibility sweep.
      name: 'phone',
      use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    },
    {
      // A laptop: the accessibility sweep only (layouts differ; the journeys are the same).
      name: 'desktop',
      testMatch: /a11y\.spec\.ts$/,
      use: { viewport: { width: 1280, height: 800 } },
    },
  ],
  webServer: {
    command: 'node tests/e2e/serve.ts',
    url: `${baseURL}/healthz`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    // SIGTERM lets the server close its database and remove its temporary data folder.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
