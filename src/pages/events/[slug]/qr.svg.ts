import type { APIRoute } from 'astro';
import QRCode from 'qrcode';
import { db } from '#server/platform/db.ts';
import { joinLinkOf } from '#server/events/index.ts';

// The join link as a QR code for a slide: vector, scales to any projector.
export const GET: APIRoute = async ({ params }) => {
  const event = await joinLinkOf(await db(), params.slug ?? '');
  if (event === 'not-found')
    return new Response('No such event.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (event === 'closed')
    return new Response('Joining this event has closed.', {
      status: 410,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  const svg = await QRCode.toString(event.url, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 4,
    color: { dark: '#000000', light: '#ffffff' },
  });
  // No caching beyond revalidation: a regenerated code must show at once.
  return new Response(svg, {
    headers: {
      'content-type': 'image/svg+xml',
      'cache-control': 'no-cache',
      'content-disposition': `inline; filename="${event.slug}-join.svg"`,
    },
  });
};
