import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chooseEncoding, loadStaticFiles, serveStatic } from '#server/platform/static-files.ts';

// The in-memory static files over a real HTTP server: what the build put in dist/client
// is answered here; everything else falls through to the app (here: a 418 marker).
let dir: string;
let server: http.Server;
let origin: string;
const lesson = `<!doctype html><title>Lesson</title>${'<p>Sit down for the first minute.</p>'.repeat(100)}`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rounds-static-'));
  mkdirSync(path.join(dir, 'courses/c/l'), { recursive: true });
  mkdirSync(path.join(dir, '_astro'));
  mkdirSync(path.join(dir, '.well-known'));
  writeFileSync(path.join(dir, 'courses/c/l/index.html'), lesson);
  writeFileSync(path.join(dir, '_astro/app.B1.css'), `body{color:#123}${' '.repeat(2000)}`);
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dir, '.env'), 'SECRET=1');
  writeFileSync(path.join(dir, '.well-known/security.txt'), 'Contact: mailto:security@example.org');
  const files = loadStaticFiles(dir);
  await new Promise((resolve) => setTimeout(resolve, 200)); // compression runs in the background
  server = http.createServer((req, res) => {
    if (!serveStatic(files, req, res)) {
      res.statusCode = 418;
      res.end('app');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function get(
  pathname: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(origin + pathname, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files from memory', () => {
  it('answers a prerendered page at its folder path, with and without the slash, and revalidates', async () => {
    for (const p of ['/courses/c/l', '/courses/c/l/', '/courses/c/l/index.html', '/courses/c/l?from=today']) {
      const reply = await get(p);
      expect(reply.status, p).toBe(200);
      expect(reply.body.toString()).toBe(lesson);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(reply.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    }
    const first = await get('/courses/c/l');
    const again = await get('/courses/c/l', { 'if-none-match': first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('sends brotli or gzip when accepted, each with its own validator, and the same bytes after decoding', async () => {
    const br = await get('/courses/c/l', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(lesson);
    expect(br.body.length).toBeLessThan(lesson.length / 5);
    const gz = await get('/courses/c/l', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(lesson);
    const plain = await get('/courses/c/l');
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3);
    expect((await get('/courses/c/l', { 'accept-encoding': 'br', 'if-none-match': plain.headers.etag! })).status).toBe(
      200,
    );
    expect((await get('/courses/c/l', { 'accept-encoding': 'br', 'if-none-match': br.headers.etag! })).status).toBe(
      304,
    );
  });

  it('marks hashed assets immutable and answers HEAD without a body', async () => {
    const css = await get('/_astro/app.B1.css', {}, 'HEAD');
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(Number(css.headers['content-length'])).toBeGreaterThan(2000);
    expect(css.body.length).toBe(0);
  });

  it('leaves everything else to the app: unknown paths, other methods, dotfiles, escapes from the folder', async () => {
    for (const p of [
      '/',
      '/courses/c',
      '/_actions/progress.complete',
      '/.env',
      '/courses/c/l/../../../.env',
      '/%2e%2e/etc/passwd',
      '/%E0%A4%A',
    ]) {
      expect((await get(p)).status, p).toBe(418);
    }
    expect((await get('/courses/c/l', {}, 'POST')).status).toBe(418);
    expect((await get('/.well-known/security.txt')).status).toBe(200);
  });

  it('reads Accept-Encoding as browsers and proxies write it', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('br;q=0, gzip;q=0.8')).toBe('gzip');
    expect(chooseEncoding('identity')).toBeUndefined();
    expect(chooseEncoding(undefined)).toBeUndefined();
  });
});
