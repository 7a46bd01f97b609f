import type { APIRoute } from 'astro';
import { contextFor } from '#server/platform/request-context.ts';
import { transcriptPdf } from '#server/records/index.ts';

// The signed-in person's own transcript, nobody else's; made on each download so a
// revoked certificate shows at once.
export const GET: APIRoute = async ({ locals }) => {
  if (!locals.user) return new Response('Sign in to download your transcript.', { status: 401 });
  const { filename, pdf } = await transcriptPdf(await contextFor(locals.user));
  return new Response(new Blob([pdf as Uint8Array<ArrayBuffer>]), {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'private, no-store',
    },
  });
};
