// `/healthz` during a database outage answers 503 with a fixed reason: the driver's error
// (`connect ECONNREFUSED 127.0.0.1:5432`, a host name, a user) stays in the server's log.
// The route runs as the server runs it, against a PostgreSQL address where nothing listens.
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { APIContext } from 'astro';
import { freePort } from '../support/ports.ts';

const port = await freePort();
vi.stubEnv('DATABASE_URL', `postgres://rounds_operator@127.0.0.1:${port}/rounds_private`);
const { GET } = await import('../../src/pages/healthz.ts');
const { closeAppDatabase } = await import('#server/platform/db.ts');
afterAll(async () => {
  await closeAppDatabase().catch(() => {});
  vi.unstubAllEnvs();
});

describe('/healthz with the database unreachable', () => {
  it('answers 503 with a fixed reason, and logs the driver’s error for the operator', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await GET({} as APIContext);
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('10');
    expect(JSON.parse(text)).toEqual({
      status: 'unavailable',
      database: 'unreachable',
      reason: 'The database did not answer.',
    });
    expect(text).not.toMatch(/ECONN|127\.0\.0\.1|rounds_operator|rounds_private|connect/);
    expect(String(logged.mock.calls.flat().join(' '))).toContain('ECONNREFUSED');
    logged.mockRestore();
  });
});
