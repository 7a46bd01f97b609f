// `npm run loadtest`: 200 virtual learners for 60 s against the built server, then
// a comparison of every acknowledged write with the database.
//
//   LOAD_USERS (200)  LOAD_SECONDS (60)  LOAD_MAX_REQUESTS (400000)
//   DATABASE_URL      a PostgreSQL server: a fresh database is created on it (and dropped)
//                     unset: a fresh embedded PGlite in a temporary folder
//
// Loopback only; bounded by time (LOAD_SECONDS + 20 s hard stop) and by request count.
// Exits non-zero on any acknowledged write missing, any duplicate, any 5xx or 4xx, any
// request left without an answer (30 s timeout, connection error) other than those cut
// by the hard stop, any learner that never completed a full loop, or nothing acknowledged.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { testCatalog } from '../support/catalog.ts';
import { appSnapshot, createTestDatabase, root, seedLearners, startServer } from './harness.ts';
import {
  count5xx,
  formatReport,
  formatUnanswered,
  LEARNER_SERVER_ENV,
  runFailures,
  runLearners,
  verifyLedger,
} from './learners.ts';

const USERS = Number(process.env.LOAD_USERS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const MAX_REQUESTS = Number(process.env.LOAD_MAX_REQUESTS ?? 400_000);
const serverUrl = process.env.DATABASE_URL || undefined;
const log = (line: string) => console.log(`· ${line}`);

const outDir = path.join(root, 'tests/.output/load');
mkdirSync(outDir, { recursive: true });
const logFile = path.join(outDir, `server-${Date.now()}.log`);

appSnapshot(log);
const catalog = testCatalog();
const database = await createTestDatabase(serverUrl, 'load');
let exitCode: number;
try {
  log(
    `database: ${database.kind === 'postgres' ? 'fresh PostgreSQL database' : `fresh PGlite in ${database.env.DATA_DIR}`}`,
  );
  const seeding = await database.open();
  const learners = await seedLearners(seeding, USERS);
  await seeding.close();
  log(`seeded ${learners.length} learners`);

  const server = await startServer({ env: { ...database.env, ...LEARNER_SERVER_ENV }, logFile });
  log(`server ${server.origin} (pid ${server.child.pid}, log ${path.relative(root, logFile)})`);
  log(`${USERS} learners for ${SECONDS} s (at most ${MAX_REQUESTS} requests)…`);
  const result = await runLearners({
    origin: server.origin,
    learners,
    catalog,
    durationMs: SECONDS * 1000,
    maxRequests: MAX_REQUESTS,
  });
  const stopped = await server.stop();
  log(`server stopped (exit ${stopped.code ?? stopped.signal})`);

  const checking = await database.open();
  const verification = await verifyLedger(checking, result.ledger, learners);
  await checking.close();

  console.log(
    `\nLoad test on ${database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'}: ${USERS} learners, ${SECONDS} s\n`,
  );
  console.log(formatReport(result));
  const acked = result.ledger.ackedWrites;
  console.log(
    `\nAcknowledged writes: ${acked.attempts} check attempts, ${acked.completions} completions, ${acked.reflections} reflections (newest per lesson).`,
  );
  console.log(
    `Database holds:      ${verification.rows.attempts} check attempts, ${verification.rows.completions} completions, ${verification.rows.reflections} reflections.`,
  );
  console.log(
    `Missing: ${JSON.stringify(verification.missing)}  Duplicates: ${JSON.stringify(verification.duplicates)}`,
  );
  for (const problem of verification.problems) console.log(`  ✗ ${problem}`);
  const fiveHundreds = count5xx(result);
  // Nothing is excused here but the script's own hard stop: a request that waited 30 s
  // for an answer, or lost its connection, is a failure even though it was not acknowledged.
  const failures = runFailures(result);
  if (!verification.ok) failures.push('acknowledged writes missing or duplicated');
  if (fiveHundreds > 0) failures.push(`${fiveHundreds} × 5xx`);
  if (stopped.code !== 0) failures.push(`server exit ${stopped.code ?? stopped.signal}`);
  console.log(`\n${formatUnanswered(result)}`);
  const loops = result.loopsPerLearner;
  console.log(
    `Full loops per learner: min ${Math.min(...loops)}, median ${[...loops].sort((a, b) => a - b)[Math.floor(loops.length / 2)]}, max ${Math.max(...loops)}.`,
  );
  const failed = failures.length > 0;
  console.log(
    failed
      ? `\n✗ FAILED:\n${failures.map((line) => `  - ${line}`).join('\n')}`
      : '\n✓ Every request answered, every learner completed a loop, nothing lost, nothing duplicated, no unexpected 4xx/5xx.',
  );
  exitCode = failed ? 1 : 0;
} finally {
  await database.drop();
}
process.exit(exitCode);
