import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { signedCredential } from '#server/certificates/index.ts';

// The Open Badges 3.0 credential as signed at issuance (VC-JWT). Its revocation is in the
// status list its credentialStatus names; everything else at /certificates/<id> with
// Accept: application/json.
export const GET: APIRoute = async ({ params }) => {
  const found = await signedCredential(await db(), params.id ?? '');
  const text = { 'content-type': 'text/plain; charset=utf-8', 'access-control-allow-origin': '*' };
  if (!found) return new Response('There is no certificate with this address.', { status: 404, headers: text });
  // It named the holder, so it went with their account; the status stays at /certificates/<id>.
  if (!found.jwt)
    return new Response(
      'The holder deleted their account, and their signed credential with it. The certificate’s status is still at /certificates/' +
        params.id,
      { status: 410, headers: text },
    );
  return new Response(found.jwt, {
    headers: {
      'content-type': 'application/vc+jwt',
      'content-disposition': `inline; filename="certificate-${params.id}.jwt"`,
      // Short: it disappears when the holder deletes their account.
      'cache-control': 'public, max-age=300',
      'access-control-allow-origin': '*',
    },
  });
};
