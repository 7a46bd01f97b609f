import http from 'node:http';
import type { Settings } from './settings.ts';
import { serveStatic, type loadStaticFiles } from './static-files.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

// Headers every response gets, including the build's static files (prerendered
// pages carry their CSP in a <meta>, where frame-ancestors is not allowed).
const STATIC_HEADERS: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'strict-origin-when-cross-origin'],
  ['x-frame-options', 'DENY'],
  ['content-security-policy', "frame-ancestors 'none'"],
  ['permissions-policy', 'camera=(), microphone=(), geolocation=()'],
];

/** One line per request: method, path (never the query, which may hold a token), status, ms. */
function logRequest(format: Settings['LOG_FORMAT'], req: http.IncomingMessage, res: http.ServerResponse, startedAt: bigint): void {
  const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
  const path = (req.url ?? '/').split('?')[0];
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ time: new Date().toISOString(), method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }) + '\n');
  } else {
    process.stdout.write(`${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms\n`);
  }
}

/** The build's files from memory (`staticFiles`), everything else through Astro (`handler`). */
export function createRoundsServer(handler: Handler, staticFiles: ReturnType<typeof loadStaticFiles>, config: Settings): http.Server {
  const server = http.createServer((req, res) => {
    const startedAt = process.hrtime.bigint();
    for (const [name, value] of STATIC_HEADERS) res.setHeader(name, value);
    res.on('finish', () => logRequest(config.LOG_FORMAT, req, res, startedAt));
    if (!serveStatic(staticFiles, req, res)) handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

/** Stops accepting, lets in-flight requests finish (up to `graceMs`), then resolves. */
export function closeGracefully(server: http.Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive sockets turn idle as their last response finishes; close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 200);
    const timer = setTimeout(() => {
      server.closeAllConnections();
      finish();
    }, graceMs);
    function finish() {
      clearInterval(sweep);
      clearTimeout(timer);
      resolve();
    }
    server.close(finish);
    server.closeIdleConnections();
  });
}
