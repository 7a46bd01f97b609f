// `npm run bench`: seeds a realistic database, starts the built app, measures every
// request a learner's day makes at fixed concurrency, and prints each figure with
// its ratio to a plain node:http server returning the lesson page's bytes,
// measured in the same run on the same machine.
//
// Settings (environment):
//   DATABASE_URL        PostgreSQL database to seed and use (else PGlite in tests/.output/bench/data)
//   BENCH_DURATION      seconds per measurement (10)      BENCH_WARMUP  seconds discarded first (2)
//   BENCH_CONNECTIONS   concurrent connections (32)       BENCH_PROCESSES  app processes (1; 2+ needs DATABASE_URL)
//   BENCH_FRESH=1       start from an empty PGlite folder
//   BENCH_ONLY          comma-separated row numbers to run, e.g. "1a,4"
//   BENCH_STRICT=1      exit 1 when a target is missed
import http from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { openDatabase, migrateToLatest } from '#server/platform/db.ts';
import { testCatalog } from '../support/catalog.ts';
import { seedCore, USER_COUNT, LEARNER_COUNT } from './seed.ts';
import { measure, type LoadResult } from './load.ts';
import { root, startApp, type RunningApp } from './server.ts';
import { benchAppDir, prepareBenchApp } from './bench-app.ts';
import { spawn } from 'node:child_process';
import type { BenchModule, BenchRequest, RunContext, Scenario } from './plugin.ts';
import { cardsOfLesson } from '#lib/review-rules.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 1);
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const DATABASE_URL = process.env.DATABASE_URL || undefined;
const kind = DATABASE_URL ? 'postgres' : 'pglite';
const outDir = path.join(root, 'tests/.output/bench');
const dataDir = path.join(outDir, 'data');
mkdirSync(outDir, { recursive: true });
if (PROCESSES > 1 && !DATABASE_URL) {
  console.error("BENCH_PROCESSES > 1 needs DATABASE_URL: PGlite is one process's database.");
  process.exit(1);
}
const log = (line: string) => console.log(`· ${line}`);
// LESSON_TIME_FLOOR 0: the certificate rows complete courses in a second (docs/settings.md).
// Set before seeding: the certificate row's seed issues certificates in this process.
process.env.LESSON_TIME_FLOOR ??= '0';

// ── build, database, seed ────────────────────────────────────────────────────
prepareBenchApp(log);
if (!DATABASE_URL && process.env.BENCH_FRESH === '1') rmSync(dataDir, { recursive: true, force: true });
const catalog = testCatalog(path.join(benchAppDir, 'content'));
const lessons = catalog.courses.flatMap((course) => course.lessons);

const database = openDatabase({ url: DATABASE_URL, dataDir: path.join(dataDir, 'pglite'), poolMax: 4 });
await migrateToLatest(database.db);
const seeded = await seedCore(database.db, catalog, log);
const tables = new Set(
  (
    await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(database.db)
  ).rows.map((r) => r.table_name),
);

interface OptionalModule {
  file: string;
  labels: string[];
  feature: { files: string[]; tables: string[] };
  module?: BenchModule;
  missing?: string;
  seeded?: unknown;
}
// Rows for features being built now. Detected, not hard-coded: a row runs when the
// feature's files and tables exist and its bench module (ours, rows-*.ts) is there.
// (tests/bench/team-dashboard.ts and certificate-pdf.ts are those features' own
// stand-alone micro-benchmarks; they are not imported here.)
const optional: OptionalModule[] = [
  {
    file: 'tests/bench/rows-teams.ts',
    labels: ['5. team dashboard (500 members, 1 conn)'],
    feature: { files: ['src/server/teams/repo.ts'], tables: ['teams'] },
  },
  {
    file: 'tests/bench/rows-renewals.ts',
    labels: ['5b. team dashboard (3-course path every 12 months)', '5c. team dashboard (10,000 with renewals)'],
    feature: { files: ['src/server/teams/renewals.ts'], tables: ['course_terms'] },
  },
  {
    file: 'tests/bench/rows-certificates.ts',
    labels: ['6a. certificate PDF', '6b. verification page'],
    feature: { files: ['src/server/certificates/certificates.ts'], tables: ['certificates'] },
  },
  {
    file: 'tests/bench/rows-organisations.ts',
    labels: ['7. organisation report (10,000 learners, 300 teams, 1 conn)'],
    feature: { files: ['src/server/organisations/organisations.ts'], tables: ['organisations'] },
  },
];
for (const entry of optional) {
  const missingFeature = [
    ...entry.feature.files.filter((file) => !existsSync(path.join(root, file))),
    ...entry.feature.tables.filter((t) => !tables.has(t)).map((t) => `table ${t}`),
  ];
  if (missingFeature.length) {
    entry.missing = `missing ${missingFeature.join(', ')}`;
    continue;
  }
  if (!existsSync(path.join(root, entry.file))) {
    entry.missing = `feature present, bench module ${entry.file} not written yet`;
    continue;
  }
  const module = ((await import(pathToFileURL(path.join(root, entry.file)).href)) as { default: BenchModule }).default;
  const needFiles = module.requiresFiles.filter((file) => !existsSync(path.join(root, file)));
  const needTables = module.requiresTables.filter((table) => !tables.has(table));
  if (needFiles.length || needTables.length) {
    entry.missing = `missing ${[...needFiles, ...needTables.map((t) => `table ${t}`)].join(', ')}`;
    continue;
  }
  entry.labels = module.labels;
  entry.module = module;
  entry.seeded = await module.seed({
    db: database.db as never,
    catalog,
    users: seeded.users,
    learners: seeded.learners,
    password: 'bench quiet harbour lantern 42',
    kind,
  });
}
const counts = { ...seeded.counts };
for (const table of ['teams', 'team_members', 'team_assignments', 'certificates']) {
  if (!tables.has(table)) continue;
  const row = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(database.db);
  counts[table] = Number(row.rows[0]?.n ?? 0);
}
await database.close();
log(
  `database: ${kind}; ${Object.entries(counts)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')}`,
);

// ── app and baseline ────────────────────────────────────────────────────────
const logFile = path.join(outDir, `server-${kind}.log`);
// BENCH_APP_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=tests/.output/bench/prof") go to the app's node only (server.ts).
const appEnv = {
  DATABASE_URL,
  DATA_DIR: dataDir,
  LOG_FORMAT: 'text',
  LESSON_TIME_FLOOR: process.env.LESSON_TIME_FLOOR,
};
// memory-report.ts: the app says where its memory is when asked (SIGUSR2), read at the end.
if (PROCESSES === 1)
  process.env.BENCH_APP_NODE_ARGS = `--import=${path.join(root, 'tests/bench/memory-report.ts')} ${process.env.BENCH_APP_NODE_ARGS ?? ''}`;
const app: RunningApp = await startApp({ env: appEnv, processes: PROCESSES, logFile, appDir: benchAppDir });
const rssAtStart = app.rss().total;
log(
  `app: ${PROCESSES} process${PROCESSES > 1 ? 'es' : ''} at ${app.origin}, cold start ${Math.round(app.coldStartMs)} ms (spawn → first 200 from /healthz), RSS ${Math.round(rssAtStart / 1048576)} MB`,
);

const htmlLesson = lessons[0]!;
const htmlPath = `/courses/${htmlLesson.courseSlug}/${htmlLesson.slug}`;
// The baseline replays the lesson's bytes as they went over the wire (compressed, as
// 1a asks for them), so both answer the same request with the same bytes.
const LESSON_REQUEST_HEADERS = { 'accept-encoding': 'gzip, br' };
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}
let lessonResponse = await rawGet(app.origin + htmlPath, LESSON_REQUEST_HEADERS);
// The app compresses its static files in the background after start-up: wait for that.
for (let tries = 0; !lessonResponse.headers['content-encoding'] && tries < 50; tries++) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  lessonResponse = await rawGet(app.origin + htmlPath, LESSON_REQUEST_HEADERS);
}
if (lessonResponse.status !== 200) throw new Error(`${htmlPath} answered ${lessonResponse.status}`);
const encoding = lessonResponse.headers['content-encoding'];
const lessonBody = lessonResponse.body;
const lessonHtml = (
  encoding === 'br'
    ? zlib.brotliDecompressSync(lessonBody)
    : encoding === 'gzip'
      ? zlib.gunzipSync(lessonBody)
      : lessonBody
).toString('utf8');
const savedResponse = path.join(outDir, 'baseline-response.json');
const lessonHeaders: Record<string, string> = {};
for (const [key, value] of Object.entries(lessonResponse.headers))
  if (typeof value === 'string') lessonHeaders[key] = value;
writeFileSync(
  savedResponse,
  JSON.stringify({ status: 200, headers: lessonHeaders, body: lessonBody.toString('base64') }),
);
log(
  `lesson page for 1a and the baseline: ${lessonBody.length} bytes (${encoding ?? 'uncompressed'}), ${Buffer.byteLength(lessonHtml)} bytes of HTML`,
);

async function startBaseline(): Promise<{ origin: string; stop(): void }> {
  const child = spawn(process.execPath, [path.join(root, 'tests/bench/baseline-server.ts'), savedResponse], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(/listening (\d+)/.exec(chunk.toString())?.[1])));
    child.once('exit', (code) => reject(new Error(`baseline exited ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

// The second baseline (PostgreSQL only): node:http + pg doing the same database work for
// each personal row in as few statements as it can (pg-baseline-server.ts). It is given
// what it needs of the catalogue: each lesson's right answers, review cards and version.
const pgBaselineCatalog = path.join(outDir, 'pg-baseline-catalog.json');
writeFileSync(
  pgBaselineCatalog,
  JSON.stringify(
    Object.fromEntries(
      catalog.courses.flatMap((course) =>
        course.lessons.map((lesson) => [
          `${course.slug}/${lesson.slug}`,
          {
            version: course.version,
            correct: lesson.check.map((question) => question.options.findIndex((option) => option.correct)),
            cards: cardsOfLesson(lesson).map(({ card }) => card),
            courseLessons: course.lessons.length,
          },
        ]),
      ),
    ),
  ),
);
async function startPgBaseline(): Promise<{ origin: string; stop(): void }> {
  const child = spawn(process.execPath, [path.join(root, 'tests/bench/pg-baseline-server.ts'), pgBaselineCatalog], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, DATABASE_URL },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(/listening (\d+)/.exec(chunk.toString())?.[1])));
    child.once('exit', (code) => reject(new Error(`pg baseline exited ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

// The lesson page's static files: what its HTML links, and what those modules import.
function assetsOf(html: string): string[] {
  const found = new Set<string>();
  for (const match of html.matchAll(/(?:href|src|component-url|renderer-url)="(\/[^"]+\.(?:js|css|svg|woff2?))"/g))
    found.add(match[1]!);
  const queue = [...found].filter((p) => p.endsWith('.js'));
  while (queue.length) {
    const file = queue.shift()!;
    const full = path.join(root, 'dist/client', file);
    if (!existsSync(full)) continue;
    const text = readFileSync(full, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"(\.\/[^"]+\.js)"/g)) {
      const dep = path.posix.join(path.posix.dirname(file), match[1]!);
      if (!found.has(dep)) {
        found.add(dep);
        queue.push(dep);
      }
    }
  }
  return [...found];
}
const assets = assetsOf(lessonHtml);

// ── scenarios ───────────────────────────────────────────────────────────────
const BOUNDARY = '----RoundsBenchBoundary7MA4YWxkTrZu0gW';
function multipart(fields: Record<string, string | number>): string {
  let body = '';
  for (const [name, value] of Object.entries(fields))
    body += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return `${body}--${BOUNDARY}--\r\n`;
}
const cookie = (learner: { token: string }) => `session=${learner.token}`;
let turn = 0;
const pick = <T>(items: T[]) => items[turn++ % items.length]!;
// Learner and lesson rotate independently (coprime steps), so pairs cover the grid.
let pair = 0;
function learnerAndLesson() {
  pair += 1;
  return {
    learner: seeded.learners[(pair * 7) % seeded.learners.length]!,
    lesson: lessons[(pair * 5 + Math.floor(pair / seeded.learners.length)) % lessons.length]!,
  };
}
function action(name: string, fields: Record<string, string | number>, learner: { token: string }): BenchRequest {
  return {
    method: 'POST',
    path: `/_actions/${name}`,
    headers: {
      cookie: cookie(learner),
      origin: app.origin,
      'sec-fetch-site': 'same-origin',
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
    },
    body: multipart(fields),
  };
}
let revision = Date.now() * 1000;
// Issue 23's targets for the writes: against both baselines, and a tail at 32 connections.
const WRITE_TARGET = { minRatio: 0.08, minPgRatio: 0.5, p99Ms: 60 };
const reflectionText = 'On my next shift I will sit down for the first minute and ask what matters most today. ';

// `pg`: the row is also measured against the node:http + pg baseline (PostgreSQL only).
const core: (Scenario & { id: string; pg?: boolean })[] = [
  {
    id: '1a',
    label: '1a. lesson page HTML',
    next: () => ({ path: htmlPath, headers: { cookie: cookie(seeded.learners[0]!), ...LESSON_REQUEST_HEADERS } }),
    target: { minRatio: 0.25, p99Ms: 50 },
  },
  {
    id: '1b',
    label: `1b. lesson CSS/JS (${assets.length} files)`,
    next: () => ({ path: pick(assets), headers: { cookie: cookie(seeded.learners[0]!), ...LESSON_REQUEST_HEADERS } }),
  },
  {
    id: '1c',
    pg: true,
    label: '1c. lesson state.json',
    next: () => {
      const { learner, lesson } = learnerAndLesson();
      return {
        path: `/courses/${lesson.courseSlug}/${lesson.slug}/state.json`,
        headers: { cookie: cookie(learner), accept: 'application/json' },
      };
    },
  },
  {
    id: '1d',
    pg: true,
    label: '1d. progress.open (first view)',
    next: () => {
      const { learner, lesson } = learnerAndLesson();
      return action('progress.open', { courseSlug: lesson.courseSlug, lessonSlug: lesson.slug }, learner);
    },
  },
  {
    id: '2a',
    pg: true,
    label: '2a. answer a check question',
    next: () => {
      const { learner, lesson } = learnerAndLesson();
      const question = pair % lesson.check.length;
      return action(
        'progress.answer',
        {
          courseSlug: lesson.courseSlug,
          lessonSlug: lesson.slug,
          question,
          option: pair % lesson.check[question]!.options.length,
        },
        learner,
      );
    },
    target: WRITE_TARGET,
  },
  {
    id: '2b',
    pg: true,
    label: '2b. mark lesson complete',
    next: () => {
      const { learner, lesson } = learnerAndLesson();
      const answers: Record<string, number> = {};
      lesson.check.forEach(
        (question, index) => (answers[`q${index}`] = question.options.findIndex((option) => option.correct)),
      );
      return action(
        'progress.complete',
        { courseSlug: lesson.courseSlug, lessonSlug: lesson.slug, ...answers },
        learner,
      );
    },
    target: WRITE_TARGET,
  },
  {
    id: '3',
    pg: true,
    label: '3. save a reflection',
    next: () => {
      const { learner, lesson } = learnerAndLesson();
      revision += 1;
      return action(
        'reflections.save',
        {
          courseSlug: lesson.courseSlug,
          lessonSlug: lesson.slug,
          body: reflectionText.repeat(1 + (pair % 4)),
          revision,
        },
        learner,
      );
    },
    target: WRITE_TARGET,
  },
  {
    id: '4',
    pg: true,
    label: '4. Today',
    next: () => ({ path: '/', headers: { cookie: cookie(pick(seeded.learners)) } }),
    target: { minRatio: 0.05, p99Ms: 80 },
  },
];

interface Row {
  id: string;
  label: string;
  result?: LoadResult;
  /** The same requests against the node:http + pg baseline. */
  pg?: LoadResult;
  na?: string;
  rssAfter?: number;
  target?: Scenario['target'];
  preflight?: string;
}
const rows: Row[] = [];

async function preflight(request: BenchRequest, origin: string): Promise<string | undefined> {
  const response = await fetch(origin + request.path, {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body as string | undefined,
    redirect: 'manual',
  });
  const text = await response.text();
  if (response.status >= 200 && response.status < 300) return undefined;
  return `${response.status} ${text.slice(0, 160).replace(/\s+/g, ' ')}`;
}

async function run(id: string, scenario: Scenario, origin: string): Promise<Row> {
  const problem = await preflight(scenario.next(), origin);
  if (problem) log(`${scenario.label}: preflight answered ${problem}`);
  process.stdout.write(`· measuring ${scenario.label} … `);
  const result = await measure({
    origin,
    connections: scenario.connections ?? CONNECTIONS,
    durationSeconds: DURATION,
    warmupSeconds: WARMUP,
    request: id === '1a' || id === 'base' ? scenario.next() : scenario.next,
  });
  const row: Row = { id, label: scenario.label, result, target: scenario.target, preflight: problem };
  if (id !== 'base' && id !== 'pg') row.rssAfter = app.rss().total;
  console.log(
    `${Math.round(result.rps)} req/s, p99 ${result.p99.toFixed(1)} ms${result.errors ? `, ${result.errors} errors ${JSON.stringify(result.statuses)}` : ''}`,
  );
  return row;
}

const wanted = (id: string) => !ONLY || ONLY.includes(id) || ONLY.includes(id[0]!);
const baselineScenario: Scenario = {
  label: 'baseline: node:http, same bytes',
  next: () => ({ path: htmlPath, headers: LESSON_REQUEST_HEADERS }),
};

let baseline = await startBaseline();
const baseStart = await run('base', baselineScenario, baseline.origin);
baseline.stop();
const pgBaseline = DATABASE_URL ? await startPgBaseline() : undefined;
for (const scenario of core) {
  if (!wanted(scenario.id)) continue;
  const row = await run(scenario.id, scenario, app.origin);
  if (pgBaseline && scenario.pg)
    row.pg = (await run('pg', { ...scenario, label: `${scenario.label}, pg baseline` }, pgBaseline.origin)).result;
  rows.push(row);
}
pgBaseline?.stop();

const runContext: RunContext = { origin: app.origin, learners: seeded.learners, catalog, cookie, seeded: undefined };
for (const entry of optional) {
  if (!entry.module) {
    for (const label of entry.labels)
      rows.push({ id: label.split('.')[0]!, label, na: `n/a (not built yet: ${entry.missing})` });
    continue;
  }
  const scenarios = await entry.module.scenarios({ ...runContext, seeded: entry.seeded });
  for (const scenario of scenarios) {
    const id = scenario.label.split('.')[0]!;
    if (wanted(id)) rows.push(await run(id, scenario, app.origin));
  }
}

baseline = await startBaseline();
const baseEnd = await run('base', { ...baselineScenario, label: 'baseline (again, at the end)' }, baseline.origin);
baseline.stop();

const rssFinal = app.rss();
/** Where the app's memory is at the end (one process): V8's heap, outside it (Buffers, PGlite's WebAssembly memory), the rest. */
async function memoryBreakdown(): Promise<NodeJS.MemoryUsage | undefined> {
  if (PROCESSES !== 1) return undefined;
  // The log is appended to run after run: wait for a report line beyond those already there.
  const reports = () =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('bench-memory '));
  const before = reports().length;
  process.kill(app.pid, 'SIGUSR2');
  for (let tries = 0; tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = reports();
    if (lines.length > before) return JSON.parse(lines.at(-1)!.slice('bench-memory '.length)) as NodeJS.MemoryUsage;
  }
  return undefined;
}
const memory = await memoryBreakdown();
await app.stop();

// ── report ──────────────────────────────────────────────────────────────────
const baseRps = (baseStart.result!.rps + baseEnd.result!.rps) / 2;
const baseP50 = (baseStart.result!.p50 + baseEnd.result!.p50) / 2;
const baseP99 = (baseStart.result!.p99 + baseEnd.result!.p99) / 2;
const mb = (bytes: number) => `${Math.round(bytes / 1048576)}`;
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const ratio = (n: number, base: number) => (Number.isFinite(n) && base > 0 ? `${(n / base).toFixed(2)}×` : '—');

const header = ['', 'req/s', '×base', '×pg', 'p50 ms', '×base', 'p95 ms', 'p99 ms', '×base', 'errors', 'RSS MB'];
const table: string[][] = [];
for (const row of [baseStart, ...rows, baseEnd]) {
  if (row.na) {
    table.push([row.label, row.na]);
    continue;
  }
  const r = row.result!;
  table.push([
    row.label,
    fmt(r.rps, 0),
    ratio(r.rps, baseRps),
    row.pg ? ratio(r.rps, row.pg.rps) : '',
    fmt(r.p50),
    ratio(r.p50, baseP50),
    fmt(r.p95),
    fmt(r.p99),
    ratio(r.p99, baseP99),
    String(r.errors),
    row.rssAfter ? mb(row.rssAfter) : '',
  ]);
  if (row.pg)
    table.push([
      '   node:http + pg, same work',
      fmt(row.pg.rps, 0),
      ratio(row.pg.rps, baseRps),
      '1',
      fmt(row.pg.p50),
      ratio(row.pg.p50, baseP50),
      fmt(row.pg.p95),
      fmt(row.pg.p99),
      ratio(row.pg.p99, baseP99),
      String(row.pg.errors),
      '',
    ]);
}
const widths = header.map((h, i) =>
  Math.max(h.length, ...table.filter((r) => r.length > 2).map((r) => (r[i] ?? '').length)),
);
const line = (cells: string[]) =>
  cells.length === 2
    ? `${cells[0]!.padEnd(widths[0]!)}  ${cells[1]}`
    : cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${mb(os.totalmem())} MB, Node ${process.version}`;
const load = os
  .loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');

console.log(
  `\nRounds bench — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${kind}${PROCESSES > 1 ? `, ${PROCESSES} app processes (cluster)` : ''} — ${CONNECTIONS} connections, ${DURATION} s each (+${WARMUP} s warm-up)`,
);
console.log(
  `machine: ${machine}; load average ${load}; data: ${USER_COUNT} users, ${LEARNER_COUNT} signed in, ${Object.entries(
    counts,
  )
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')}`,
);
console.log(
  `baseline req/s: ${fmt(baseStart.result!.rps, 0)} at the start, ${fmt(baseEnd.result!.rps, 0)} at the end; ratios use the mean\n`,
);
console.log(line(header));
console.log(widths.map((w) => '─'.repeat(w)).join('  '));
for (const cells of table) console.log(line(cells));

// ── targets ─────────────────────────────────────────────────────────────────
const previousFile = path.join(outDir, `last-${kind}-${PROCESSES}p.json`);
// Only a run of the same rows, length and concurrency is comparable.
const runShape = JSON.stringify({ only: ONLY ?? null, DURATION, WARMUP, CONNECTIONS });
const previousRun = existsSync(previousFile)
  ? (JSON.parse(readFileSync(previousFile, 'utf8')) as { rssFinal: number; at: string; runShape?: string })
  : undefined;
const previous = previousRun?.runShape === runShape ? previousRun : undefined;
const checks: { what: string; ok: boolean | undefined; detail: string }[] = [];
for (const row of rows) {
  if (!row.result) continue;
  const t = row.target;
  if (!t) continue;
  const r = row.result;
  if (t.minRatio !== undefined)
    checks.push({
      what: `${row.label}: ≥ ${t.minRatio}× baseline req/s`,
      ok: r.rps / baseRps >= t.minRatio,
      detail: ratio(r.rps, baseRps),
    });
  if (t.minPgRatio !== undefined && row.pg)
    checks.push({
      what: `${row.label}: ≥ ${t.minPgRatio}× the node:http + pg baseline's req/s`,
      ok: r.rps / row.pg.rps >= t.minPgRatio,
      detail: ratio(r.rps, row.pg.rps),
    });
  if (row.pg?.errors)
    checks.push({ what: `${row.label}, pg baseline: no errors`, ok: false, detail: JSON.stringify(row.pg.statuses) });
  if (t.p99Ms !== undefined)
    checks.push({ what: `${row.label}: p99 ≤ ${t.p99Ms} ms`, ok: r.p99 <= t.p99Ms, detail: `${fmt(r.p99)} ms` });
  if (t.p95Ms !== undefined)
    checks.push({ what: `${row.label}: p95 ≤ ${t.p95Ms} ms`, ok: r.p95 <= t.p95Ms, detail: `${fmt(r.p95)} ms` });
  if (r.errors)
    checks.push({
      what: `${row.label}: no errors`,
      ok: false,
      detail: `${r.errors} ${JSON.stringify(r.statuses)}${row.preflight ? ` (preflight: ${row.preflight})` : ''}`,
    });
}
for (const row of rows) if (row.na) checks.push({ what: `${row.label}`, ok: undefined, detail: row.na });
// PGlite's database lives in the app's process, hence its higher ceiling (issue 23).
const rssLimitMb = kind === 'pglite' ? 450 : 300;
checks.push({
  what: `server RSS ≤ ${rssLimitMb} MB after the run${PROCESSES > 1 ? ' (per process)' : ''}`,
  ok: Math.max(...rssFinal.perProcess) <= rssLimitMb * 1048576,
  detail: `${rssFinal.perProcess.map(mb).join(' + ')} MB (${mb(rssAtStart)} MB after start-up)`,
});
if (previous) {
  const growth = rssFinal.total - previous.rssFinal;
  // Within 10 % (or 15 MB) of the previous run's figure counts as no growth: RSS moves with GC timing.
  checks.push({
    what: 'no RSS growth vs the previous run',
    ok: growth <= Math.max(15 * 1048576, previous.rssFinal * 0.1),
    detail: `${mb(previous.rssFinal)} → ${mb(rssFinal.total)} MB (${growth >= 0 ? '+' : ''}${mb(growth)} MB; previous run ${previous.at})`,
  });
}
if (kind === 'pglite' && PROCESSES === 1)
  checks.push({
    what: 'cold start (existing build, embedded database) ≤ 5 s',
    ok: app.coldStartMs <= 5000,
    detail: `${Math.round(app.coldStartMs)} ms`,
  });
else
  checks.push({
    what: 'cold start (informational on PostgreSQL)',
    ok: undefined,
    detail: `${Math.round(app.coldStartMs)} ms`,
  });

if (memory)
  console.log(
    `\nMemory at the end: RSS ${mb(memory.rss)} MB = V8 heap ${mb(memory.heapTotal)} MB (${mb(memory.heapUsed)} used) + outside the heap ${mb(memory.external)} MB (of which ArrayBuffers ${mb(memory.arrayBuffers)}: Buffers${kind === 'pglite' ? ", PGlite's WebAssembly memory" : ''}) + the rest ${mb(memory.rss - memory.heapTotal - memory.external)} MB (code, stacks, malloc's free lists)`,
  );
console.log('\nTargets');
for (const check of checks)
  console.log(`  ${check.ok === undefined ? '–' : check.ok ? '✓' : '✗'} ${check.what}: ${check.detail}`);

const result = {
  at: new Date().toISOString(),
  kind,
  processes: PROCESSES,
  connections: CONNECTIONS,
  durationSeconds: DURATION,
  machine,
  loadAverage: os.loadavg(),
  counts,
  coldStartMs: app.coldStartMs,
  rssAtStart,
  rssFinal: rssFinal.total,
  rssPerProcess: rssFinal.perProcess,
  memory,
  runShape,
  baseline: { start: baseStart.result, end: baseEnd.result, rps: baseRps },
  rows: rows.map((row) => ({
    id: row.id,
    label: row.label,
    na: row.na,
    ...row.result,
    ratio: row.result ? row.result.rps / baseRps : undefined,
    pgBaseline: row.pg,
    pgRatio: row.result && row.pg ? row.result.rps / row.pg.rps : undefined,
    rssAfter: row.rssAfter,
  })),
  checks,
};
const stamp = result.at.replace(/[:.]/g, '-');
writeFileSync(path.join(outDir, `bench-${kind}-${PROCESSES}p-${stamp}.json`), JSON.stringify(result, null, 2));
writeFileSync(previousFile, JSON.stringify(result, null, 2));
console.log(`\nJSON: tests/.output/bench/bench-${kind}-${PROCESSES}p-${stamp}.json`);
process.exit(checks.some((check) => check.ok === false) && process.env.BENCH_STRICT === '1' ? 1 : 0);
