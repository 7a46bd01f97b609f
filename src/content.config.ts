import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { courseSchema, lessonSchema } from '#lib/content-schema.ts';
import { LESSON_FILE } from '#lib/content-files.ts';

// Courses are content/<course>/course.yaml; lessons content/<course>/NN-<lesson>.mdx.
const courses = defineCollection({
  loader: glob({ pattern: '*/course.yaml', base: './content', generateId: ({ entry }) => entry.split('/')[0]! }),
  schema: courseSchema,
});

const lessons = defineCollection({
  loader: glob({
    pattern: '*/*.mdx',
    base: './content',
    generateId: ({ entry }) => {
      const [course, file] = entry.split('/');
      const slug = LESSON_FILE.exec(file ?? '')?.[2] ?? file;
      return `${course}/${slug}`;
    },
  }),
  schema: lessonSchema,
});

export const collections = { courses, lessons };
