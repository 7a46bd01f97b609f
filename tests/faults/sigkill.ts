// (b) The server killed with SIGKILL mid-load, then started again on the same database:
// it starts, the database opens and answers, and every write acknowledged before (and
// after) the kill is present.
import path from 'node:path';
import { sql } from 'kysely';
import type { Catalog } from '#lib/catalog.ts';
import { createTestDatabase, freePort, seedLearners, sleep, startServer, type ServerProcess } from '../load/harness.ts';
import {
  formatReport,
  formatUnanswered,
  LEARNER_SERVER_ENV,
  runFailures,
  runLearners,
  verifyLedger,
} from '../load/learners.ts';
import { Scenario } from './checks.ts';

const LEARNERS = Number(process.env.FAULT_LEARNERS ?? 50);
const KILL_AT_MS = 8_000;
const RUN_MS = 22_000;

export async function killMidLoad(
  kind: 'postgres' | 'pglite',
  serverUrl: string | undefined,
  catalog: Catalog,
  outDir: string,
): Promise<Scenario> {
  const scenario = new Scenario(
    `(b) SIGKILL mid-load, then restart — ${kind === 'postgres' ? 'PostgreSQL' : 'PGlite (embedded)'}`,
  );
  const database = await createTestDatabase(kind === 'postgres' ? serverUrl : undefined, 'kill');
  try {
    const seeding = await database.open();
    const learners = await seedLearners(seeding, LEARNERS, 'kill');
    await seeding.close();
    const port = await freePort();
    const logFile = path.join(outDir, `sigkill-${kind}-server.log`);
    const env = { ...database.env, ...LEARNER_SERVER_ENV };
    let server: ServerProcess = await startServer({ env, port, logFile });
    let down = false;
    const load = runLearners({
      origin: server.origin,
      learners,
      catalog,
      durationMs: RUN_MS,
      maxRequests: 200_000,
      outageExpected: () => down,
    });
    await sleep(KILL_AT_MS);
    down = true;
    server.child.kill('SIGKILL');
    const killed = await server.exited;
    scenario.check(
      killed.signal === 'SIGKILL',
      `server killed with SIGKILL at ${(KILL_AT_MS / 1000).toFixed(0)} s under load`,
    );
    const restartAt = performance.now();
    let restarted = true;
    try {
      server = await startServer({ env, port, logFile, waitMs: 90_000 });
    } catch (error) {
      restarted = false;
      scenario.check(false, `server restarts on the same database: ${(error as Error).message}`);
    }
    const restartMs = performance.now() - restartAt;
    if (restarted)
      scenario.check(
        true,
        `server restarts on the same database and answers /healthz 200 in ${(restartMs / 1000).toFixed(1)} s`,
      );
    setTimeout(() => (down = false), 1500);
    const result = await load;
    const stopped = restarted ? await server.stop() : { code: null, signal: null };

    const checking = await database.open();
    const verification = await verifyLedger(checking, result.ledger, learners);
    // Every table answers a full scan: the data files are readable after the kill.
    const tables = (
      await sql<{
        table_name: string;
      }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(
        checking.db,
      )
    ).rows;
    let scanned = 0;
    for (const { table_name } of tables) {
      await sql`select count(*) from ${sql.table(table_name)}`.execute(checking.db);
      scanned += 1;
    }
    await checking.close();

    const acked = result.ledger.ackedWrites;
    scenario.figure(
      `acknowledged: ${acked.attempts} check attempts, ${acked.completions} completions, ${acked.reflections} reflections; stored: ${JSON.stringify(verification.rows)}`,
    );
    scenario.figure(
      `${formatUnanswered(result)}; unacknowledged but stored: ${JSON.stringify(verification.unacknowledgedButStored)}`,
    );
    scenario.check(
      scanned === tables.length && scanned > 0,
      `the database opens and all ${tables.length} tables scan after the kill`,
    );
    for (const line of verification.problems) console.log(`    ✗ ${line}`);
    scenario.check(
      verification.ok,
      `every acknowledged write is present, none twice (missing ${JSON.stringify(verification.missing)}, duplicates ${JSON.stringify(verification.duplicates)})`,
    );
    // Requests cut by the kill and refused while the server was down are explained; any other
    // missing answer, any 4xx/5xx, or a learner that never got through a loop is not.
    const failures = runFailures(result);
    scenario.check(
      failures.length === 0,
      `every learner completed a loop, writes were acknowledged, and apart from the kill every request was answered without a 4xx/5xx${failures.length ? `: ${failures.join('; ')}` : ''}`,
    );
    scenario.check(
      stopped.code === 0,
      `restarted server exits cleanly on SIGTERM (exit ${stopped.code ?? stopped.signal})`,
    );
    if (!scenario.ok) console.log(formatReport(result));
  } finally {
    await database.drop();
  }
  return scenario;
}
