import { NotFoundError } from '#server/kernel/errors.ts';
import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { catalog } from '#server/kernel/catalog.ts';
import { lessonState } from '#server/learning/index.ts';
import { certificateMoment } from '#server/certificates/index.ts';

// The signed-in learner's state for one lesson, read by the lesson islands as plain
// JSON (no Action client in the page keeps it within its JavaScript budget).
export const GET: APIRoute = async ({ params, locals }) => {
  const headers = { 'cache-control': 'private, no-store' };
  if (!locals.user) return Response.json({ signedIn: false }, { headers });
  try {
    const database = await db();
    const state = await lessonState(
      database,
      await catalog(),
      locals.user.id,
      params.course ?? '',
      params.lesson ?? '',
    );
    const certificate = state.courseComplete ? await certificateMoment(database, locals.user, params.course!) : null;
    return Response.json({ signedIn: true, ...state, certificate }, { headers });
  } catch (error) {
    if (error instanceof NotFoundError) return Response.json({ error: error.message }, { status: 404, headers });
    throw error;
  }
};
