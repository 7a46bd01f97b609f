import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import * as accounts from '#server/accounts/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { actionContext } from '#server/platform/request-context.ts';

// Administrators managing people. Handlers check the signed-in person here; the
// service checks that they are an active administrator and keeps one at least.

const userId = z.uuid('Unknown account.');

export const peopleActions = {
  grantAdmin: defineAction({
    accept: 'form',
    input: z.object({ userId }),
    handler: (input, ctx) => run(async () => accounts.grantAdminRole(await actionContext(ctx), input)),
  }),

  removeAdmin: defineAction({
    accept: 'form',
    input: z.object({ userId }),
    handler: (input, ctx) => run(async () => accounts.removeAdminRole(await actionContext(ctx), input)),
  }),

  deactivate: defineAction({
    accept: 'form',
    input: z.object({ userId }),
    handler: (input, ctx) => run(async () => accounts.deactivateAccount(await actionContext(ctx), input)),
  }),

  reactivate: defineAction({
    accept: 'form',
    input: z.object({ userId }),
    handler: (input, ctx) => run(async () => accounts.reactivateAccount(await actionContext(ctx), input)),
  }),
};
