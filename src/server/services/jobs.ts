import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import type { Catalog } from '../../lib/catalog.ts';
import { runDueReminders } from './team-reminders.ts';
import { runEventNudges } from './events.ts';

// Background work: due team reminders and event nudges. Each job is idempotent and
// safe to run from several processes at once (rows are claimed in the database),
// so the server's timer and `npm run rounds -- run-jobs` can overlap freely.

export async function runJobs(db: Kysely<Database>, catalog: Catalog, now = new Date()) {
  const reminders = await runDueReminders(db, catalog, now);
  const nudges = await runEventNudges(db, catalog, now);
  return { reminders, nudges };
}

/**
 * Runs `job` a couple of seconds after every full minute (lessons unlock on the
 * minute), never two at once in this process. Errors are logged, not thrown: the
 * next tick tries again.
 */
export function scheduleJobs(job: () => Promise<unknown>, log: (message: string) => void = console.error): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (!running) {
      running = job()
        .catch((error: unknown) => log(`[jobs] ${(error as Error)?.message ?? error}`))
        .finally(() => (running = undefined));
    }
    plan();
  };
  const plan = () => {
    const wait = 60_000 - (Date.now() % 60_000) + 2_000;
    timer = setTimeout(tick, wait);
    timer.unref();
  };
  plan();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
