import { contextFor } from '#server/platform/request-context.ts';
import { endpointErrorResponse } from '#server/kernel/error-responses.ts';
import type { APIRoute } from 'astro';
import { csvDownload } from '#lib/csv.ts';
import { activityReport } from '#server/credit/index.ts';
import { eventCreditActivities } from '#server/events/index.ts';
import { isEventActivityKey } from '#lib/credit-rules.ts';
import { NotFoundError } from '#server/kernel/errors.ts';

/** The provider's activity report for one credit course, or (`event:<slug>`) an event's own activity; administrators. */
export const GET: APIRoute = async ({ locals, params }) => {
  if (!locals.user)
    return new Response('Sign in to download the activity report.', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  try {
    const ctx = await contextFor(locals.user);
    // An event's key (`event:<slug>`) comes percent-encoded in the address.
    const key = (params.course ?? '').replace(/^event%3A/i, 'event:');
    const activity = isEventActivityKey(key) ? (await eventCreditActivities(ctx)).find((a) => a.key === key) : key;
    if (!activity) throw new NotFoundError('No event with credit has this address.');
    const { filename, body } = await activityReport(ctx, activity);
    return csvDownload(filename, body);
  } catch (error) {
    return endpointErrorResponse(error);
  }
};
