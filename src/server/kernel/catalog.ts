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

let bodies: Promise<Map<string, string>> | undefined;

/** Each lesson's MDX body ("course/lesson" → text), for the self-contained SCORM package. */
export function lessonBodies(): Promise<Map<string, string>> {
  bodies ??= getCollection('lessons').then((lessons) => new Map(lessons.map((entry) => [entry.id, entry.body ?? ''])));
  return bodies;
}
