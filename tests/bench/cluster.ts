// Several Rounds app processes on one port with Node's cluster module: the primary
// accepts connections and hands them to the workers round-robin; each worker is an
// ordinary `npm start` (bin/start.ts). Sessions, throttles and everything else live
// in PostgreSQL, so no stickiness is needed. (PGlite is one process's database:
// more than one process needs DATABASE_URL.)
// Usage: DATABASE_URL=postgres://… ROUNDS_PROCESSES=2 node tests/bench/cluster.ts
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const count = Number(process.env.ROUNDS_PROCESSES ?? 2);
if (!process.env.DATABASE_URL && count > 1) {
  console.error('More than one app process needs a shared PostgreSQL database: set DATABASE_URL.');
  process.exit(1);
}

cluster.schedulingPolicy = cluster.SCHED_RR;
// The app in the working directory (the bench starts its own build there), else this checkout's.
const appDir = existsSync(path.join(process.cwd(), 'bin/start.ts')) ? process.cwd() : root;
cluster.setupPrimary({ exec: path.join(appDir, 'bin/start.ts') });
let stopping = false;
for (let i = 0; i < count; i += 1) cluster.fork();
cluster.on('exit', (worker, code, signal) => {
  if (stopping) return;
  console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
  cluster.fork();
});

function stop(): void {
  if (stopping) return;
  stopping = true;
  const workers = Object.values(cluster.workers ?? {});
  let left = workers.length;
  if (left === 0) process.exit(0);
  for (const worker of workers) {
    worker?.once('exit', () => {
      left -= 1;
      if (left === 0) process.exit(0);
    });
    worker?.process.kill('SIGTERM');
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
