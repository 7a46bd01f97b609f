import { contextFor } from '#server/platform/request-context.ts';
import { endpointErrorResponse } from '#server/kernel/error-responses.ts';
import type { APIRoute } from 'astro';
import { csvDownload } from '#lib/csv.ts';
import { exportCsv } from '#server/teams/index.ts';

/** One row per member and assignment (states and dates only), for leaders and administrators. */
export const GET: APIRoute = async ({ locals, params }) => {
  const text = (status: number, body: string) =>
    new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (!locals.user) return text(401, 'Sign in to download this team’s progress.');
  try {
    const { filename, body } = await exportCsv(await contextFor(locals.user), params.id ?? '');
    return csvDownload(filename, body);
  } catch (error) {
    return endpointErrorResponse(error);
  }
};
