import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          // Tests complete courses in milliseconds and expect certificates; the time floor
          // has its own tests (tests/integration/lesson-time.test.ts), which set it.
          env: { LESSON_TIME_FLOOR: '0' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file gets its own database; two at a time keeps PGlite and argon2 within 2 cores.
          maxWorkers: 2,
        },
      },
      {
        // Against the built server (tests/security/global-setup.ts starts it); one file at a time.
        test: {
          name: 'security',
          include: ['tests/security/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/security/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
