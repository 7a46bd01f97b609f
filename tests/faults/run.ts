// `npm run test:faults`: the built server under faults, each on a fresh database.
//   (a) PostgreSQL stopped for 10 s under load (a throwaway cluster of our own, never the shared one)
//   (b) SIGKILL mid-load, then restart — on PostgreSQL and on the embedded PGlite
//   (c) SIGTERM with requests in flight
//   (d) Chromium: a reflection typed while the database is down is saved after it returns
// Pick some with `npm run test:faults -- outage sigkill-postgres sigkill-pglite sigterm browser`.
// Needs PostgreSQL's server tools (initdb, pg_ctl; PG_BIN to point at them) and Chromium.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { testCatalog } from '../support/catalog.ts';
import { appSnapshot, root } from '../load/harness.ts';
import type { Scenario } from './checks.ts';
import { createCluster } from './pg-cluster.ts';
import { outageUnderLoad } from './outage.ts';
import { killMidLoad } from './sigkill.ts';
import { terminateInFlight } from './sigterm.ts';
import { reflectionDuringOutage } from './browser-outage.ts';

const ALL = ['outage', 'sigkill-postgres', 'sigkill-pglite', 'sigterm', 'browser'] as const;
const chosen = process.argv.slice(2).filter((arg) => (ALL as readonly string[]).includes(arg));
const selected = new Set<string>(chosen.length ? chosen : ALL);
const outDir = path.join(root, 'tests/.output/faults');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const startedAt = Date.now();
// Whatever happens, stop in bounded time.
const watchdog = setTimeout(() => {
  console.error('\n✗ test:faults ran over 9 minutes; stopping.');
  process.exit(1);
}, 9 * 60_000);

appSnapshot((line) => console.log(`· ${line}`));
const catalog = testCatalog();
const scenarios: Scenario[] = [];
const needsCluster = ['outage', 'sigkill-postgres', 'sigterm', 'browser'].some((name) => selected.has(name));
const cluster = needsCluster ? await createCluster() : undefined;
if (cluster) console.log(`· throwaway PostgreSQL cluster on 127.0.0.1:${cluster.port} (${cluster.dir})`);

try {
  if (selected.has('outage')) scenarios.push(await outageUnderLoad(cluster!, catalog, outDir));
  if (selected.has('sigkill-postgres')) scenarios.push(await killMidLoad('postgres', cluster!.url, catalog, outDir));
  if (selected.has('sigkill-pglite')) scenarios.push(await killMidLoad('pglite', undefined, catalog, outDir));
  if (selected.has('sigterm')) scenarios.push(await terminateInFlight(cluster!.url, outDir));
  if (selected.has('browser')) scenarios.push(await reflectionDuringOutage(cluster!, catalog, outDir));
} catch (error) {
  console.error(error);
  scenarios.push({ name: 'unexpected error', ok: false, results: [], figures: [] } as unknown as Scenario);
} finally {
  cluster?.remove();
}
clearTimeout(watchdog);

const failed = scenarios.filter((s) => !s.ok);
console.log(
  `\n${scenarios.length - failed.length}/${scenarios.length} fault scenarios passed in ${Math.round((Date.now() - startedAt) / 1000)} s (server logs in ${path.relative(root, outDir)}).`,
);
for (const s of failed) console.log(`  ✗ ${s.name}`);
process.exit(failed.length ? 1 : 0);
