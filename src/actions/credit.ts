import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { actionContext } from '#server/platform/request-context.ts';
import * as credit from '#server/credit/index.ts';
import * as certificates from '#server/certificates/index.ts';
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
    input: z.object({ courseSlug, attemptId: z.uuid('Reload the page and answer again.'), ...postTestAnswerFields }),
    handler: (input, ctx) =>
      run(async () =>
        credit.submitPostTest(await actionContext(ctx), {
          courseSlug: input.courseSlug,
          attemptId: input.attemptId,
          answers: numbered(input, 'q', POST_TEST_MAX),
        }),
      ),
  }),

  submitEvaluation: defineAction({
    accept: 'form',
    input: z.object({
      courseSlug,
      ...outcomeFields,
      changePractice: changePracticeField,
      changeHow: changeHowField,
      biasFree: biasFreeField,
      biasComment: biasCommentField,
      comments: commentsField,
    }),
    handler: (input, ctx) =>
      run(async () =>
        credit.submitEvaluation(await actionContext(ctx), {
          courseSlug: input.courseSlug,
          outcomes: numbered(input, 'outcome', OUTCOMES_MAX),
          changePractice: input.changePractice,
          changeHow: input.changeHow,
          biasFree: input.biasFree,
          biasComment: input.biasComment,
          comments: input.comments,
        }),
      ),
  }),

  attest: defineAction({
    accept: 'form',
    input: z.object({ courseSlug, creditType: creditTypeField, hours: hoursField, attest: attestField }),
    handler: (input, ctx) =>
      run(async () => {
        const outcome = await certificates.attestAndIssue(await actionContext(ctx), input);
        return 'certificate' in outcome ? { certificateId: outcome.certificate.id } : { held: outcome.held };
      }),
  }),
};
