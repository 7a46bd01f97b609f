import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Catalog } from '#lib/catalog.ts';
import {
  forgetOldEmailInvitations,
  runAutomaticReminders,
  runDueReminders,
  runLeaderDigests,
} from '#server/teams/index.ts';
import { runEventNudges, runEventReviewStream } from '#server/events/index.ts';
import { sendRequestedPasswordResets } from '#server/accounts/index.ts';

// Background work: requested password-reset links, team reminders (asked for and
// automatic), the leaders' weekly digest, event nudges and review questions,
// and forgetting addresses invited by email long ago. Each job is idempotent and
// safe to run from several processes at once (rows are claimed in the database),
// so the server's timer and `npm run rounds -- run-jobs` can overlap freely.

export async function runJobs(db: Kysely<Database>, catalog: Catalog, now = new Date()) {
  // Reset links first: someone is waiting for one now.
  const resets = await sendRequestedPasswordResets(db, now);
  const reminders = await runDueReminders(db, catalog, now);
  // Automatic email, at most one a day per person (decision 0040): the first to claim a
  // person's day sends it. The leaders' Monday digest first, then team reminders (merged),
  // then lesson nudges and review questions; what finds the day taken waits for the next.
  const leaderDigests = await runLeaderDigests(db, catalog, now);
  const automaticReminders = await runAutomaticReminders(db, catalog, now);
  const nudges = await runEventNudges(db, catalog, now);
  const reviewQuestions = await runEventReviewStream(db, catalog, now);
  const invitationsForgotten = await forgetOldEmailInvitations(db, now);
  return { resets, reminders, leaderDigests, automaticReminders, nudges, reviewQuestions, invitationsForgotten };
}

// The process's one runner, found by the bundled app (a separate copy of this module)
// through a global symbol, as the database is.
const RUNNER_KEY = Symbol.for('rounds.job-runner');
type WithRunner = typeof globalThis & { [RUNNER_KEY]?: { runNow(): void } };

/**
 * Runs `job` a couple of seconds after every full minute (lessons unlock on the
 * minute), never two at once in this process, and once more whenever
 * requestJobRun() asks. Errors are logged, not thrown: the next tick tries again.
 */
export function scheduleJobs(
  job: () => Promise<unknown>,
  log: (message: string) => void = console.error,
): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let again = false;
  let stopped = false;
  const runNow = () => {
    if (stopped) return;
    // A request during a run gets a run of its own afterwards: the current one may have read the queue already.
    if (running) {
      again = true;
      return;
    }
    running = job()
      .catch((error: unknown) => log(`[jobs] ${(error as Error)?.message ?? error}`))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          runNow();
        }
      });
  };
  const plan = () => {
    const wait = 60_000 - (Date.now() % 60_000) + 2_000;
    timer = setTimeout(() => {
      if (!running) runNow();
      if (!stopped) plan();
    }, wait);
    timer.unref();
  };
  plan();
  const runner = { runNow };
  (globalThis as WithRunner)[RUNNER_KEY] = runner;
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const holder = globalThis as WithRunner;
      if (holder[RUNNER_KEY] === runner) delete holder[RUNNER_KEY];
    },
  };
}

/**
 * Asks this process's runner for a run now (e.g. a reminder a leader just sent) instead
 * of at the next minute. False when no runner is scheduled here (`astro dev`): the work
 * waits for `npm run rounds -- run-jobs`.
 */
export function requestJobRun(): boolean {
  const runner = (globalThis as WithRunner)[RUNNER_KEY];
  runner?.runNow();
  return runner !== undefined;
}
