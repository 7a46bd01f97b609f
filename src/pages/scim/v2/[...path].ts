import type { APIRoute } from 'astro';
import { db } from '#server/platform/db.ts';
import { handleScimRequest } from '#server/organisations/index.ts';

/**
 * SCIM 2.0 for organisations' directories (Entra ID, Okta…): the bearer token says which
 * organisation is asking; no session, no cookie (docs/provisioning.md, decision 0043).
 */
export const ALL: APIRoute = async ({ request, params }) =>
  handleScimRequest(await db(), request, `/${params.path ?? ''}`);
