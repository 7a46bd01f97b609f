import { ConflictError } from '#server/kernel/errors.ts';
import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { actionContext } from '#server/platform/request-context.ts';
import * as certificates from '#server/certificates/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { CERTIFICATE_ID } from '#lib/certificate-rules.ts';

// Every certificate mutation. Handlers check the signed-in person here; the service
// checks that revoking and reissuing come from an administrator.

const certificateId = z.string({ error: 'Unknown certificate.' }).regex(CERTIFICATE_ID, 'Unknown certificate.');

export const certificateActions = {
  claim: defineAction({
    // The learner asks for the certificates of completed courses that have none (e.g. after confirming their email).
    accept: 'form',
    handler: (_input, ctx) =>
      run(async () => {
        const outcomes = await certificates.issueEarnedCertificates(await actionContext(ctx));
        const held = outcomes.find((outcome) => 'held' in outcome);
        if (held && 'held' in held) throw new ConflictError(held.held);
        return { certificates: outcomes.length };
      }),
  }),

  revoke: defineAction({
    accept: 'form',
    input: z.object({
      certificateId,
      reason: z
        .string({ error: 'Give the reason: it is shown on the verification page.' })
        .trim()
        .min(3, 'Give the reason: it is shown on the verification page.')
        .max(300, 'Keep the reason under 300 characters.')
        // PostgreSQL refuses NUL in text (a 500 before this check, found by the fuzzer), and the reason is shown to the public.
        .refine(
          (value) => !/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/.test(value),
          'The reason contains invisible control characters; please retype it.',
        ),
    }),
    handler: (input, ctx) =>
      run(async () => {
        const revoked = await certificates.revokeCertificate(await actionContext(ctx), {
          id: input.certificateId,
          reason: input.reason,
        });
        return { id: revoked.id };
      }),
  }),

  reissue: defineAction({
    accept: 'form',
    input: z.object({ certificateId }),
    handler: (input, ctx) =>
      run(async () => {
        const replacement = await certificates.reissueCertificate(await actionContext(ctx), {
          id: input.certificateId,
        });
        return { id: replacement.id, code: replacement.code };
      }),
  }),
};
