import type { APIRoute } from 'astro';
import { contextFor } from '#server/platform/request-context.ts';
import { transcriptCsv } from '#server/records/index.ts';
import { csvDownload } from '#lib/csv.ts';

// The signed-in person's own transcript, nobody else's.
export const GET: APIRoute = async ({ locals }) => {
  if (!locals.user) return new Response('Sign in to download your transcript.', { status: 401 });
  const { filename, body } = await transcriptCsv(await contextFor(locals.user));
  return csvDownload(filename, body);
};
