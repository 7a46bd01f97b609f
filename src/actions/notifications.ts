import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { actionContext } from '#server/platform/request-context.ts';
import * as notifications from '#server/notifications/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { pushAuthField, pushEndpointField, pushKeyField } from '#lib/push-validation.ts';

// Reminders by push on this device (decision 0044). Each checks the signed-in person
// (actionContext refuses a signed-out request); a subscription is always the asker's own.

export const notificationActions = {
  /** Turns reminders by push on for this device; the session comes from the request, never the form. */
  subscribe: defineAction({
    accept: 'form',
    input: z.object({ endpoint: pushEndpointField, p256dh: pushKeyField, auth: pushAuthField }),
    handler: (input, ctx) =>
      run(async () =>
        notifications.subscribeToPush(await actionContext(ctx), {
          ...input,
          sessionId: ctx.locals.session?.id ?? null,
        }),
      ),
  }),

  /** Turns them off for this device. */
  unsubscribe: defineAction({
    accept: 'form',
    input: z.object({ endpoint: pushEndpointField }),
    handler: (input, ctx) => run(async () => notifications.unsubscribeFromPush(await actionContext(ctx), input)),
  }),

  /** Whether this device (its push address) gets the asker's reminders: the browser cannot tell whose it is. */
  status: defineAction({
    accept: 'form',
    input: z.object({ endpoint: pushEndpointField }),
    handler: (input, ctx) =>
      run(async () => ({ on: await notifications.pushIsOn(await actionContext(ctx), input.endpoint) })),
  }),
};
