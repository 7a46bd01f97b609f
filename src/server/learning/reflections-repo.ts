import type { Executor } from '#server/platform/db.ts';
import type { Reflection } from '#db/schema.ts';

// Reflections are private: every query here is scoped to the owner's id, so no
// caller can read, change or delete another person's text by passing an id.

export type ReflectionRow = Pick<
  Reflection,
  'id' | 'course_slug' | 'lesson_slug' | 'body' | 'revision' | 'created_at' | 'updated_at'
>;
const COLUMNS = ['id', 'course_slug', 'lesson_slug', 'body', 'revision', 'created_at', 'updated_at'] as const;

/**
 * Saves the owner's text for a lesson. `revision` is the writer's clock: a retry or
 * a late request carrying an older revision never overwrites newer text.
 * Returns the stored row and whether this write was applied.
 */
export async function saveReflection(
  db: Executor,
  owner: string,
  values: { courseSlug: string; lessonSlug: string; body: string; revision: number },
): Promise<{ row: ReflectionRow; applied: boolean }> {
  const written = await db
    .insertInto('reflections')
    .values({
      user_id: owner,
      course_slug: values.courseSlug,
      lesson_slug: values.lessonSlug,
      body: values.body,
      revision: values.revision,
    })
    .onConflict((oc) =>
      oc
        .constraint('reflections_one_per_lesson')
        .doUpdateSet((eb) => ({
          body: eb.ref('excluded.body'),
          revision: eb.ref('excluded.revision'),
          updated_at: new Date(),
        }))
        .where('reflections.revision', '<', (eb) => eb.ref('excluded.revision')),
    )
    .returning(COLUMNS)
    .executeTakeFirst();
  if (written) return { row: written, applied: true };
  const current = await findReflectionForLesson(db, owner, values.courseSlug, values.lessonSlug);
  if (!current) throw new Error('reflection vanished during save');
  return { row: current, applied: current.revision === values.revision && current.body === values.body };
}

export function findReflectionForLesson(
  db: Executor,
  owner: string,
  courseSlug: string,
  lessonSlug: string,
): Promise<ReflectionRow | undefined> {
  return db
    .selectFrom('reflections')
    .select(COLUMNS)
    .where('user_id', '=', owner)
    .where('course_slug', '=', courseSlug)
    .where('lesson_slug', '=', lessonSlug)
    .executeTakeFirst();
}

export function findReflection(db: Executor, owner: string, id: string): Promise<ReflectionRow | undefined> {
  return db
    .selectFrom('reflections')
    .select(COLUMNS)
    .where('user_id', '=', owner)
    .where('id', '=', id)
    .executeTakeFirst();
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

export function listReflections(db: Executor, owner: string, search?: string): Promise<ReflectionRow[]> {
  let query = db.selectFrom('reflections').select(COLUMNS).where('user_id', '=', owner);
  if (search) query = query.where('body', 'ilike', `%${escapeLike(search)}%`);
  return query.orderBy('updated_at', 'desc').orderBy('id').execute();
}

export async function deleteReflection(db: Executor, owner: string, id: string): Promise<ReflectionRow | undefined> {
  return db
    .deleteFrom('reflections')
    .where('user_id', '=', owner)
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirst();
}

/** Puts back a reflection the owner just deleted (undo), unless they have written a newer one. */
export async function restoreReflection(
  db: Executor,
  owner: string,
  row: Omit<ReflectionRow, 'id' | 'created_at' | 'updated_at'>,
): Promise<void> {
  await db
    .insertInto('reflections')
    .values({
      user_id: owner,
      course_slug: row.course_slug,
      lesson_slug: row.lesson_slug,
      body: row.body,
      revision: row.revision,
    })
    .onConflict((oc) => oc.constraint('reflections_one_per_lesson').doNothing())
    .execute();
}
