import { loadCurriculum } from '#lib/content-files.ts';
import { buildCatalog, type Catalog } from '#lib/catalog.ts';

/** The real curriculum read from content/ (or another folder), as the app's catalog would give it. */
export function testCatalog(contentDir = 'content'): Catalog {
  const courses = loadCurriculum(contentDir);
  return buildCatalog(
    courses.map((c) => ({ slug: c.slug, data: c.data })),
    courses.flatMap((c) => c.lessons.map((l) => ({ courseSlug: c.slug, slug: l.slug, order: l.file, data: l.data }))),
  );
}
