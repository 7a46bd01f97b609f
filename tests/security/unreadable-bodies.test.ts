// A body that does not parse — malformed JSON (`{`), a multipart form whose boundary is
// not in it — sent to any Action or any page form is a client's mistake: a 400 that says
// what is wrong, never a 500, and no stack trace in the server's log (issue 15). Actions
// and page forms are discovered from the source (tests/security/support.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { testCatalog } from '../support/catalog.ts';
import { discoverActions, discoverRoutes, fillRoute, freshIp, http } from './support.ts';

const origin = inject('origin');
const serverLog = inject('serverLog');
const catalog = testCatalog();
const course = catalog.courses[0]!;
const lesson = course.lessons[0]!;

const BODIES: { label: string; contentType: string; body: string }[] = [
  { label: 'malformed JSON', contentType: 'application/json', body: '{' },
  { label: 'JSON cut short', contentType: 'application/json; charset=utf-8', body: '{"name": "Sam' },
  { label: 'multipart without its boundary', contentType: 'multipart/form-data; boundary=xyz', body: 'name=Sam' },
  {
    label: 'multipart cut short',
    contentType: 'multipart/form-data; boundary=xyz',
    body: '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nSam',
  },
  { label: 'multipart with no boundary', contentType: 'multipart/form-data', body: '--\r\n' },
];

const STACK = /\n\s+at \S.*:\d+:\d+|Could not render|Unhandled|SyntaxError/;

const targets = [
  ...discoverActions().map((a) => ({ label: `Action ${a.name}`, path: `/_actions/${a.name}`, rpc: true })),
  ...discoverRoutes()
    .filter((r) => !r.prerendered)
    .flatMap((r) =>
      r.formActions.map((name) => ({
        label: `form ${r.pattern} ${name}`,
        path: `${fillRoute(r.pattern, { course: course.slug, lesson: lesson.slug })}?_action=${name}`,
        rpc: false,
      })),
    ),
];

describe('a body that does not parse is a 400 in words, on every Action and page form', () => {
  it.each(BODIES)('$label', async ({ contentType, body }) => {
    expect(targets.length).toBeGreaterThan(40);
    const logBefore = readFileSync(serverLog, 'utf8').length;
    for (const target of targets) {
      const reply = await http(origin, 'POST', target.path, {
        headers: { origin, 'content-type': contentType, accept: target.rpc ? 'application/json' : 'text/html' },
        body,
        ip: freshIp(),
      });
      const what = `${target.label}: ${reply.status} ${reply.text.slice(0, 200)}`;
      expect(reply.status, what).toBe(400);
      if (target.rpc) {
        const json = JSON.parse(reply.text) as { code?: string; message?: string };
        expect(json.code, what).toBe('BAD_REQUEST');
        expect(json.message, what).toMatch(/not valid JSON|could not be read/);
      } else {
        expect(reply.text, what).toMatch(/not valid JSON|could not be read/);
      }
    }
    // A client's mistake leaves no stack trace (nor "Could not render") in the server's log.
    const logged = readFileSync(serverLog, 'utf8').slice(logBefore);
    expect(logged.match(STACK)?.[0], logged.slice(0, 2000)).toBeUndefined();
  });

  it('a JSON body that parses still gets Astro’s own answer (these Actions take forms)', async () => {
    const reply = await http(origin, 'POST', '/_actions/accounts.signIn', {
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.org', password: 'x' }),
      ip: freshIp(),
    });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.text).not.toMatch(/not valid JSON/);
  });
});
