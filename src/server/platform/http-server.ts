import http from 'node:http';
import net from 'node:net';
import type { Settings } from './settings.ts';
import { serveStatic, type loadStaticFiles } from './static-files.ts';
import { loggedPath } from '#lib/logged-path.ts';
import { isScimPath, scimTooLargeBody } from '#lib/limits.ts';
import { actionNamed, bodyLimitFor, declaredTooLarge, leaveRestUnread, hasBody, readBody } from './request-body.ts';

/** The Node adapter's handler (middleware mode); `locals` become the request's `Astro.locals`. */
type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  /** Called when no on-demand route matches; without it the adapter answers its 404. */
  next?: () => void,
  locals?: Partial<App.Locals>,
) => void;

// Headers every response gets, including the build's static files (prerendered
// pages carry their CSP in a <meta>, where frame-ancestors is not allowed).
const STATIC_HEADERS: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'strict-origin-when-cross-origin'],
  ['x-frame-options', 'DENY'],
  ['content-security-policy', "frame-ancestors 'none'"],
  ['permissions-policy', 'camera=(), microphone=(), geolocation=()'],
];

/** Browsers keep to https for a year once they have seen this over https (ignored over http). */
const HSTS: [string, string] = ['strict-transport-security', 'max-age=31536000; includeSubDomains'];

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
  const headers = config.PUBLIC_URL.startsWith('https:') ? [...STATIC_HEADERS, HSTS] : STATIC_HEADERS;

  /** The build's files from memory, everything else through Astro (with the body read, below). */
  function route(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!serveStatic(staticFiles, req, res)) handler(req, res);
  }

  function tooLarge(res: http.ServerResponse, limit: number, scim = false): void {
    if (scim) {
      res.writeHead(413, { 'content-type': 'application/scim+json' });
      return void res.end(scimTooLargeBody(limit));
    }
    res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Request body too large: this address takes at most ${limit.toLocaleString('en')} bytes.`);
  }

  /**
   * A body over the route's limit is never read. An Action's call still goes to Astro, with
   * no body, so that an island gets Astro's JSON error and a page's form says what happened
   * (src/server/kernel/body-refusals.ts); anything else gets the 413 here.
   */
  function refuseBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): void {
    leaveRestUnread(req, res);
    if (actionNamed(req.url) === null) return tooLarge(res, limit, isScimPath(req.url));
    Object.assign(req, { body: Buffer.alloc(0) });
    req.headers['content-length'] = '0';
    delete req.headers['transfer-encoding'];
    // No page of its own here (e.g. a prerendered one): the 413 from here.
    handler(req, res, () => tooLarge(res, limit), { refusedBody: { limit } });
  }

  function onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const startedAt = process.hrtime.bigint();
    for (const [name, value] of headers) res.setHeader(name, value);
    // Shutting down: answer, then close the connection so the client sends nothing more on it.
    if (closing) res.shouldKeepAlive = false;
    unfinished.add(res);
    res.on('close', () => unfinished.delete(res));
    res.on('finish', () => logRequest(config.LOG_FORMAT, req, res, startedAt));
    if (!hasBody(req)) return route(req, res);
    const limit = bodyLimitFor(req.url);
    void readBody(req, limit).then((outcome) => {
      if (outcome.kind === 'too-large') refuseBody(req, res, limit);
      // The adapter takes a body already read from `req.body`.
      else if (outcome.kind === 'read') route(Object.assign(req, { body: outcome.body }), res);
    });
  }

  const server = http.createServer(onRequest);
  // `Expect: 100-continue` (curl, for bodies over 1 MB): a body over the limit is refused
  // before the client sends it.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!declaredTooLarge(req, bodyLimitFor(req.url))) res.writeContinue();
    onRequest(req, res);
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
