import { endpointErrorResponse } from '#server/kernel/error-responses.ts';
import type { APIRoute } from 'astro';
import { contextFor } from '#server/platform/request-context.ts';
import { lessonState } from '#server/learning/index.ts';
import { certificateMoment } from '#server/certificates/index.ts';

// The signed-in learner's state for one lesson, read by the lesson islands as plain
// JSON (no Action client in the page keeps it within its JavaScript budget).
export const GET: APIRoute = async ({ params, locals }) => {
  const headers = { 'cache-control': 'private, no-store' };
  if (!locals.user) return Response.json({ signedIn: false }, { headers });
  try {
    const ctx = await contextFor(locals.user);
    const state = await lessonState(ctx, { courseSlug: params.course ?? '', lessonSlug: params.lesson ?? '' });
    const certificate = state.courseComplete ? await certificateMoment(ctx, params.course!) : null;
    return Response.json({ signedIn: true, ...state, certificate }, { headers });
  } catch (error) {
    return endpointErrorResponse(error, 'json', headers);
  }
};
