// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import { createHash } from 'node:crypto';
import { loadCurriculum } from './src/lib/content-files.ts';
import { SIGNED_IN_HINT_SCRIPT } from './src/lib/signed-in-hint.ts';
import { serviceWorkerIntegration } from './src/service-worker/build.ts';

/** Fails the build (and dev) with file and field when the curriculum breaks a rule. */
const curriculumCheck = {
  name: 'rounds:curriculum-check',
  hooks: {
    'astro:config:setup': () => {
      loadCurriculum('content');
    },
  },
};

export default defineConfig({
  output: 'server',
  // Our own server (bin/start.ts) wraps the adapter's handler for logging, graceful shutdown
  // and the build's static files, which it serves from memory (src/server/platform/static-files.ts).
  adapter: node({ mode: 'middleware' }),
  // discloseVersion: off, so lesson pages do not load a module that only announces Svelte's version.
  integrations: [
    curriculumCheck,
    mdx(),
    svelte({ compilerOptions: { discloseVersion: false } }),
    // Writes dist/client/sw.js after the build (decision 0037).
    serviceWorkerIntegration,
  ],
  server: { port: 4321 },
  security: {
    // Cross-site writes are refused by our middleware (src/middleware.ts), for every content
    // type; Astro's own check would also refuse a mail app's one-click unsubscribe (RFC 8058),
    // which is a POST without an Origin header from outside any browser.
    checkOrigin: false,
    // Astro hashes the scripts it bundles; an `is:inline` script must be allowed by its own hash.
    csp: {
      // Beyond scripts and styles: nothing from elsewhere, no plugins, no <base> that moves
      // relative URLs, and forms post only here; the service worker and the web app manifest
      // come only from here (named, as a <meta> policy's script hashes would otherwise govern
      // the worker). (frame-ancestors cannot go in a <meta>: the
      // HTTP server and src/middleware.ts send it as a header.)
      directives: [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
      ],
      scriptDirective: { hashes: [`sha256-${createHash('sha256').update(SIGNED_IN_HINT_SCRIPT).digest('base64')}`] },
    },
  },
  devToolbar: { enabled: false },
  markdown: { syntaxHighlight: false },
  vite: { build: { assetsInlineLimit: 0 } },
});
