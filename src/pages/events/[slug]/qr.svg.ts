import type { APIRoute } from 'astro';
import { qrSvgResponse } from '#lib/qr.ts';
import { db } from '#server/platform/db.ts';
import { joinLinkOf } from '#server/events/index.ts';

// The join link as a QR code for a slide (vector).
export const GET: APIRoute = async ({ params }) => {
  const event = await joinLinkOf(await db(), params.slug ?? '');
  if (event === 'not-found')
    return new Response('No such event.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (event === 'closed')
    return new Response('Joining this event has closed.', {
      status: 410,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  return qrSvgResponse(event.url, `${event.slug}-join`);
};
