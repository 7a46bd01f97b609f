import type { APIRoute } from 'astro';
import QRCode from 'qrcode';
import { db } from '#server/platform/db.ts';
import { joinLinkOf } from '#server/events/index.ts';

// The join link as a 1200 px PNG: sharp on a full-height slide at 1080p.
export const GET: APIRoute = async ({ params }) => {
  const event = await joinLinkOf(await db(), params.slug ?? '');
  if (event === 'not-found')
    return new Response('No such event.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (event === 'closed')
    return new Response('Joining this event has closed.', {
      status: 410,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  const png = await QRCode.toBuffer(event.url, { type: 'png', errorCorrectionLevel: 'M', margin: 4, width: 1200 });
  return new Response(new Uint8Array(png), {
    headers: {
      'content-type': 'image/png',
      'cache-control': 'no-cache',
      'content-disposition': `inline; filename="${event.slug}-join.png"`,
    },
  });
};
