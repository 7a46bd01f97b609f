// `npm test`: every check, in order, stopping at the first failure.
//   format (prettier --check) → lint (ESLint, dependency rules) → typecheck (astro check)
//   → unit → integration → build → end-to-end in Chromium → budgets.
// Integration tests use PostgreSQL when DATABASE_URL is set, else an in-memory PGlite;
// the end-to-end suite runs against the built server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const steps = [
  ['Format', ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '.']],
  ['Lint', ['node_modules/eslint/bin/eslint.js', '.']],
  [
    'Dependency rules',
    ['node_modules/dependency-cruiser/bin/dependency-cruiser.mjs', 'src', 'bin', '--config', '.dependency-cruiser.cjs'],
  ],
  ['Typecheck', ['node_modules/astro/bin/astro.mjs', 'check']],
  ['Unit tests', ['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit']],
  ['Integration tests', ['node_modules/vitest/vitest.mjs', 'run', '--project', 'integration']],
  ['Build', ['node_modules/astro/bin/astro.mjs', 'build']],
  ['Browser tests', ['node_modules/@playwright/test/cli.js', 'test']],
  // Page weight, Lighthouse, Nu HTML Checker; with DATABASE_URL also two app processes on one database.
  ['Budgets', ['tests/budgets/run.ts']],
];

function chromiumAvailable() {
  if (process.env.CHROMIUM_PATH || existsSync('/usr/bin/chromium')) return true;
  // No system Chromium: use Playwright's own, downloading it where the network allows.
  const install = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'install', 'chromium'], {
    stdio: 'inherit',
  });
  return install.status === 0;
}

const started = Date.now();
for (const [name, args] of steps) {
  if (name === 'Browser tests' && !chromiumAvailable()) {
    console.error(
      "\nNo Chromium found. Set CHROMIUM_PATH, install Debian's chromium, or allow `npx playwright install chromium`.",
    );
    process.exit(1);
  }
  console.log(`\n━━ ${name} ━━`);
  const stepStarted = Date.now();
  const env = name === 'Browser tests' ? { ...process.env, E2E_SKIP_BUILD: '1' } : process.env;
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed.`);
    process.exit(result.status ?? 1);
  }
  console.log(`━━ ${name}: ${Math.round((Date.now() - stepStarted) / 1000)} s`);
}
console.log(`\n✓ All checks passed in ${Math.round((Date.now() - started) / 1000)} s.`);
