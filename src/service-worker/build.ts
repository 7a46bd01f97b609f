// Builds dist/client/sw.js after `astro build`: esbuild bundles src/service-worker/worker.ts
// (with Serwist's runtime), then @serwist/build injects the precache list taken from the
// build's own output, so no file list is kept by hand (decision 0037).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { injectManifest } from '@serwist/build';
import { build } from 'esbuild';
import { OFFLINE_PAGE } from '../lib/offline.ts';

const WORKER_SOURCE = fileURLToPath(new URL('./worker.ts', import.meta.url));

export async function buildServiceWorker(clientDir: string): Promise<{ count: number; size: number }> {
  const bundled = path.join(clientDir, 'sw.bundle.js');
  await build({
    entryPoints: [WORKER_SOURCE],
    outfile: bundled,
    bundle: true,
    format: 'iife',
    minify: true,
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  try {
    const { count, size, warnings } = await injectManifest({
      swSrc: bundled,
      swDest: path.join(clientDir, 'sw.js'),
      globDirectory: clientDir,
      globPatterns: [
        '_astro/**/*.{js,css}',
        'offline/index.html',
        'manifest.webmanifest',
        'favicon.svg',
        'icons/*.{svg,png}',
      ],
      globIgnores: ['sw.bundle.js', 'sw.js'],
      // Hashed files carry their version in their name; the rest get a revision from their content.
      dontCacheBustURLsMatching: /^_astro\//,
      manifestTransforms: [
        (entries) => ({
          manifest: entries.map((entry) =>
            entry.url === 'offline/index.html' ? { ...entry, url: OFFLINE_PAGE } : { ...entry, url: `/${entry.url}` },
          ),
          warnings: [],
        }),
      ],
    });
    if (warnings.length) throw new Error(`service worker: ${warnings.join('; ')}`);
    return { count, size };
  } finally {
    rmSync(bundled, { force: true });
  }
}

/** The Astro integration: runs after every production build. */
export const serviceWorkerIntegration = {
  name: 'rounds:service-worker',
  hooks: {
    'astro:build:done': async ({ dir, logger }: { dir: URL; logger: { info(message: string): void } }) => {
      const { count, size } = await buildServiceWorker(fileURLToPath(dir));
      logger.info(`sw.js precaches ${count} files (${Math.round(size / 1024)} KB)`);
    },
  },
};
