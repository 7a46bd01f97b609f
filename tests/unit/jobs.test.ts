// The process's one job runner: scheduled every minute, and asked for an extra run when
// an Action has queued work (a reminder) that should not wait for the next minute.
import { afterEach, describe, expect, it } from 'vitest';
import { requestJobRun, scheduleJobs } from '#server/platform/jobs.ts';

let stopRunner: (() => void) | undefined;
afterEach(() => stopRunner?.());

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the job runner', () => {
  it('runs once on request, and once more when asked during a run (never two at once)', async () => {
    const gates: ReturnType<typeof deferred>[] = [];
    let active = 0;
    let most = 0;
    const runner = scheduleJobs(async () => {
      active += 1;
      most = Math.max(most, active);
      const gate = deferred();
      gates.push(gate);
      await gate.promise;
      active -= 1;
    });
    stopRunner = runner.stop;

    expect(requestJobRun()).toBe(true);
    expect(gates).toHaveLength(1);
    // Two more requests while the first run is busy: one follow-up run, not two, not in parallel.
    requestJobRun();
    requestJobRun();
    expect(gates).toHaveLength(1);
    gates[0]!.resolve();
    await expect.poll(() => gates.length).toBe(2);
    gates[1]!.resolve();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gates).toHaveLength(2);
    expect(most).toBe(1);
  });

  it('logs a failed run instead of throwing, and is gone once stopped', async () => {
    const logged: string[] = [];
    const runner = scheduleJobs(
      async () => {
        throw new Error('database away');
      },
      (line) => logged.push(line),
    );
    expect(requestJobRun()).toBe(true);
    await expect.poll(() => logged).toEqual(['[jobs] database away']);
    runner.stop();
    expect(requestJobRun()).toBe(false);
  });
});
