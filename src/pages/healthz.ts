import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { DATABASE_UNREACHABLE, pingDatabase } from '#server/platform/health.ts';

export const GET: APIRoute = async () => {
  const headers = { 'cache-control': 'no-store' };
  try {
    const started = performance.now();
    await pingDatabase(await db());
    return Response.json({ status: 'ok', database: 'ok', ms: Math.round(performance.now() - started) }, { headers });
  } catch (error) {
    // The driver's words (e.g. `connect ECONNREFUSED 10.0.0.5:5432`) are for the operator's log, not for anyone who asks.
    console.error(`[healthz] database unreachable: ${error instanceof Error ? error.message : String(error)}`);
    return Response.json(
      { status: 'unavailable', database: 'unreachable', reason: DATABASE_UNREACHABLE },
      { status: 503, headers: { ...headers, 'retry-after': '10' } },
    );
  }
};
