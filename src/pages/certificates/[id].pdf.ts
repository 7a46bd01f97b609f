import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { certificatePdf } from '#server/certificates/index.ts';

// The certificate as a PDF, rendered on request so a revocation shows on it at once.
export const GET: APIRoute = async ({ params }) => {
  const found = await certificatePdf(await db(), params.id ?? '');
  const text = { 'content-type': 'text/plain; charset=utf-8' };
  if (!found) return new Response('There is no certificate with this address.', { status: 404, headers: text });
  // It would print the name of a holder who deleted their account.
  if (!found.pdf)
    return new Response(
      `The holder deleted their account, so this PDF is no longer available. The certificate’s status is still at /certificates/${params.id}`,
      { status: 410, headers: text },
    );
  return new Response(new Blob([found.pdf as Uint8Array<ArrayBuffer>]), {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="certificate-${found.view.code}.pdf"`,
      'cache-control': 'no-cache',
    },
  });
};
