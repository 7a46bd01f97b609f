import { ActionError, defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { actionContext } from '#server/platform/request-context.ts';
import * as credit from '#server/credit/index.ts';
import * as certificates from '#server/certificates/index.ts';
import * as events from '#server/events/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import {
  accreditationStatementField,
  approverStatementField,
  attestField,
  biasCommentField,
  biasFreeField,
  changeHowField,
  changePracticeField,
  commentsField,
  creditTypeField,
  creditTypesField,
  hoursField,
  outcomeFields,
  POST_TEST_MAX,
  OUTCOMES_MAX,
  postTestAnswerFields,
  providerNameField,
} from '#lib/credit-validation.ts';

// Continuing-education credit. Handlers check the signed-in person here; the services
// check that the provider's settings come from an administrator and that each learner
// acts only on their own record.

const courseSlug = z.string({ error: 'Unknown course.' }).regex(/^[a-z0-9-]{1,80}$/, 'Unknown course.');
/** A course's activity by its slug, or (with eventSlug) the event's own (decision 0045). */
const activityFields = {
  courseSlug: courseSlug.nullish(),
  eventSlug: z
    .string()
    .regex(/^[a-z0-9-]{1,80}$/, 'Unknown event.')
    .nullish(),
};
async function activityRef(
  ctx: Awaited<ReturnType<typeof actionContext>>,
  input: { courseSlug?: string | null; eventSlug?: string | null },
): Promise<credit.ActivityRef> {
  if (input.eventSlug) return { activity: await events.attendeeCreditActivity(ctx, input.eventSlug) };
  if (input.courseSlug) return { courseSlug: input.courseSlug };
  throw new ActionError({ code: 'BAD_REQUEST', message: 'Unknown course.' });
}
/** q0, q1, … (or outcome0, …) as a list in order; a field left out is undefined. */
const numbered = (input: object, prefix: string, count: number) =>
  Array.from(
    { length: count },
    (_, index) => (input as Record<string, number | null | undefined>)[`${prefix}${index}`],
  );

export const creditActions = {
  saveProvider: defineAction({
    accept: 'form',
    input: z.object({
      name: providerNameField,
      accreditationStatement: accreditationStatementField,
      approverStatement: approverStatementField,
      enabledTypes: creditTypesField,
    }),
    handler: (input, ctx) => run(async () => credit.saveCreditProvider(await actionContext(ctx), input)),
  }),

  submitPostTest: defineAction({
    accept: 'form',
    input: z.object({
      ...activityFields,
      attemptId: z.uuid('Reload the page and answer again.'),
      ...postTestAnswerFields,
    }),
    handler: (input, ctx) =>
      run(async () => {
        const context = await actionContext(ctx);
        return credit.submitPostTest(context, {
          ...(await activityRef(context, input)),
          attemptId: input.attemptId,
          answers: numbered(input, 'q', POST_TEST_MAX),
        });
      }),
  }),

  submitEvaluation: defineAction({
    accept: 'form',
    input: z.object({
      ...activityFields,
      ...outcomeFields,
      changePractice: changePracticeField,
      changeHow: changeHowField,
      biasFree: biasFreeField,
      biasComment: biasCommentField,
      comments: commentsField,
    }),
    handler: (input, ctx) =>
      run(async () => {
        const context = await actionContext(ctx);
        return credit.submitEvaluation(context, {
          ...(await activityRef(context, input)),
          outcomes: numbered(input, 'outcome', OUTCOMES_MAX),
          changePractice: input.changePractice,
          changeHow: input.changeHow,
          biasFree: input.biasFree,
          biasComment: input.biasComment,
          comments: input.comments,
        });
      }),
  }),

  attest: defineAction({
    accept: 'form',
    input: z.object({ ...activityFields, creditType: creditTypeField, hours: hoursField, attest: attestField }),
    handler: (input, ctx) =>
      run(async () => {
        const context = await actionContext(ctx);
        const outcome = await certificates.attestAndIssue(context, {
          ...(await activityRef(context, input)),
          creditType: input.creditType,
          hours: input.hours,
          attest: input.attest,
        });
        return 'certificate' in outcome ? { certificateId: outcome.certificate.id } : { held: outcome.held };
      }),
  }),
};
