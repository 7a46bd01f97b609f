// Starts the built app (one process, or several behind Node's cluster) and reads
// its memory. Cold start = spawn to the first 200 from /healthz.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/ports.ts';
import { startScriptFlags } from '../support/start-flags.ts';

export { freePort };
export const root = path.resolve(import.meta.dirname, '../..');

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb * 1024;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface RunningApp {
  origin: string;
  port: number;
  pid: number;
  coldStartMs: number;
  /** Resident memory of the app: the process, plus its workers under cluster. */
  rss(): { total: number; perProcess: number[] };
  stop(): Promise<void>;
}

/** `appDir`: the app to start (default: this checkout; the bench passes its own, bench-app.ts). */
export async function startApp(options: {
  env: Record<string, string | undefined>;
  processes: number;
  logFile: string;
  port?: number;
  appDir?: string;
}): Promise<RunningApp> {
  const appDir = options.appDir ?? root;
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const log = openSync(options.logFile, 'a');
  const script = options.processes > 1 ? path.join(root, 'tests/bench/cluster.ts') : path.join(appDir, 'bin/start.ts');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({
    ...process.env,
    ...options.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: origin,
    ROUNDS_PROCESSES: String(options.processes),
  })) {
    if (value !== undefined) env[key] = value;
  }
  const started = performance.now();
  // BENCH_APP_NODE_ARGS: flags for the app's node (e.g. --cpu-prof, --trace-gc), not for the runner.
  // Node flags in package.json's start script (e.g. a heap limit) apply here too, so
  // the bench runs what `npm start` runs.
  const nodeArgs = [...startScriptFlags(), ...(process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script], {
    cwd: appDir,
    env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  // Never leave an app behind when the runner dies.
  const killChild = () => {
    if (exited === null) child.kill('SIGKILL');
  };
  process.once('exit', killChild);

  let coldStartMs = NaN;
  while (performance.now() - started < 120_000) {
    if (exited !== null) throw new Error(`The app exited (${exited}) while starting; see ${options.logFile}`);
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) {
        if (Number.isNaN(coldStartMs)) coldStartMs = performance.now() - started;
        // Under cluster, wait until every worker is listening (each has its own pid).
        const healthyWorkers = options.processes > 1 ? childrenOf(child.pid!).length : 1;
        if (healthyWorkers >= options.processes) break;
      }
      await response.body?.cancel();
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (Number.isNaN(coldStartMs))
    throw new Error(`The app did not answer /healthz within 120 s; see ${options.logFile}`);
  if (options.processes > 1) await new Promise((resolve) => setTimeout(resolve, 3000)); // let every worker finish migrating and listen

  return {
    origin,
    port,
    pid: child.pid!,
    coldStartMs,
    rss() {
      const pids = options.processes > 1 ? [child.pid!, ...childrenOf(child.pid!)] : [child.pid!];
      const perProcess = pids.map(rssOf);
      return { total: perProcess.reduce((a, b) => a + b, 0), perProcess };
    },
    stop() {
      return new Promise((resolve) => {
        if (exited !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

export function buildIfNeeded(log: (line: string) => void, appDir = root): void {
  // The same rule as bin/start.ts, run here so a build never counts as cold start.
  const entry = path.join(appDir, 'dist/server/entry.mjs');
  const result = spawnSyncNode([
    '-e',
    `
    const { existsSync, readdirSync, statSync } = require('node:fs'); const path = require('node:path');
    const root = ${JSON.stringify(appDir)};
    function newest(dir) { let n = 0; for (const it of readdirSync(dir, { withFileTypes: true })) { const f = path.join(dir, it.name); n = Math.max(n, it.isDirectory() ? newest(f) : statSync(f).mtimeMs); } return n; }
    const entry = ${JSON.stringify(entry)};
    if (!existsSync(entry)) process.exit(3);
    const built = statSync(entry).mtimeMs;
    const src = Math.max(...['src','content','db','public'].map((d) => newest(path.join(root, d))), ...['astro.config.mjs','package.json'].map((f) => statSync(path.join(root, f)).mtimeMs));
    process.exit(src > built ? 3 : 0);
  `,
  ]);
  if (result === 0 && existsSync(entry)) return;
  log('building (sources are newer than dist/)…');
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: appDir,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (build.status !== 0) {
    process.stderr.write(build.stdout + build.stderr);
    throw new Error('astro build failed');
  }
}

import { spawnSync } from 'node:child_process';
function spawnSyncNode(args: string[]): number {
  return spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' }).status ?? 1;
}
