import type { APIRoute } from 'astro';
import { sql } from 'kysely';
import { db } from '../server/db.ts';

export const GET: APIRoute = async () => {
  const headers = { 'cache-control': 'no-store' };
  try {
    const started = performance.now();
    await sql`select 1`.execute(await db());
    return Response.json({ status: 'ok', database: 'ok', ms: Math.round(performance.now() - started) }, { headers });
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    return Response.json({ status: 'unavailable', database: 'unreachable', reason }, { status: 503, headers: { ...headers, 'retry-after': '10' } });
  }
};
