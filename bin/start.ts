// `npm start`: build when the sources are newer than the build, migrate, serve.
import { fileCatalog } from '#server/kernel/file-catalog.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseSettings, SettingsError } from '#server/platform/settings.ts';
import { appDatabase, closeAppDatabase } from '#server/platform/db.ts';
import { createRoundsServer } from '#server/platform/http-server.ts';
import { loadStaticFiles } from '#server/platform/static-files.ts';
import { runJobs, scheduleJobs } from '#server/platform/jobs.ts';

import { signingKey } from '#server/certificates/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

let config;
try {
  config = parseSettings(process.env);
} catch (error) {
  if (error instanceof SettingsError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const entry = path.join(root, 'dist/server/entry.mjs');

function newestSource(dir: string): number {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    newest = Math.max(newest, item.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function needsBuild(): boolean {
  if (!existsSync(entry)) return true;
  const built = statSync(entry).mtimeMs;
  const sources = ['src', 'content', 'db', 'public'].map((d) => newestSource(path.join(root, d)));
  const files = ['astro.config.mjs', 'package.json'].map((f) => statSync(path.join(root, f)).mtimeMs);
  return Math.max(...sources, ...files) > built;
}

if (process.env.ROUNDS_SKIP_BUILD !== '1' && needsBuild()) {
  console.log('Building Rounds (first start or changed sources)…');
  const build = spawnSync(process.execPath, [path.join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const database = await appDatabase();
// The key that signs certificate credentials: made and stored on the first start.
await signingKey(database.db);
console.log(
  `Database ready (${database.kind === 'pglite' ? `embedded PGlite in ${path.join(config.DATA_DIR, 'pglite')}` : 'PostgreSQL'})`,
);

// The adapter runs in middleware mode: its handler renders; the build's files are ours to serve.
const { handler } = (await import(pathToFileURL(entry).href)) as { handler: Parameters<typeof createRoundsServer>[0] };
const { server, close } = createRoundsServer(handler, loadStaticFiles(path.join(root, 'dist/client')), config);

server.listen(config.PORT, config.HOST, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  console.log(`Rounds is running at http://${host}:${port} (public URL ${config.PUBLIC_URL})`);
});

// Team reminders and event nudges, every minute, in this process (durable: the state is in the database).
const jobCatalog = fileCatalog();
const jobs = scheduleJobs(() => runJobs(database.db, jobCatalog));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  jobs.stop();
  console.log(`${signal} received: finishing requests in flight, then closing the database…`);
  await close();
  await closeAppDatabase();
  console.log('Rounds stopped cleanly.');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
