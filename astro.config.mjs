// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';

export default defineConfig({
  output: 'server',
  // Our own server (bin/start.ts) wraps the adapter's handler for logging and graceful shutdown.
  adapter: node({ mode: 'standalone' }),
  integrations: [mdx(), svelte()],
  server: { port: 4321 },
  security: {
    checkOrigin: true,
    csp: true,
    // Behind a reverse proxy that sets X-Forwarded-Host, list the public host here, e.g.
    // allowedDomains: [{ hostname: 'rounds.example.org', protocol: 'https' }]
  },
  devToolbar: { enabled: false },
  vite: { build: { assetsInlineLimit: 0 } },
});
