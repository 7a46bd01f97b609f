import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { STATUS_LIST_TTL_SECONDS, statusListCredential } from '#server/certificates/index.ts';

// The signed revocation list (W3C BitstringStatusListCredential, VC-JWT) that every
// credential's credentialStatus points at. Public and cacheable for as long as its `ttl` says.
export const GET: APIRoute = async ({ params }) => {
  const list = /^[1-9][0-9]{0,8}$/.test(params.list ?? '') ? Number(params.list) : 0;
  const jwt = await statusListCredential(await db(), list);
  if (!jwt)
    return new Response('There is no status list with this address.', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'access-control-allow-origin': '*' },
    });
  return new Response(jwt, {
    headers: {
      'content-type': 'application/vc+jwt',
      'cache-control': `public, max-age=${STATUS_LIST_TTL_SECONDS}`,
      'access-control-allow-origin': '*',
    },
  });
};
