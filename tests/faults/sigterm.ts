// (c) SIGTERM with requests in flight: every one of them completes (2xx/3xx), then the
// process exits with code 0.
import path from 'node:path';
import { Agent, request } from 'undici';
import { createTestDatabase, LEARNER_PASSWORD, seedLearners, signIn, sleep, startServer } from '../load/harness.ts';
import { Scenario } from './checks.ts';

const IN_FLIGHT = 30;

export async function terminateInFlight(serverUrl: string, outDir: string): Promise<Scenario> {
  const scenario = new Scenario('(c) SIGTERM with requests in flight');
  const database = await createTestDatabase(serverUrl, 'term');
  try {
    const seeding = await database.open();
    const learners = await seedLearners(seeding, IN_FLIGHT, 'term');
    await seeding.close();
    const server = await startServer({ env: database.env, logFile: path.join(outDir, 'sigterm-server.log') });
    const cookie = await signIn(server.origin, learners[0]!.email);
    const agent = new Agent({ connections: IN_FLIGHT + 2 });
    // Sign-ins verify an argon2 hash (tens of ms each, queued on a few threads): a
    // burst of them keeps requests in flight for a good while. Today pages and a
    // reflection save run alongside.
    let answered = 0;
    let signalledAt = 0;
    const send = (i: number) => {
      const options: {
        method: 'GET' | 'POST';
        path: string;
        headers: Record<string, string>;
        form?: Record<string, string>;
      } =
        i % 3 === 0
          ? { method: 'GET', path: '/', headers: { cookie } }
          : {
              method: 'POST',
              path: '/_actions/accounts.signIn',
              headers: {},
              form: { email: learners[i]!.email, password: LEARNER_PASSWORD },
            };
      const headers: Record<string, string> = { ...options.headers };
      let body: string | undefined;
      if (options.form) {
        headers.origin = server.origin;
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(options.form).toString();
      }
      return request(server.origin + options.path, {
        method: options.method,
        headers,
        body,
        dispatcher: agent,
        signal: AbortSignal.timeout(20_000),
      }).then(
        async (response) => {
          await response.body.text();
          answered += 1;
          return response.statusCode;
        },
        (error: Error) => {
          answered += 1;
          return `error: ${error.message} (${options.path}, ${Math.round(performance.now() - signalledAt)} ms after SIGTERM)`;
        },
      );
    };
    const pending = Array.from({ length: IN_FLIGHT }, (_, i) => send(i));
    // Long enough for the server to have read every request (sign-ins then take well over a second).
    await sleep(250);
    const answeredBeforeSignal = answered;
    const signalled = performance.now();
    signalledAt = signalled;
    server.child.kill('SIGTERM');
    const statuses = await Promise.all(pending);
    const lastAnswerMs = performance.now() - signalled;
    const exit = await Promise.race([server.exited, sleep(30_000).then(() => ({ code: -1, signal: null }))]);
    const exitMs = performance.now() - signalled;
    await agent.close();
    const good = statuses.filter((s) => typeof s === 'number' && s >= 200 && s < 400).length;
    scenario.figure(
      `${IN_FLIGHT - answeredBeforeSignal} of ${IN_FLIGHT} requests still in flight at SIGTERM; last response ${(lastAnswerMs / 1000).toFixed(2)} s and exit ${(exitMs / 1000).toFixed(2)} s after the signal`,
    );
    scenario.check(IN_FLIGHT - answeredBeforeSignal >= 5, 'requests were in flight when the signal arrived');
    scenario.check(
      good === IN_FLIGHT,
      `every in-flight request completed with 2xx/3xx (${good}/${IN_FLIGHT}${good < IN_FLIGHT ? `: ${statuses.filter((s) => typeof s !== 'number' || s >= 400).join(', ')}` : ''})`,
    );
    scenario.check(exit.code === 0, `the process exits with code 0 (${exit.code ?? exit.signal})`);
    // Not the whole grace period: keep-alive connections left open by clients must not hold the exit.
    scenario.check(
      exitMs - lastAnswerMs < 3000,
      `and promptly: ${((exitMs - lastAnswerMs) / 1000).toFixed(2)} s after the last in-flight response`,
    );
    if (server.isRunning()) server.child.kill('SIGKILL');
  } finally {
    await database.drop();
  }
  return scenario;
}
