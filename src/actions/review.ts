import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import * as review from '#server/review/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { actionContext } from '#server/platform/request-context.ts';
import { choiceIndexField } from '#lib/validation.ts';

const slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9-]+$/, 'That question is not one of your reviews.');

const CHOOSE = 'Choose one of the answers.';

export const reviewActions = {
  /** One review answer, graded on the server; after a right one, again with how sure the learner was. */
  answer: defineAction({
    accept: 'form',
    input: z.object({
      reviewId: z.uuid('That question is not one of your reviews.'),
      courseSlug: slug,
      lessonSlug: slug,
      card: z.string().regex(/^(check|review):\d{1,2}$/, 'That question is not one of your reviews.'),
      option: choiceIndexField(CHOOSE),
      confidence: z.enum(['sure', 'unsure']).optional(),
    }),
    handler: (input, ctx) =>
      run(async () => {
        const result = await review.answerReview(await actionContext(ctx), input);
        return {
          reviewId: input.reviewId,
          courseSlug: input.courseSlug,
          lessonSlug: input.lessonSlug,
          card: input.card,
          correct: result.correct,
          feedback: result.feedback,
          rightAnswer: result.rightAnswer,
          question: result.question,
          option: result.option,
          recorded: result.recorded,
          nextDue: result.nextDue,
        };
      }),
  }),
};
