import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { db } from '../server/db.ts';
import { catalog } from '../server/catalog.ts';
import * as certificates from '../server/services/certificates.ts';
import { requireUser, run } from '../server/action-errors.ts';
import { CERTIFICATE_ID } from '../lib/certificate-rules.ts';

// Every certificate mutation. Handlers check the signed-in person here; the service
// checks that revoking and reissuing come from an administrator.

const certificateId = z.string({ error: 'Unknown certificate.' }).regex(CERTIFICATE_ID, 'Unknown certificate.');

export const certificateActions = {
  claim: defineAction({
    // The learner asks for the certificates of completed courses that have none (e.g. after confirming their email).
    accept: 'form',
    handler: (_input, ctx) =>
      run(async () => {
        const user = requireUser(ctx.locals.user);
        const outcomes = await certificates.issueEarnedCertificates(await db(), await catalog(), user.id);
        const held = outcomes.find((outcome) => 'held' in outcome);
        if (held && 'held' in held) throw new certificates.CertificateConflictError(held.held);
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
        // Shown on a public page; a NUL would not even store (PostgreSQL text refuses it).
        .refine((value) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value), 'The reason contains invisible control characters; please retype it.'),
    }),
    handler: (input, ctx) =>
      run(async () => {
        const user = requireUser(ctx.locals.user);
        const revoked = await certificates.revokeCertificate({ db: await db(), user }, { id: input.certificateId, reason: input.reason });
        return { id: revoked.id };
      }),
  }),

  reissue: defineAction({
    accept: 'form',
    input: z.object({ certificateId }),
    handler: (input, ctx) =>
      run(async () => {
        const user = requireUser(ctx.locals.user);
        const replacement = await certificates.reissueCertificate({ db: await db(), user }, await catalog(), { id: input.certificateId });
        return { id: replacement.id, code: replacement.code };
      }),
  }),
};
