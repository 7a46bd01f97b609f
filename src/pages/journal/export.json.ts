import type { APIRoute } from 'astro';
import { contextFor } from '#server/platform/request-context.ts';
import { catalog } from '#server/kernel/catalog.ts';
import { myReflections } from '#server/learning/index.ts';

export const GET: APIRoute = async ({ locals }) => {
  if (!locals.user) return new Response('Sign in to export your journal.', { status: 401 });
  const cat = await catalog();
  const rows = await myReflections(await contextFor(locals.user));
  const entries = rows.map((r) => {
    const lesson = cat.lesson(r.course_slug, r.lesson_slug);
    return {
      course: r.course_slug,
      lesson: r.lesson_slug,
      lessonTitle: lesson?.title ?? null,
      prompt: lesson?.reflection ?? null,
      text: r.body,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  });
  return new Response(JSON.stringify({ exportedAt: new Date().toISOString(), reflections: entries }, null, 2), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': 'attachment; filename="rounds-journal.json"',
      'cache-control': 'private, no-store',
    },
  });
};
