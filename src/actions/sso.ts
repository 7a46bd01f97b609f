import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import * as sso from '#server/sso/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { actionContext } from '#server/platform/request-context.ts';
import { clientIdField, clientSecretField, issuerField } from '#lib/sso-validation.ts';

// Single sign-on settings. The handler checks the signed-in person; the service checks that
// they are a site administrator or one of the organisation's administrators.

export const ssoActions = {
  saveSettings: defineAction({
    accept: 'form',
    input: z.object({
      organisationId: z.uuid('Unknown organisation.'),
      issuer: issuerField,
      clientId: clientIdField,
      clientSecret: clientSecretField,
      requireSso: z.literal('on').nullish(),
    }),
    handler: (input, ctx) =>
      run(async () => {
        await sso.saveSsoSettings(await actionContext(ctx), { ...input, requireSso: input.requireSso === 'on' });
        return { organisationId: input.organisationId };
      }),
  }),
};
