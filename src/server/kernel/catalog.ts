import { getCollection } from 'astro:content';
import { buildCatalog, type Catalog } from '#lib/catalog.ts';

let cached: Promise<Catalog> | undefined;

/** The curriculum from Astro's content collections, built once per process. */
export function catalog(): Promise<Catalog> {
  cached ??= (async () => {
    const [courses, lessons] = await Promise.all([getCollection('courses'), getCollection('lessons')]);
    return buildCatalog(
      courses.map((entry) => ({ slug: entry.id, data: entry.data })),
      lessons.map((entry) => {
        const [courseSlug, slug] = entry.id.split('/') as [string, string];
        return { courseSlug, slug, order: entry.filePath ?? entry.id, data: entry.data };
      }),
    );
  })();
  return cached;
}
