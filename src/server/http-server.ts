import http from 'node:http';
import net from 'node:net';
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

/** Responses not yet finished, per server; and the servers shutting down. */
const unfinished = new WeakMap<http.Server, Set<http.ServerResponse>>();
const closing = new WeakSet<http.Server>();

/** The build's files from memory (`staticFiles`), everything else through Astro (`handler`). */
export function createRoundsServer(handler: Handler, staticFiles: ReturnType<typeof loadStaticFiles>, config: Settings): http.Server {
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const startedAt = process.hrtime.bigint();
    for (const [name, value] of STATIC_HEADERS) res.setHeader(name, value);
    // Shutting down: answer, then close the connection so the client sends nothing more on it.
    if (closing.has(server)) res.shouldKeepAlive = false;
    open.add(res);
    res.on('close', () => open.delete(res));
    res.on('finish', () => logRequest(config.LOG_FORMAT, req, res, startedAt));
    if (!serveStatic(staticFiles, req, res)) handler(req, res);
  });
  unfinished.set(server, open);
  server.keepAliveTimeout = 65_000;
  return server;
}

/**
 * Shuts down without dropping a request: keeps accepting for `drainMs` (a busy process
 * may not yet have accepted connections the kernel already took, and closing the
 * listener resets those), answering with `Connection: close`; then stops listening,
 * closes idle connections once nothing is in flight, and resolves when all are closed
 * (or after `graceMs`). `http.Server#close` alone would also close, at once, a
 * connection whose request has not been read yet.
 */
export function closeGracefully(server: http.Server, graceMs = 10_000, drainMs = 1000): Promise<void> {
  closing.add(server);
  const open = unfinished.get(server) ?? new Set();
  for (const res of open) if (!res.headersSent) res.shouldKeepAlive = false;
  return new Promise((resolve) => {
    let poll: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      server.closeAllConnections();
      finish();
    }, graceMs);
    function finish() {
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }
    setTimeout(() => {
      net.Server.prototype.close.call(server, finish);
      poll = setInterval(() => {
        if (open.size === 0) server.closeIdleConnections();
      }, 50);
    }, drainMs);
  });
}
