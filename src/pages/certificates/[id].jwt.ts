import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { signedCredential } from '#server/certificates/index.ts';

// The Open Badges 3.0 credential as signed at issuance (VC-JWT). Its status — revoked,
// reissued — is at /certificates/<id> with Accept: application/json.
export const GET: APIRoute = async ({ params }) => {
  const jwt = await signedCredential(await db(), params.id ?? '');
  if (!jwt)
    return new Response('There is no certificate with this address.', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  return new Response(jwt, {
    headers: {
      'content-type': 'application/vc+jwt',
      'content-disposition': `inline; filename="certificate-${params.id}.jwt"`,
      'cache-control': 'public, max-age=3600',
      'access-control-allow-origin': '*',
    },
  });
};
