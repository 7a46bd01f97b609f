import { createHash } from 'node:crypto';

// Rules that span a lesson's text or several entries, which a per-entry schema cannot see.
export const WORDS_PER_MINUTE = 200;
export const MINUTES_PER_QUESTION = 0.5;
const COPY_RUN = 10;

/** Readable words in an MDX body: imports and tags removed. */
export function bodyWordCount(body: string): number {
  const prose = body
    .split('\n')
    .filter((line) => !/^\s*(import|export)\s/.test(line))
    .join('\n')
    .replace(/<[^>]*>/g, ' ');
  return prose.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)?.length ?? 0;
}

export function expectedMinutes(wordCount: number, questionCount: number): number {
  return wordCount / WORDS_PER_MINUTE + questionCount * MINUTES_PER_QUESTION;
}

/** Contact hours: 60 minutes of stated lesson time is one hour, rounded down to a quarter hour. */
export const MINUTES_PER_CONTACT_HOUR = 60;

/** The contact hours a course of `statedMinutes` (its lessons' minutes added up) may claim. */
export function contactHoursFor(statedMinutes: number): number {
  return Math.floor((statedMinutes / MINUTES_PER_CONTACT_HOUR) * 4) / 4;
}

function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/’/g, "'")
      .match(/[\p{L}\p{N}']+/gu) ?? []
  );
}

/**
 * Fingerprints (short SHA-256) of every run of ten consecutive words in `source`.
 * Comparing fingerprints lets the repository check for copying without shipping
 * the source text itself.
 */
export function runFingerprints(source: string, length = COPY_RUN): Set<string> {
  const list = words(source);
  const runs = new Set<string>();
  for (let i = 0; i + length <= list.length; i++) runs.add(fingerprint(list.slice(i, i + length).join(' ')));
  return runs;
}

function fingerprint(run: string): string {
  return createHash('sha256').update(run).digest('hex').slice(0, 16);
}

/** The runs of `text` whose fingerprints appear in `sourceRuns`. */
export function copiedRuns(text: string, sourceRuns: Set<string>, length = COPY_RUN): string[] {
  const list = words(text);
  const found: string[] = [];
  for (let i = 0; i + length <= list.length; i++) {
    const run = list.slice(i, i + length).join(' ');
    if (sourceRuns.has(fingerprint(run))) found.push(run);
  }
  return found;
}

export interface LessonForRules {
  file: string;
  slug: string;
  minutes: number;
  questionCount: number;
  body: string;
  frontmatterText: string;
}

export interface CourseForRules {
  file: string;
  slug: string;
  contactHours: number;
  lessons: LessonForRules[];
}

/** Problems as "file: field: message" lines; empty when the curriculum is sound. */
export function curriculumProblems(courses: CourseForRules[], seedRuns: Set<string>): string[] {
  const problems: string[] = [];
  const lessonFiles = new Map<string, string>();
  for (const course of courses) {
    if (course.lessons.length === 0) problems.push(`${course.file}: lessons: the course has no lessons`);
    const statedMinutes = course.lessons.reduce((sum, lesson) => sum + lesson.minutes, 0);
    if (course.lessons.length > 0 && course.contactHours !== contactHoursFor(statedMinutes))
      problems.push(
        `${course.file}: contactHours: says ${course.contactHours} but ${statedMinutes} minutes of lessons give ${contactHoursFor(statedMinutes)} (${MINUTES_PER_CONTACT_HOUR} minutes = 1 hour, rounded down to a quarter hour)`,
      );
    for (const lesson of course.lessons) {
      const earlier = lessonFiles.get(lesson.slug);
      if (earlier) problems.push(`${lesson.file}: slug: "${lesson.slug}" is also used by ${earlier}`);
      else lessonFiles.set(lesson.slug, lesson.file);
      const wordCount = bodyWordCount(lesson.body);
      const expected = expectedMinutes(wordCount, lesson.questionCount);
      if (Math.abs(expected - lesson.minutes) > 1) {
        problems.push(
          `${lesson.file}: minutes: says ${lesson.minutes} but the text takes about ${expected.toFixed(1)} (${wordCount} words at ${WORDS_PER_MINUTE}/min + ${lesson.questionCount} questions)`,
        );
      }
      if (!/<NextShift>/.test(lesson.body)) problems.push(`${lesson.file}: body: needs a <NextShift> box`);
      // The frontmatter holds the check and review questions, options and feedback.
      for (const [field, text] of [
        ['frontmatter', lesson.frontmatterText],
        ['body', lesson.body],
      ] as const) {
        const copied = copiedRuns(text, seedRuns);
        if (copied.length)
          problems.push(`${lesson.file}: ${field}: copies ten or more words from the seed article: "${copied[0]}"`);
      }
    }
  }
  return problems;
}
