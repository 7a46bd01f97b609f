import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

// The build's client files (prerendered lessons, hashed assets, public/) are the same
// for everyone and change only with a new build, so they are read once at start-up and
// answered from memory, compressed once. Looking each request up on disk, as the
// adapter's static handler does, cost a stat or two per request, dynamic ones included.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.svg', '.txt', '.xml', '.webmanifest']);

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  lastModified: string;
  cacheControl: string;
  /** Filled in the background after start-up; until then the file goes out uncompressed. */
  br?: Buffer;
  gzip?: Buffer;
  compressible: boolean;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

/** Request paths → files: `/a/b.css`, and a folder's index.html also as `/a` and `/a/`. */
export function loadStaticFiles(clientDir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const relative of walk(clientDir)) {
    // Dotfiles stay private, except the well-known folder.
    if (relative.split('/').some((segment) => segment.startsWith('.') && segment !== '.well-known')) continue;
    const full = path.join(clientDir, relative);
    const extension = path.extname(relative).toLowerCase();
    const body = readFileSync(full);
    const file: StaticFile = {
      body,
      type: TYPES[extension] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      lastModified: statSync(full).mtime.toUTCString(),
      // Hashed build assets never change under their name; everything else is revalidated.
      cacheControl: relative.startsWith('_astro/')
        ? 'public, max-age=31536000, immutable'
        : 'public, max-age=0, must-revalidate',
      compressible: COMPRESSIBLE.has(extension) && body.length > 1024,
    };
    files.set(`/${relative}`, file);
    if (relative === 'index.html' || relative.endsWith('/index.html')) {
      const folder = `/${relative.slice(0, -'index.html'.length)}`;
      files.set(folder, file);
      if (folder !== '/') files.set(folder.slice(0, -1), file);
    }
  }
  void compressInTurn([...new Set(files.values())].filter((file) => file.compressible));
  return files;
}

/**
 * One file at a time: queued all at once, the ~80 brotli/gzip jobs held all four of libuv's
 * threads for 2.5 s after start-up, and sign-ins (argon2 runs on the same threads) waited
 * behind them.
 */
async function compressInTurn(queue: StaticFile[]): Promise<void> {
  for (const file of queue) {
    try {
      const [br, gz] = await Promise.all([brotli(file.body), gzip(file.body, { level: 9 })]);
      file.br = br;
      file.gzip = gz;
    } catch {
      // then it keeps going out uncompressed
    }
  }
}

/** The best encoding the client accepts that we hold ("br" over "gzip"), or undefined for none. */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && (!q || Number(q.slice(2)) > 0)) accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

/** Answers GET/HEAD for a build file and returns true; returns false for anything else (the app's). */
export function serveStatic(
  files: Map<string, StaticFile>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  let pathname = query >= 0 ? url.slice(0, query) : url;
  try {
    pathname = decodeURI(pathname);
  } catch {
    return false;
  }
  const file = files.get(pathname);
  if (!file) return false;

  const encoding = file.compressible ? chooseEncoding(req.headers['accept-encoding']) : undefined;
  const compressed = encoding ? file[encoding] : undefined;
  // Each encoding is its own representation, so it has its own (strong) validator.
  const etag = compressed ? `${file.etag.slice(0, -1)}-${encoding}"` : file.etag;
  res.setHeader('content-type', file.type);
  res.setHeader('etag', etag);
  res.setHeader('last-modified', file.lastModified);
  res.setHeader('cache-control', file.cacheControl);
  if (file.compressible) res.setHeader('vary', 'Accept-Encoding');
  const ifNoneMatch = req.headers['if-none-match'];
  if (
    ifNoneMatch &&
    (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))
  ) {
    res.statusCode = 304;
    res.end();
    return true;
  }
  if (compressed) res.setHeader('content-encoding', encoding!);
  const body = compressed ?? file.body;
  res.setHeader('content-length', body.length);
  res.statusCode = 200;
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
