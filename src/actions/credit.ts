import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { actionContext } from '#server/platform/request-context.ts';
import * as credit from '#server/credit/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import {
  accreditationStatementField,
  approverStatementField,
  creditTypesField,
  providerNameField,
} from '#lib/credit-validation.ts';

// Continuing-education credit. The handler checks the signed-in person here; the service
// checks that the provider's settings come from an administrator.

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
};
