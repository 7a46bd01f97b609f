import QRCode from 'qrcode';

// Join links as QR codes, for events and teams alike: black on white with a quiet zone of
// four modules (what phone cameras need), medium error correction (survives a smudge).

/** Vector: scales to any projector or printer. */
export function qrSvgResponse(url: string, filename: string): Promise<Response> {
  return QRCode.toString(url, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 4,
    color: { dark: '#000000', light: '#ffffff' },
  }).then((svg) => qrResponse(svg, 'image/svg+xml', `${filename}.svg`));
}

/** A 1200 px PNG: sharp on a full-height slide at 1080p. */
export async function qrPngResponse(url: string, filename: string): Promise<Response> {
  const png = await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 4, width: 1200 });
  return qrResponse(new Uint8Array(png), 'image/png', `${filename}.png`);
}

function qrResponse(body: BodyInit, type: string, filename: string): Response {
  // No caching beyond revalidation: a regenerated or withdrawn code must show at once.
  return new Response(body, {
    headers: {
      'content-type': type,
      'cache-control': 'no-cache',
      'content-disposition': `inline; filename="${filename}"`,
    },
  });
}
