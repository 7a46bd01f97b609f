import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import * as learning from '#server/learning/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { actionContext } from '#server/platform/request-context.ts';
import { REFLECTION_MAX } from '#lib/limits.ts';
import { choiceIndexField } from '#lib/validation.ts';

const slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9-]+$/, 'Unknown lesson.');
const lessonInput = { courseSlug: slug, lessonSlug: slug };
const answer = z.coerce.number().int().min(0).max(9).optional();

export const progressActions = {
  /** Records that the learner opened the lesson (sent once, when the state says not started). */
  open: defineAction({
    accept: 'form',
    input: z.object(lessonInput),
    handler: (input, ctx) =>
      run(async () => {
        await learning.markLessonOpened(await actionContext(ctx), input);
        return { opened: true };
      }),
  }),

  answer: defineAction({
    accept: 'form',
    input: z.object({
      ...lessonInput,
      question: choiceIndexField('Unknown question.'),
      option: choiceIndexField('Choose one of the answers.'),
    }),
    handler: (input, ctx) =>
      run(async () => {
        return learning.answerQuestion(await actionContext(ctx), input);
      }),
  }),

  complete: defineAction({
    accept: 'form',
    input: z.object({ ...lessonInput, q0: answer, q1: answer, q2: answer }),
    handler: (input, ctx) =>
      run(async () => {
        const answers: Record<number, number> = {};
        [input.q0, input.q1, input.q2].forEach((option, question) => {
          if (option !== undefined) answers[question] = option;
        });
        const result = await learning.completeLesson(await actionContext(ctx), {
          courseSlug: input.courseSlug,
          lessonSlug: input.lessonSlug,
          answers,
        });
        return {
          completedAt: result.completedAt,
          courseComplete: result.courseComplete,
          next: result.next
            ? { title: result.next.title, url: `/courses/${input.courseSlug}/${result.next.slug}` }
            : null,
        };
      }),
  }),
};

// Browsers send a textarea's line breaks as CRLF; stored as LF, the limit counts what the
// writer's counter counts and the text comes back exactly as it was typed. A NUL (from a
// paste) cannot be stored in PostgreSQL text and is dropped.
const reflectionBody = z
  .string({ error: 'Write something first.' })
  .transform((value) => value.replace(/\r\n?/g, '\n').replace(/\u0000/g, ''))
  .pipe(
    z
      .string()
      .max(
        REFLECTION_MAX,
        `Reflections can be up to ${REFLECTION_MAX.toLocaleString('en')} characters. Shorten it a little; your text is kept.`,
      ),
  );

export const reflectionActions = {
  save: defineAction({
    accept: 'form',
    input: z.object({
      ...lessonInput,
      body: reflectionBody,
      revision: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    }),
    handler: (input, ctx) =>
      run(async () => {
        const { row, applied } = await learning.saveReflection(await actionContext(ctx), {
          courseSlug: input.courseSlug,
          lessonSlug: input.lessonSlug,
          body: input.body,
          revision: input.revision ?? Date.now(),
        });
        return { revision: row.revision, updatedAt: row.updated_at, applied };
      }),
  }),

  delete: defineAction({
    accept: 'form',
    input: z.object({ id: z.uuid('Unknown reflection.') }),
    handler: (input, ctx) =>
      run(async () => {
        const removed = await learning.deleteReflection(await actionContext(ctx), input.id);
        return {
          courseSlug: removed.course_slug,
          lessonSlug: removed.lesson_slug,
          body: removed.body,
          revision: removed.revision,
        };
      }),
  }),

  restore: defineAction({
    accept: 'form',
    input: z.object({
      ...lessonInput,
      body: reflectionBody,
      revision: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    }),
    handler: (input, ctx) =>
      run(async () => {
        await learning.restoreReflection(await actionContext(ctx), input);
        return { restored: true };
      }),
  }),
};
