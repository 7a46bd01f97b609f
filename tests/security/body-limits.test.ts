// One request must not be able to exhaust the server's memory (issue 15): a 100 MB body —
// declared with Content-Length, or streamed chunked with no length — sent to every route
// that could take one (every Action, every page form's `?_action=`, and every page and
// endpoint in src/pages, discovered from the source as tests/security/support.ts does) is
// refused with a 413 within a second, unread, and the server's resident memory grows by
// less than 50 MB (half a refused body) more than the same requests with small bodies. A page's form says why; an island's call gets Astro's JSON error.
//
// A server of its own (a fresh database), so that nothing else it does moves its memory.
// The same requests go first with bodies just over each limit: a page's first render loads
// its code, which is not what is measured; a second such pass is the control (the requests
// alone grow the heap by some 30 MB, whatever their bodies).
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import { createTestDatabase, root, startServer, type ServerProcess, type TestDatabase } from '../load/harness.ts';
import { discoverActions, discoverRoutes, fillRoute, FORM, http, signUp } from './support.ts';
import { REFLECTION_BODY_MAX, REFLECTION_MAX, reflectionTooLongMessage } from '#lib/limits.ts';

const MB = 1024 * 1024;
const OFFERED = 100 * MB;
const catalog = testCatalog();
const course = catalog.courses[0]!;
const lesson = course.lessons[0]!;
const TOO_LONG = 'Too long to send';

interface Target {
  label: string;
  path: string;
  kind: 'action' | 'form' | 'route';
}

function targets(): Target[] {
  const fill = (pattern: string) => fillRoute(pattern, { course: course.slug, lesson: lesson.slug });
  const routes = discoverRoutes();
  return [
    ...discoverActions().map((a): Target => ({
      label: `Action ${a.name}`,
      path: `/_actions/${a.name}`,
      kind: 'action',
    })),
    // A prerendered page takes no form: it answers the bare 413, as any other address does.
    ...routes.flatMap((r) =>
      r.formActions.map((name): Target => ({
        label: `form ${r.pattern} ${name}`,
        path: `${fill(r.pattern)}?_action=${name}`,
        kind: r.prerendered ? 'route' : 'form',
      })),
    ),
    ...routes.map((r): Target => ({ label: `route ${r.pattern}`, path: fill(r.pattern), kind: 'route' })),
  ];
}

interface Answer {
  status: number;
  /** From connecting to the status line. */
  ms: number;
  /** Body bytes written before the answer came. */
  sent: number;
  contentType: string;
  text: string;
}

/**
 * POSTs a body of `size` bytes ("name=aaaa…") over a raw socket, writing as fast as the
 * server takes it, and stops writing once the answer begins. `chunked` sends it with no
 * length, in 64 KB chunks; with `expectContinue`, only once the server says `100 Continue`.
 */
function offer(
  port: number,
  target: string,
  size: number,
  chunked: boolean,
  cookie?: string,
  expectContinue = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    const piece = Buffer.alloc(64 * 1024, 'a');
    piece.write('name=');
    let sent = 0;
    let raw = Buffer.alloc(0);
    let statusAt = 0;
    const head = [
      `POST ${target} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Origin: http://127.0.0.1:${port}`,
      `Content-Type: ${FORM}`,
      'Accept: text/html',
      chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`,
      ...(cookie ? [`Cookie: ${cookie}`] : []),
      // The client waits for `100 Continue` before it sends the body (curl does for over 1 MB).
      ...(expectContinue ? ['Expect: 100-continue'] : []),
      '',
      '',
    ].join('\r\n');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${target}: no complete answer in 20 s (${sent} bytes sent)`));
    }, 20_000);

    const pump = () => {
      while (!statusAt && sent < size) {
        const chunk = piece.subarray(0, Math.min(piece.length, size - sent));
        sent += chunk.length;
        const data = chunked
          ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
          : chunk;
        if (!socket.write(data)) return void socket.once('drain', pump);
      }
      if (!statusAt && chunked) socket.write('0\r\n\r\n');
    };
    socket.once('connect', () => {
      socket.write(head);
      if (!expectContinue) pump();
    });
    socket.on('error', (error) => {
      // A reset after the whole answer arrived is the server cutting a body we kept sending.
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`${target}: ${error.message} before a complete answer (${sent} bytes sent)`));
      }
    });
    socket.on('close', () => {
      if (!finish(true)) {
        clearTimeout(timer);
        reject(new Error(`${target}: connection closed before a complete answer (${sent} bytes sent)`));
      }
    });
    socket.on('data', (data: Buffer) => {
      raw = Buffer.concat([raw, data]);
      if (!statusAt && /^HTTP\/1\.1 \d{3}/.test(raw.toString('latin1', 0, 12))) statusAt = performance.now() - started;
      if (expectContinue && /^HTTP\/1\.1 100/.test(raw.toString('latin1', 0, 12))) {
        raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
        statusAt = 0;
        return pump();
      }
      if (finish()) socket.destroy();
    });

    /** Resolves once the whole answer is in; false while it is not. */
    function finish(closed = false): boolean {
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const headers = raw.toString('latin1', 0, end);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]);
      const length = /\r\ncontent-length: *(\d+)/i.exec(headers)?.[1];
      let body = raw.subarray(end + 4);
      if (/\r\ntransfer-encoding: *chunked/i.test(headers)) {
        const parts: Buffer[] = [];
        let at = 0;
        for (;;) {
          const line = body.indexOf('\r\n', at);
          if (line < 0) return false;
          const n = parseInt(body.toString('latin1', at, line), 16);
          if (n === 0) break;
          if (body.length < line + 2 + n + 2) return false;
          parts.push(body.subarray(line + 2, line + 2 + n));
          at = line + 2 + n + 2;
        }
        body = Buffer.concat(parts);
      } else if (length !== undefined) {
        if (body.length < Number(length)) return false;
      } else if (!closed) return false;
      clearTimeout(timer);
      resolve({
        status,
        ms: statusAt,
        sent,
        contentType: /\r\ncontent-type: *([^\r]*)/i.exec(headers)?.[1] ?? '',
        text: body.toString('utf8'),
      });
      return true;
    }
  });
}

/** The server's resident memory, from /proc (Linux). */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

let database: TestDatabase;
let server: ServerProcess;
let port: number;
beforeAll(async () => {
  database = await createTestDatabase(process.env.DATABASE_URL, 'bodies');
  server = await startServer({
    env: database.env,
    logFile: path.join(root, 'tests/.output/security/body-limits-server.log'),
  });
  port = server.port;
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('a 100 MB body is refused at once, unread, on every route', () => {
  const all = targets();

  it('finds the routes (Actions, page forms, pages and endpoints)', () => {
    expect(all.filter((t) => t.kind === 'action').length).toBeGreaterThan(10);
    expect(all.filter((t) => t.kind === 'form').length).toBeGreaterThan(10);
    expect(all.filter((t) => t.kind === 'route').length).toBeGreaterThan(20);
  });

  it('413 within a second for each, with Content-Length and chunked; memory grows < 50 MB beyond small bodies', async () => {
    const pid = server.child.pid!;
    /** How far the server's RSS rose above where it was while `work` ran, in MB. */
    const growthDuring = async (work: () => Promise<void>) => {
      const before = rssOf(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
      try {
        await work();
      } finally {
        clearInterval(sampler);
      }
      return { before: before / MB, peak: peak / MB, grew: (peak - before) / MB };
    };
    const justOver = async () => {
      for (const chunked of [false, true])
        for (const target of all) await offer(port, target.path, REFLECTION_BODY_MAX + 1, chunked);
    };
    await justOver();
    const control = await growthDuring(justOver);

    const slowest = { ms: 0, what: '' };
    let mostSent = 0;
    const refused = await growthDuring(async () => {
      for (const chunked of [false, true]) {
        for (const target of all) {
          const what = `${target.label} (${chunked ? 'chunked' : 'Content-Length'})`;
          const answer = await offer(port, target.path, OFFERED, chunked);
          expect(answer.status, `${what}: ${answer.text.slice(0, 200)}`).toBe(413);
          expect(answer.ms, what).toBeLessThan(1000);
          if (answer.ms > slowest.ms) Object.assign(slowest, { ms: answer.ms, what });
          mostSent = Math.max(mostSent, answer.sent);
          // Said in words; nothing sent comes back.
          expect(answer.text, what).toMatch(target.kind === 'route' ? /too large/i : TOO_LONG);
          expect(answer.text.length, what).toBeLessThan(100_000);
          expect(answer.text, what).not.toContain('a'.repeat(1000));
          if (target.kind === 'action') expect(JSON.parse(answer.text).code, what).toBe('CONTENT_TOO_LARGE');
        }
      }
      // With `Expect: 100-continue`, refused before the client sends any of it.
      for (const target of ['/signup?_action=accounts.signUp', '/_actions/accounts.signUp', '/healthz']) {
        const answer = await offer(port, target, OFFERED, false, undefined, true);
        expect(answer.status, target).toBe(413);
        expect(answer.sent, target).toBe(0);
      }
      // Six at once, as in the report.
      const burst = await Promise.all(
        Array.from({ length: 6 }, (_, i) => offer(port, '/signup?_action=accounts.signUp', OFFERED, i % 2 === 1)),
      );
      for (const answer of burst) expect(answer.status).toBe(413);
    });
    const mb = (n: number) => n.toFixed(1);
    console.log(
      `[body limits] ${all.length * 2 + 9} refusals of ${OFFERED / MB} MB: RSS ${mb(refused.before)} → peak ${mb(refused.peak)} MB (+${mb(refused.grew)} MB; the same requests with bodies just over the limits: +${mb(control.grew)} MB); slowest 413 ${Math.round(slowest.ms)} ms (${slowest.what}); at most ${mb(mostSent / MB)} MB written before the answer`,
    );
    // Unread: beyond what the same requests with small bodies cost, the server grows by less
    // than half of one refused body (a body read whole would add at least all of it). A fixed
    // bound tripped as routes were added: each new route's pages cost a little memory too.
    expect(refused.grew - control.grew).toBeLessThan(OFFERED / MB / 2);
  });
});

describe('the limits fit what people write', () => {
  let cookie = '';
  const reflectionPage = `/courses/${course.slug}/${lesson.slug}/reflection?_action=reflections.save`;
  beforeAll(async () => {
    cookie = (await signUp(server.origin, 'bodies')).cookie;
  });

  const post = (target: string, body: string) =>
    http(server.origin, 'POST', target, {
      headers: { origin: server.origin, 'content-type': FORM, accept: 'text/html' },
      body,
      cookie,
    });
  const reflection = (text: string) =>
    new URLSearchParams({ courseSlug: course.slug, lessonSlug: lesson.slug, body: text }).toString();

  it(`a reflection of ${REFLECTION_MAX.toLocaleString('en')} characters in any script is saved from the form without script`, async () => {
    // 3 UTF-8 bytes each, 9 urlencoded: the most a character of the limit can take.
    const body = reflection('护'.repeat(REFLECTION_MAX));
    expect(body.length).toBeGreaterThan(REFLECTION_MAX * 9);
    const reply = await post(reflectionPage, body);
    expect(reply.status, reply.text.slice(0, 300)).toBe(303);
    expect(String(reply.headers.location)).toMatch(/#reflection-saved$/);
  });

  it('a reflection a little over its limit gets its own message, with the text kept', async () => {
    const typed = 'x'.repeat(REFLECTION_MAX + 500);
    const reply = await post(reflectionPage, reflection(typed));
    expect(reply.status).toBe(400);
    expect(reply.text).toContain(reflectionTooLongMessage(typed.length));
    expect(reply.text).toContain(typed);
  });

  it('any other form has room for every field at its limit in any script (an event: the longest form)', async () => {
    // This server's first account is its administrator. 9 urlencoded bytes a character, as above.
    const fields = new URLSearchParams({
      name: '护'.repeat(120),
      slug: '',
      eventDate: '2031-03-01',
      timeZone: 'Europe/London',
      location: '护'.repeat(200),
      welcomeMessage: '护'.repeat(1000),
      unlockTime: '07:00',
      firstUnlockDays: '1',
      intervalDays: '2',
      dayOffsets: '',
    });
    for (const c of catalog.courses.slice(0, 10)) fields.append('courses', c.slug);
    const reply = await post('/admin/events/new?_action=events.create', fields.toString());
    expect(reply.status, reply.text.slice(0, 300)).not.toBe(413);
    expect(reply.text).not.toContain(TOO_LONG);
  });

  it('over the limit, the page with the form says so (signed in), and puts nothing back', async () => {
    for (const target of [
      reflectionPage,
      '/journal?_action=reflections.save',
      '/account?_action=accounts.changeName',
    ]) {
      for (const chunked of [false, true]) {
        const answer = await offer(port, target, 5 * MB, chunked, cookie);
        expect(answer.status, target).toBe(413);
        expect(answer.contentType, target).toContain('text/html');
        expect(answer.text, target).toContain(TOO_LONG);
        expect(answer.text, target).toContain('<form');
        expect(answer.text, target).not.toContain('a'.repeat(100));
      }
    }
  });
});
