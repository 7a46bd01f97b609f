import { contextFor } from '#server/platform/request-context.ts';
import { endpointErrorResponse } from '#server/kernel/error-responses.ts';
import type { APIRoute } from 'astro';
import { csvDownload } from '#lib/csv.ts';
import { activityReport } from '#server/credit/index.ts';

/** The provider's activity report for one credit course, for administrators. */
export const GET: APIRoute = async ({ locals, params }) => {
  if (!locals.user)
    return new Response('Sign in to download the activity report.', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  try {
    const { filename, body } = await activityReport(await contextFor(locals.user), params.course ?? '');
    return csvDownload(filename, body);
  } catch (error) {
    return endpointErrorResponse(error);
  }
};
