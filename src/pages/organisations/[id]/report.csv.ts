import { contextFor } from '#server/platform/request-context.ts';
import { endpointErrorResponse } from '#server/kernel/error-responses.ts';
import type { APIRoute } from 'astro';
import { csvDownload } from '#lib/csv.ts';
import { organisationReportCsv } from '#server/organisations/index.ts';

/** One row per team and assigned course (counts only, no names), for the organisation's managers. */
export const GET: APIRoute = async ({ locals, params }) => {
  if (!locals.user)
    return new Response('Sign in to download this report.', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  try {
    const { filename, body } = await organisationReportCsv(await contextFor(locals.user), params.id ?? '');
    return csvDownload(filename, body);
  } catch (error) {
    return endpointErrorResponse(error);
  }
};
