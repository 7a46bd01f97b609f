// The HTTP server reads every request body itself, up to the limit for its route, before
// anything else sees it: a body over the limit is refused unread, however it is sent
// (Content-Length checked up front, a chunked body counted as it streams), so one request
// can hold at most that much memory. The limits are in src/lib/limits.ts.
import type http from 'node:http';
import { bodyMaxFor, isScimPath, SCIM_BODY_MAX } from '#lib/limits.ts';

/**
 * After refusing a body, how long the connection stays open once the answer is out.
 * Nothing more is read (TCP holds the client back; reading the rest only to drop it cost
 * ~30 MB of garbage buffers over 300 refused 100 MB bodies), and the answer says
 * `Connection: close`, so the connection cannot be reused. Closing it at once, with the
 * body still arriving, would reset it, and a client that had not read the answer yet
 * would lose it.
 */
const LINGER_MS = 2000;

export type BodyOutcome = { kind: 'read'; body: Buffer } | { kind: 'too-large' } | { kind: 'gone' };

/** The Action a request names, as Astro reads it: `/_actions/<name>`, or a page form's `?_action=<name>`. */
export function actionNamed(url: string | undefined): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
  if (parsed.pathname.startsWith('/_actions/')) return parsed.pathname.slice('/_actions/'.length);
  return parsed.searchParams.get('_action');
}

/** The most bytes this request may send (src/lib/limits.ts). */
export function bodyLimitFor(url: string | undefined): number {
  return isScimPath(url) ? SCIM_BODY_MAX : bodyMaxFor(actionNamed(url));
}

/** Whether a body follows the headers (Node reads none without Content-Length or Transfer-Encoding). */
export function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Whether the declared Content-Length alone is over `limit` (known before any byte is read). */
export function declaredTooLarge(req: http.IncomingMessage, limit: number): boolean {
  return Number(req.headers['content-length'] ?? 0) > limit;
}

/** Reads the whole body if it is at most `limit` bytes; stops counting at the first byte over. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<BodyOutcome> {
  if (declaredTooLarge(req, limit)) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (outcome: BodyOutcome) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onGone);
      req.off('error', onGone);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done({ kind: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => done({ kind: 'read', body: Buffer.concat(chunks, size) });
    const onGone = () => done({ kind: 'gone' });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onGone);
    req.once('error', onGone);
  });
}

/** Reads no more of a refused body; the answer closes the connection, LINGER_MS after it went out. */
export function leaveRestUnread(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.pause();
  // Counts as reading it ourselves: Node would otherwise read the rest, to drop it, after the answer.
  req.read(0);
  res.shouldKeepAlive = false;
  // Node ends and closes a `Connection: close` socket as soon as the answer is out: end it
  // then (the client sees the answer is complete), close it later.
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}
