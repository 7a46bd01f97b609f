import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { courseSchema, lessonSchema, type CourseData, type LessonData } from './content-schema.ts';
import { curriculumProblems, type CourseForRules } from './lesson-rules.ts';

// Reads content/ straight from disk, for the build-time check and for tests.
// The site itself reads the same files through Astro's content collections.

export const LESSON_FILE = /^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)\.mdx$/;

export interface LessonFile {
  file: string;
  courseSlug: string;
  slug: string;
  position: number;
  data: LessonData;
  body: string;
  frontmatterText: string;
}

export interface CourseFile {
  file: string;
  slug: string;
  data: CourseData;
  lessons: LessonFile[];
}

export class ContentError extends Error {}

function formatIssues(file: string, issues: { path: PropertyKey[]; message: string }[]): string[] {
  return issues.map((issue) => `${file}: ${issue.path.map(String).join('.') || '(frontmatter)'}: ${issue.message}`);
}

export function splitFrontmatter(source: string): { frontmatter: string; body: string } | null {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source);
  return match ? { frontmatter: match[1]!, body: match[2]! } : null;
}

/** Fingerprints of the seed article's ten-word runs (content/seed-fingerprints.txt). */
export const SEED_FINGERPRINTS_FILE = 'seed-fingerprints.txt';

/** Loads and checks every course; throws ContentError listing each problem by file and field. */
export function loadCurriculum(contentDir: string): CourseFile[] {
  const problems: string[] = [];
  const courses: CourseFile[] = [];
  const root = path.resolve(contentDir);
  for (const entry of readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(root, entry.name);
    const courseFile = path.join('content', entry.name, 'course.yaml');
    if (!existsSync(path.join(dir, 'course.yaml'))) {
      problems.push(`${courseFile}: missing`);
      continue;
    }
    const parsedCourse = courseSchema.safeParse(parseYaml(readFileSync(path.join(dir, 'course.yaml'), 'utf8')));
    if (!parsedCourse.success) {
      problems.push(...formatIssues(courseFile, parsedCourse.error.issues));
      continue;
    }
    const lessons: LessonFile[] = [];
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.mdx'))
      .sort()) {
      const file = path.join('content', entry.name, name);
      const match = LESSON_FILE.exec(name);
      if (!match) {
        problems.push(`${file}: file name: use NN-lesson-slug.mdx`);
        continue;
      }
      const parts = splitFrontmatter(readFileSync(path.join(dir, name), 'utf8'));
      if (!parts) {
        problems.push(`${file}: frontmatter: missing --- block`);
        continue;
      }
      const parsed = lessonSchema.safeParse(parseYaml(parts.frontmatter));
      if (!parsed.success) {
        problems.push(...formatIssues(file, parsed.error.issues));
        continue;
      }
      lessons.push({
        file,
        courseSlug: entry.name,
        slug: match[2]!,
        position: Number(match[1]),
        data: parsed.data,
        body: parts.body,
        frontmatterText: parts.frontmatter,
      });
    }
    courses.push({ file: courseFile, slug: entry.name, data: parsedCourse.data, lessons });
  }
  const seedRuns = new Set(readFileSync(path.join(root, SEED_FINGERPRINTS_FILE), 'utf8').split('\n').filter(Boolean));
  const forRules: CourseForRules[] = courses.map((course) => ({
    file: course.file,
    slug: course.slug,
    contactHours: course.data.contactHours,
    lessons: course.lessons.map((lesson) => ({
      file: lesson.file,
      slug: lesson.slug,
      minutes: lesson.data.minutes,
      questionCount: lesson.data.check.length,
      body: lesson.body,
      frontmatterText: lesson.frontmatterText,
    })),
  }));
  problems.push(...curriculumProblems(forRules, seedRuns));
  if (problems.length)
    throw new ContentError(`The curriculum has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  return courses;
}
