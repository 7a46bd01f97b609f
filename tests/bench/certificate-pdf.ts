// `node tests/bench/certificate-pdf.ts`: renders 1,000 certificates with varied names after a
// warm-up (fonts cached), prints latency, size and memory, and exits 1 when p95 > 100 ms,
// when the heap grows more than 20 MB between the 250th and the 1,000th PDF, or when the RSS
// (what the operating system sees: heap, buffers, code and the allocator's slack) grows more
// than 16 MB over the second half. The RSS climbs for the first few hundred PDFs while the
// allocator settles (about 155 → 273 MB here), then stays flat; a leak keeps climbing.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderCertificatePdf, type CertificatePdfInput } from '#server/certificates/pdf.ts';

// Forced collections make the heap figures comparable; re-run ourselves with --expose-gc.
if (typeof globalThis.gc !== 'function' && !process.execArgv.includes('--expose-gc')) {
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}

const COUNT = Number(process.env.CERT_BENCH_COUNT ?? 1000);
const WARMUP = 30;
const CHECKPOINT_EVERY = 250;
const P95_LIMIT_MS = 100;
const HEAP_GROWTH_LIMIT_MB = 20;
const RSS_GROWTH_LIMIT_MB = 16;

const names = [
  'Nguyễn Thị Ánh',
  'Zoë Ødegaard',
  'Łukasz Żółć',
  'Ἀλέξανδρος',
  'Юлия',
  'José Álvarez',
  'Maria-Fernanda de los Ángeles Castañeda-Villalobos',
  'Siobhán Ní Bhriain',
];
const courses = [
  'Safe medication handover at shift change',
  'Hand hygiene: the five moments',
  'Recognising and responding to the deteriorating patient in community and residential aged care',
];
const statement =
  'Northside Community Health is approved as a provider of nursing continuing professional development by the State Nurses Association. This enduring material has been approved for 0.5 contact hours.';

function input(i: number): CertificatePdfInput {
  return {
    holderName: `${names[i % names.length]} ${i}`,
    courseTitle: courses[i % courses.length]!,
    completedOn: new Date(Date.UTC(2026, i % 12, (i % 28) + 1)),
    contactHours: (i % 4) * 0.25 + 0.5,
    certificateCode: `RND-${i.toString(36).toUpperCase().padStart(4, '0')}-2M9X`,
    verifyUrl: `https://rounds.example.org/certificates/c_${i.toString(36).padStart(16, 'x')}`,
    issuedAt: new Date(Date.UTC(2026, i % 12, (i % 28) + 1, 10)),
    expiresAt: i % 3 === 0 ? new Date(Date.UTC(2028, 0, 1)) : null,
    providerName: 'Northside Community Health — Clinical Education',
    providerAddress: '12 Harbour Street, Suite 400, Portland, OR 97204, USA',
    accreditationStatement: i % 2 === 0 ? statement : '',
    status: i % 50 === 0 ? 'revoked' : 'valid',
  };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
function memory(label: string) {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { label, rss, heapUsed };
}

for (let i = 0; i < WARMUP; i++) await renderCertificatePdf(input(i));

const snapshots = [memory('after warm-up')];
const times: number[] = [];
const cpuTimes: number[] = []; // this process's CPU time: tells a slow renderer from a busy machine
const sizes: number[] = [];
for (let i = 1; i <= COUNT; i++) {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const pdf = await renderCertificatePdf(input(i));
  times.push(performance.now() - started);
  const { user, system } = process.cpuUsage(cpu);
  cpuTimes.push((user + system) / 1000);
  sizes.push(pdf.byteLength);
  if (i % CHECKPOINT_EVERY === 0) snapshots.push(memory(`after ${i}`));
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => +sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(1);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { count: values.length, mean: +mean.toFixed(1), p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}
const latency = summary(times);
const p95 = latency.p95;

// Wall time suffers when other work shares the CPUs; the load average says how much it did.
const load = os
  .loadavg()
  .map((value) => value.toFixed(1))
  .join(' / ');
console.log(
  `\nCertificate PDF benchmark — Node ${process.version}, ${COUNT} PDFs after ${WARMUP} warm-up, ${os.availableParallelism()} CPUs, load average ${load}`,
);
console.table({ 'wall time (ms)': latency, 'CPU time (ms)': summary(cpuTimes) });
console.log(
  `PDF size: mean ${Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length)} B, min ${Math.min(...sizes)} B, max ${Math.max(...sizes)} B`,
);
console.table(
  Object.fromEntries(snapshots.map((s) => [s.label, { 'RSS (MB)': +mb(s.rss), 'heap used (MB)': +mb(s.heapUsed) }])),
);

const at250 = snapshots.find((s) => s.label === `after ${CHECKPOINT_EVERY}`);
const last = snapshots.at(-1)!;
const half = snapshots.find((s) => s.label === `after ${COUNT / 2}`);
const growthMb = (from: (typeof snapshots)[number] | undefined, pick: (s: (typeof snapshots)[number]) => number) =>
  from ? (pick(last) - pick(from)) / 1024 / 1024 : 0;
const growth = growthMb(at250, (s) => s.heapUsed);
const rssGrowth = growthMb(half, (s) => s.rss);
const failures = [
  p95 > P95_LIMIT_MS && `p95 ${p95.toFixed(1)} ms is over ${P95_LIMIT_MS} ms`,
  growth > HEAP_GROWTH_LIMIT_MB &&
    `heap grew ${growth.toFixed(1)} MB between the ${CHECKPOINT_EVERY}th and the ${COUNT}th PDF (limit ${HEAP_GROWTH_LIMIT_MB} MB)`,
  rssGrowth > RSS_GROWTH_LIMIT_MB &&
    `RSS grew ${rssGrowth.toFixed(1)} MB between the ${COUNT / 2}th and the ${COUNT}th PDF (limit ${RSS_GROWTH_LIMIT_MB} MB)`,
].filter(Boolean);
console.log(
  `Heap growth ${at250?.label ?? '-'} → ${last.label}: ${growth.toFixed(1)} MB. RSS: ${growthMb(at250, (s) => s.rss).toFixed(1)} MB ${at250?.label ?? '-'} → ${last.label}, steady state ${rssGrowth.toFixed(1)} MB ${half?.label ?? '-'} → ${last.label}.`,
);
if (failures.length > 0) {
  console.error(`FAIL: ${failures.join('; ')}`);
  process.exit(1);
}
console.log(`PASS: p95 ≤ ${P95_LIMIT_MS} ms, heap and RSS steady`);
