import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { pingDatabase } from '#server/platform/health.ts';

export const GET: APIRoute = async () => {
  const headers = { 'cache-control': 'no-store' };
  try {
    const started = performance.now();
    await pingDatabase(await db());
    return Response.json({ status: 'ok', database: 'ok', ms: Math.round(performance.now() - started) }, { headers });
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    return Response.json(
      { status: 'unavailable', database: 'unreachable', reason },
      { status: 503, headers: { ...headers, 'retry-after': '10' } },
    );
  }
};
