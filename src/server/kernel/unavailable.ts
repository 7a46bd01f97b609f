// Errors that mean "the database is not answering right now" (down, restarting,
// unreachable), as opposed to a bug. These become a 503 with Retry-After.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof candidate.code === 'string' && UNAVAILABLE_CODES.has(candidate.code)) return true;
    if (
      typeof candidate.message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(candidate.message)
    )
      return true;
    if (Array.isArray(candidate.errors) && candidate.errors.some(isDatabaseUnavailable)) return true;
    current = candidate.cause;
  }
  return false;
}

export const RETRY_AFTER_SECONDS = 10;

export function serviceUnavailableResponse(request: Request): Response {
  const headers = { 'retry-after': String(RETRY_AFTER_SECONDS), 'cache-control': 'no-store' };
  const wantsJson =
    (request.headers.get('accept') ?? '').includes('application/json') ||
    new URL(request.url).pathname.startsWith('/_actions/');
  if (wantsJson) {
    return Response.json(
      { error: 'unavailable', message: 'Rounds cannot reach its database. Please try again shortly.' },
      { status: 503, headers },
    );
  }
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Try again shortly · Rounds</title></head>
<body style="font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5"><main><h1>Try again shortly</h1>
<p>Rounds cannot reach its database right now. Nothing you saved is lost. Please try again in a few seconds.</p><p><a href="${new URL(request.url).pathname}">Try again</a></p></main></body></html>`;
  return new Response(html, { status: 503, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } });
}
