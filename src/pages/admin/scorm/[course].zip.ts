import { contextFor } from '#server/platform/request-context.ts';
import { endpointErrorResponse } from '#server/kernel/error-responses.ts';
import { lessonBodies } from '#server/kernel/catalog.ts';
import type { APIRoute } from 'astro';
import { selfContainedPackage } from '#server/scorm/index.ts';

/** A course as a self-contained SCORM 1.2 package (issue 22 §1), for administrators. */
export const GET: APIRoute = async ({ locals, params }) => {
  if (!locals.user)
    return new Response('Sign in to download a SCORM package.', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  try {
    const { filename, bytes } = await selfContainedPackage(
      await contextFor(locals.user),
      params.course ?? '',
      await lessonBodies(),
    );
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${filename}"`,
        'cache-control': 'private, no-store',
      },
    });
  } catch (error) {
    return endpointErrorResponse(error);
  }
};
