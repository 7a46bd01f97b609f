import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import * as review from '#server/review/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { FieldError } from '#server/kernel/errors.ts';
import { refusalMessage } from '#lib/review-rules.ts';
import { QUESTION_ID } from '#lib/content-schema.ts';
import { actionContext } from '#server/platform/request-context.ts';
import { choiceIndexField } from '#lib/validation.ts';
import { catalog } from '#server/kernel/catalog.ts';
import { db } from '#server/platform/db.ts';

const slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9-]+$/, 'That question is not one of your reviews.');

const CHOOSE = 'Choose one of the answers.';
const EMAIL_LINK_BROKEN = 'This link is not complete. Open it again from the email.';

export const reviewActions = {
  /** One review answer, graded on the server; after a right one, again with how sure the learner was. */
  answer: defineAction({
    accept: 'form',
    input: z.object({
      reviewId: z.uuid('That question is not one of your reviews.'),
      courseSlug: slug,
      lessonSlug: slug,
      card: z.string().max(40).regex(QUESTION_ID, 'That question is not one of your reviews.'),
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

  /**
   * One tap on an answer in a review question sent by email. No sign-in (mail apps open a
   * fresh browser): the signed, expiring link names the learner, the card and the review id.
   */
  answerFromEmail: defineAction({
    accept: 'form',
    input: z.object({
      token: z.string({ error: EMAIL_LINK_BROKEN }).min(10, EMAIL_LINK_BROKEN).max(1000, EMAIL_LINK_BROKEN),
      option: choiceIndexField(CHOOSE),
    }),
    handler: (input) =>
      run(async () => {
        const result = await review.answerFromEmail(await db(), await catalog(), input);
        if ('refused' in result) throw new FieldError('token', refusalMessage(result.refused));
        return {
          correct: result.correct,
          feedback: result.feedback,
          rightAnswer: result.rightAnswer,
          question: result.question,
          nextDue: result.nextDue,
          timeZone: result.timeZone,
        };
      }),
  }),
};
