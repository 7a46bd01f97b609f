// (a) PostgreSQL stopped for 10 s under load, then started again, the app never restarted:
// pages answer 503 + Retry-After with the "Try again shortly" page, Actions a JSON 503,
// /healthz 503 then 200; every acknowledged write is in the database afterwards.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '#lib/catalog.ts';
import { createTestDatabase, seedLearners, signIn, sleep, startServer } from '../load/harness.ts';
import {
  count5xx,
  formatReport,
  formatUnanswered,
  LEARNER_SERVER_ENV,
  runFailures,
  runLearners,
  verifyLedger,
} from '../load/learners.ts';
import { Scenario } from './checks.ts';
import type { ThrowawayCluster } from './pg-cluster.ts';

const LEARNERS = Number(process.env.FAULT_LEARNERS ?? 50);
const DOWN_AT_MS = 8_000;
const DOWN_FOR_MS = 10_000;
const RUN_MS = 32_000;

interface Probe {
  at: number;
  what: 'page' | 'action' | 'healthz' | 'static';
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: string;
}

export async function outageUnderLoad(cluster: ThrowawayCluster, catalog: Catalog, outDir: string): Promise<Scenario> {
  const scenario = new Scenario('(a) PostgreSQL stopped for 10 s under load');
  const database = await createTestDatabase(cluster.url, 'outage');
  try {
    const seeding = await database.open();
    const learners = await seedLearners(seeding, LEARNERS + 1, 'outage');
    await seeding.close();
    const probeUser = learners.pop()!;
    const server = await startServer({
      env: { ...database.env, ...LEARNER_SERVER_ENV },
      logFile: path.join(outDir, 'outage-server.log'),
    });
    const pid = server.child.pid;
    const cookie = await signIn(server.origin, probeUser.email);
    const lesson = catalog.courses[0]!.lessons[0]!;

    let outageWindow = false;
    const started = Date.now();
    const probes: Probe[] = [];
    const probe = async (what: Probe['what']) => {
      const init: RequestInit =
        what === 'action'
          ? {
              method: 'POST',
              headers: { cookie, origin: server.origin, 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({
                courseSlug: lesson.courseSlug,
                lessonSlug: lesson.slug,
                body: `probe ${Date.now()}`,
                revision: String(Date.now()),
              }).toString(),
            }
          : { headers: { cookie, accept: 'text/html' } };
      const url = {
        page: '/',
        action: '/_actions/reflections.save',
        healthz: '/healthz',
        static: `/courses/${lesson.courseSlug}/${lesson.slug}`,
      }[what];
      try {
        const response = await fetch(server.origin + url, {
          ...init,
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        probes.push({
          at: Date.now() - started,
          what,
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          contentType: response.headers.get('content-type'),
          body: await response.text(),
        });
      } catch (error) {
        probes.push({
          at: Date.now() - started,
          what,
          status: 0,
          retryAfter: null,
          contentType: null,
          body: (error as Error).message,
        });
      }
    };

    const load = runLearners({
      origin: server.origin,
      learners,
      catalog,
      durationMs: RUN_MS,
      maxRequests: 200_000,
      outageExpected: () => outageWindow,
      // 503 while the database is down (and until 3 s after it answers again); nothing else.
      expectedStatus: (_step, status) => status === 503 && outageWindow,
    });
    await sleep(DOWN_AT_MS);
    outageWindow = true;
    cluster.stop();
    const downAt = Date.now();
    scenario.figure(`PostgreSQL stopped at ${((downAt - started) / 1000).toFixed(1)} s`);
    const duringOutage: Probe[] = [];
    while (Date.now() - downAt < DOWN_FOR_MS) {
      const before = probes.length;
      await Promise.all([probe('page'), probe('action'), probe('healthz'), probe('static')]);
      duringOutage.push(...probes.slice(before));
      await sleep(500);
    }
    cluster.start();
    const upAt = Date.now();
    let recoveredAt = 0;
    while (Date.now() - upAt < 30_000) {
      await probe('healthz');
      if (probes.at(-1)!.status === 200) {
        recoveredAt = Date.now();
        break;
      }
      await sleep(200);
    }
    outageWindow = Date.now() - upAt < 3000;
    setTimeout(() => (outageWindow = false), 3000);
    await Promise.all([probe('page'), probe('action')]);
    const afterRecovery = probes.slice(-2);
    const result = await load;
    const stillSamePid = server.isRunning() && server.child.pid === pid;
    const stopped = await server.stop();

    const checking = await database.open();
    const verification = await verifyLedger(checking, result.ledger, learners);
    await checking.close();

    scenario.check(stillSamePid, 'the server process survives PostgreSQL going away');
    if (!stillSamePid) {
      const log = readFileSync(server.logFile, 'utf8').split('\n');
      const crash = log.findIndex((line) => /Unhandled|throw er|Error:/.test(line));
      console.log(
        `    server log at the crash:\n${log
          .slice(Math.max(0, crash - 1), crash + 6)
          .map((l) => `      ${l}`)
          .join('\n')}`,
      );
    }
    const pages = duringOutage.filter((p) => p.what === 'page');
    const actions = duringOutage.filter((p) => p.what === 'action');
    const health = duringOutage.filter((p) => p.what === 'healthz');
    const statics = duringOutage.filter((p) => p.what === 'static');
    scenario.figure(
      `probes while down: pages ${statusList(pages)}, actions ${statusList(actions)}, /healthz ${statusList(health)}, static lesson ${statusList(statics)}`,
    );
    scenario.check(
      pages.length > 0 && pages.every((p) => p.status === 503),
      'pages answer 503 while the database is down',
    );
    scenario.check(
      pages.every((p) => p.retryAfter !== null && Number(p.retryAfter) > 0),
      'with a Retry-After header',
    );
    scenario.check(
      pages.every((p) => (p.contentType ?? '').startsWith('text/html') && /Try again shortly/.test(p.body)),
      'and the "Try again shortly" HTML page',
    );
    scenario.check(
      actions.length > 0 &&
        actions.every(
          (p) =>
            p.status === 503 &&
            p.retryAfter !== null &&
            (p.contentType ?? '').includes('json') &&
            /try again shortly/i.test(p.body),
        ),
      'Actions answer a JSON 503 with Retry-After',
    );
    scenario.check(health.length > 0 && health.every((p) => p.status === 503), '/healthz answers 503 while down');
    scenario.check(
      statics.every((p) => p.status === 200),
      'prerendered lesson pages keep loading (200) while down',
    );
    scenario.check(
      recoveredAt > 0 && stillSamePid,
      recoveredAt > 0
        ? `/healthz is 200 again ${((recoveredAt - upAt) / 1000).toFixed(1)} s after PostgreSQL started, same process (no restart)`
        : '/healthz is 200 again after PostgreSQL started (it never was)',
    );
    scenario.check(
      afterRecovery.every((p) => p.status === 200),
      `pages and Actions answer 200 after recovery (${afterRecovery.map((p) => p.status).join(', ')})`,
    );
    const failures = runFailures(result);
    scenario.check(
      failures.length === 0,
      `every learner completed a loop, writes were acknowledged, no request went unanswered and no 4xx/5xx came outside the outage (${count5xx(result)} × 503 during it)${failures.length ? `: ${failures.join('; ')}` : ''}`,
    );
    scenario.figure(formatUnanswered(result));
    const refused = result.ledger.refusedDuringOutage;
    scenario.figure(
      `writes refused with 503 during the outage (not acknowledged): ${refused.answer} answers, ${refused.reflection} reflections, ${refused.complete} completions; of the unacknowledged, stored anyway: ${JSON.stringify(verification.unacknowledgedButStored)}`,
    );
    const acked = result.ledger.ackedWrites;
    scenario.figure(
      `acknowledged: ${acked.attempts} attempts, ${acked.completions} completions, ${acked.reflections} reflections; ${result.iterations} lessons completed in ${(result.elapsedMs / 1000).toFixed(0)} s`,
    );
    for (const line of verification.problems) console.log(`    ✗ ${line}`);
    scenario.check(
      verification.ok,
      `every acknowledged write is in the database, none twice (missing ${JSON.stringify(verification.missing)}, duplicates ${JSON.stringify(verification.duplicates)})`,
    );
    scenario.check(stopped.code === 0, `server exits cleanly afterwards (exit ${stopped.code ?? stopped.signal})`);
    if (!scenario.ok) console.log(formatReport(result));
  } finally {
    await database.drop();
  }
  return scenario;
}

function statusList(probes: Probe[]): string {
  const counts: Record<number, number> = {};
  for (const p of probes) counts[p.status] = (counts[p.status] ?? 0) + 1;
  return (
    Object.entries(counts)
      .map(([status, n]) => `${n}×${status}`)
      .join(' ') || 'none'
  );
}
