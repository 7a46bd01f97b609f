import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import * as organisations from '#server/organisations/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import { actionContext } from '#server/platform/request-context.ts';
import { emailField } from '#lib/validation.ts';
import { domainField, organisationNameField, parentField, teamReferenceField } from '#lib/organisation-validation.ts';
import { pathFields, pathFrom } from './teams.ts';

// Organisations. Handlers check the signed-in person here; the service checks that they
// are a site administrator or one of the organisation's administrators.

const organisationId = z.uuid('Unknown organisation.');

/** Every change answers with the organisation it changed (a body, not an empty 204). */
async function changed(input: { organisationId: string }, change: Promise<void>) {
  await change;
  return { organisationId: input.organisationId };
}

export const organisationActions = {
  create: defineAction({
    accept: 'form',
    input: z.object({ name: organisationNameField, parentId: parentField }),
    handler: (input, ctx) => run(async () => organisations.createOrganisation(await actionContext(ctx), input)),
  }),

  addDomain: defineAction({
    accept: 'form',
    input: z.object({ organisationId, domain: domainField }),
    handler: (input, ctx) => run(async () => changed(input, organisations.addDomain(await actionContext(ctx), input))),
  }),

  removeDomain: defineAction({
    accept: 'form',
    // The domain comes from the page's own button; no stored domain has a control character (PostgreSQL refuses NUL).
    input: z.object({
      organisationId,
      domain: z
        .string()
        .max(253)
        .regex(/^[^\u0000-\u001f\u007f]*$/, 'There is no such domain.'),
    }),
    handler: (input, ctx) =>
      run(async () => changed(input, organisations.removeDomain(await actionContext(ctx), input))),
  }),

  addAdmin: defineAction({
    accept: 'form',
    input: z.object({ organisationId, email: emailField }),
    handler: (input, ctx) =>
      run(async () => changed(input, organisations.addOrganisationAdmin(await actionContext(ctx), input))),
  }),

  removeAdmin: defineAction({
    accept: 'form',
    input: z.object({ organisationId, userId: z.uuid('Unknown account.') }),
    handler: (input, ctx) =>
      run(async () => changed(input, organisations.removeOrganisationAdmin(await actionContext(ctx), input))),
  }),

  addTeam: defineAction({
    accept: 'form',
    input: z.object({ organisationId, team: teamReferenceField }),
    handler: (input, ctx) =>
      run(async () =>
        changed(
          input,
          organisations.addOrganisationTeam(await actionContext(ctx), {
            organisationId: input.organisationId,
            teamId: input.team,
          }),
        ),
      ),
  }),

  removeTeam: defineAction({
    accept: 'form',
    input: z.object({ organisationId, teamId: z.uuid('Unknown team.') }),
    handler: (input, ctx) =>
      run(async () => changed(input, organisations.removeOrganisationTeam(await actionContext(ctx), input))),
  }),

  /** A learning path in every team of the organisation (and of its member organisations). */
  publishPath: defineAction({
    accept: 'form',
    input: z.object({ organisationId, ...pathFields }),
    handler: (input, ctx) =>
      run(async () =>
        organisations.publishPathToOrganisation(await actionContext(ctx), {
          organisationId: input.organisationId,
          ...pathFrom(input),
        }),
      ),
  }),

  /** A new SCIM token (the old one stops working); the answer carries it, shown this once. */
  rotateScimToken: defineAction({
    accept: 'form',
    input: z.object({ organisationId }),
    handler: (input, ctx) =>
      run(async () => ({
        organisationId: input.organisationId,
        ...(await organisations.rotateScimToken(await actionContext(ctx), input)),
      })),
  }),

  mapScimGroup: defineAction({
    accept: 'form',
    input: z.object({
      organisationId,
      groupId: z.uuid('Unknown group.'),
      teamId: z.union([z.literal('').transform(() => null), z.uuid('Choose a team from the list.')]),
    }),
    handler: (input, ctx) =>
      run(async () => changed(input, organisations.mapScimGroup(await actionContext(ctx), input))),
  }),
};
