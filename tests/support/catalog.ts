import { loadCurriculum } from '../../src/lib/content-files.ts';
import { buildCatalog, type Catalog } from '../../src/lib/catalog.ts';

/** The real curriculum read from content/, as the app's catalog would give it. */
export function testCatalog(): Catalog {
  const courses = loadCurriculum('content');
  return buildCatalog(
    courses.map((c) => ({ slug: c.slug, data: c.data })),
    courses.flatMap((c) => c.lessons.map((l) => ({ courseSlug: c.slug, slug: l.slug, order: l.file, data: l.data }))),
  );
}
