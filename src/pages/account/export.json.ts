import type { APIRoute } from 'astro';
import { contextFor } from '#server/platform/request-context.ts';
import { exportMyData } from '#server/my-data/index.ts';

export const GET: APIRoute = async ({ locals }) => {
  if (!locals.user) return new Response('Sign in to download your data.', { status: 401 });
  const data = await exportMyData(await contextFor(locals.user));
  const date = new Date().toISOString().slice(0, 10);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="rounds-my-data-${date}.json"`,
      'cache-control': 'private, no-store',
    },
  });
};
