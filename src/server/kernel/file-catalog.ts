import { buildCatalog, type Catalog } from '#lib/catalog.ts';
import { loadCurriculum } from '#lib/content-files.ts';

/** The curriculum read from content/ (the CLI runs outside Astro). */
export function fileCatalog(contentDir = 'content'): Catalog {
  const courses = loadCurriculum(contentDir);
  return buildCatalog(
    courses.map((c) => ({ slug: c.slug, data: c.data })),
    courses.flatMap((c) => c.lessons.map((l) => ({ courseSlug: c.slug, slug: l.slug, order: l.file, data: l.data }))),
  );
}
