import { contextFor } from '#server/platform/request-context.ts';
import { endpointErrorResponse } from '#server/kernel/error-responses.ts';
import type { APIRoute } from 'astro';
import { csvDownload } from '#lib/csv.ts';
import { trainingRecordCsv } from '#server/teams/index.ts';

/** The team's training record (member × course, with certificate codes), for leaders and administrators. */
export const GET: APIRoute = async ({ locals, params }) => {
  const text = (status: number, body: string) =>
    new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (!locals.user) return text(401, 'Sign in to download this team’s training record.');
  try {
    const { filename, body } = await trainingRecordCsv(await contextFor(locals.user), params.id ?? '');
    return csvDownload(filename, body);
  } catch (error) {
    return endpointErrorResponse(error);
  }
};
