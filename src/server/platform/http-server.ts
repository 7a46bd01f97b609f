import http from 'node:http';
import net from 'node:net';
import type { Settings } from './settings.ts';
import { serveStatic, type loadStaticFiles } from './static-files.ts';
import { loggedPath } from '#lib/logged-path.ts';

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

/** One line per request: method, path (see loggedPath), status, ms. */
function logRequest(
  format: Settings['LOG_FORMAT'],
  req: http.IncomingMessage,
  res: http.ServerResponse,
  startedAt: bigint,
): void {
  const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
  const path = loggedPath(req.url);
  if (format === 'json') {
    process.stdout.write(
      JSON.stringify({
        time: new Date().toISOString(),
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
      }) + '\n',
    );
  } else {
    process.stdout.write(`${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms\n`);
  }
}

/**
 * The build's files from memory (`staticFiles`), everything else through Astro (`handler`).
 * `close()` shuts down without dropping a request: it keeps accepting for `drainMs` (a
 * busy process may not yet have accepted connections the kernel already took, and
 * closing the listener resets those), answering with `Connection: close`; then stops
 * listening, closes idle connections once nothing is in flight, and resolves when all
 * are closed (or after `graceMs`). `http.Server#close` alone would also close, at once,
 * a connection whose request has not been read yet.
 */
export function createRoundsServer(
  handler: Handler,
  staticFiles: ReturnType<typeof loadStaticFiles>,
  config: Settings,
) {
  const unfinished = new Set<http.ServerResponse>();
  let closing = false;
  const server = http.createServer((req, res) => {
    const startedAt = process.hrtime.bigint();
    for (const [name, value] of STATIC_HEADERS) res.setHeader(name, value);
    // Shutting down: answer, then close the connection so the client sends nothing more on it.
    if (closing) res.shouldKeepAlive = false;
    unfinished.add(res);
    res.on('close', () => unfinished.delete(res));
    res.on('finish', () => logRequest(config.LOG_FORMAT, req, res, startedAt));
    if (!serveStatic(staticFiles, req, res)) handler(req, res);
  });
  server.keepAliveTimeout = 65_000;

  function close(graceMs = 10_000, drainMs = 1000): Promise<void> {
    closing = true;
    for (const res of unfinished) if (!res.headersSent) res.shouldKeepAlive = false;
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
          if (unfinished.size === 0) server.closeIdleConnections();
        }, 50);
      }, drainMs);
    });
  }
  return { server, close };
}
