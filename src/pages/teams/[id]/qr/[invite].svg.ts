import type { APIRoute } from 'astro';
import { contextFor } from '#server/platform/request-context.ts';
import { endpointErrorResponse } from '#server/kernel/error-responses.ts';
import { qrSvgResponse } from '#lib/qr.ts';
import { inviteLink } from '#server/teams/index.ts';

/** A live invite's link as a QR code, to print or show on a phone: for the team's leaders. */
export const GET: APIRoute = async ({ locals, params }) => {
  if (!locals.user)
    return new Response('Sign in to see this invite.', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  try {
    const invite = await inviteLink(await contextFor(locals.user), {
      teamId: params.id ?? '',
      inviteId: params.invite ?? '',
    });
    const response = await qrSvgResponse(invite.url, `team-invite-${invite.code}`);
    // The code is the key to the team: no shared cache may keep it.
    response.headers.set('cache-control', 'private, no-store');
    return response;
  } catch (error) {
    return endpointErrorResponse(error);
  }
};
