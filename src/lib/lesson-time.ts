// The time-in-lesson floor behind contact hours (decision 0024): a certificate that
// states contact hours waits until the time recorded in each lesson of the course is at
// least `floor` (a fraction, the LESSON_TIME_FLOOR setting) of the lesson's stated minutes.

/** Seconds a learner must have spent in a lesson of `minutes` before it counts toward contact hours. */
export function lessonTimeFloorSeconds(minutes: number, floor: number): number {
  return Math.ceil(minutes * 60 * floor);
}

/** The completed lessons whose recorded time is below the floor, in course order. */
export function lessonsNeedingTime<L extends { slug: string; minutes: number }>(
  lessons: readonly L[],
  secondsSpent: ReadonlyMap<string, number>,
  floor: number,
): L[] {
  return lessons.filter(
    (lesson) => (secondsSpent.get(lesson.slug) ?? 0) < lessonTimeFloorSeconds(lesson.minutes, floor),
  );
}

/** "“A”", "“A” and “B”", "“A”, “B” and “C”". */
export function listTitles(titles: string[]): string {
  const quoted = titles.map((title) => `“${title}”`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}` : (quoted[0] ?? '');
}
