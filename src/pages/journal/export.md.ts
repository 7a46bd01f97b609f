import type { APIRoute } from 'astro';
import { contextFor } from '#server/platform/request-context.ts';
import { catalog } from '#server/kernel/catalog.ts';
import { myReflections } from '#server/learning/index.ts';
import { journalMarkdown } from '#lib/journal-markdown.ts';

export const GET: APIRoute = async ({ locals }) => {
  if (!locals.user) return new Response('Sign in to export your journal.', { status: 401 });
  const cat = await catalog();
  const rows = await myReflections(await contextFor(locals.user));
  const markdown = journalMarkdown(
    locals.user.name,
    rows.map((r) => {
      const lesson = cat.lesson(r.course_slug, r.lesson_slug);
      return {
        title: lesson?.title ?? `${r.course_slug}/${r.lesson_slug}`,
        prompt: lesson?.reflection ?? '',
        text: r.body,
        updatedAt: r.updated_at,
      };
    }),
    locals.user.timeZone,
  );
  return new Response(markdown, {
    headers: {
      'content-type': 'text/markdown; charset=utf-8',
      'content-disposition': 'attachment; filename="rounds-journal.md"',
      'cache-control': 'private, no-store',
    },
  });
};
