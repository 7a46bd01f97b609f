// The bodies an Action cannot read, answered in words (Astro alone would answer a 500 and
// log a stack trace for a client's mistake): one the HTTP server refused as too large,
// unread (413, src/server/platform/request-body.ts), and JSON or a form that does not
// parse (400). An island's call gets Astro's JSON error; a page's form renders with the
// message above it, and the error's status.
import type { APIContext, MiddlewareNext } from 'astro';
import { ActionError, getActionContext } from 'astro:actions';
import { BODY_TOO_LARGE_MESSAGE } from '#lib/limits.ts';

const NOT_JSON =
  'The body is not valid JSON. Actions take a form: send application/x-www-form-urlencoded or multipart/form-data.';
const NOT_A_FORM = 'The form could not be read (its body is malformed). Send it again from the page.';

/** Why this body cannot be read, or undefined when it can. Bodies are at most a few KB (the HTTP server's limits). */
async function unreadable(request: Request): Promise<ActionError | undefined> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  try {
    if (type === 'application/json') {
      const text = await request.clone().text();
      if (text) JSON.parse(text);
    } else if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
      await request.clone().formData();
    }
    return undefined;
  } catch {
    return new ActionError({ code: 'BAD_REQUEST', message: type === 'application/json' ? NOT_JSON : NOT_A_FORM });
  }
}

export async function refuseUnreadableBodies(context: APIContext, next: MiddlewareNext): Promise<Response> {
  const { action, setActionResult, serializeActionResult } = getActionContext(context);
  if (!action) return next();
  const error = context.locals.refusedBody
    ? new ActionError({ code: 'CONTENT_TOO_LARGE', message: BODY_TOO_LARGE_MESSAGE })
    : await unreadable(context.request);
  if (!error) return next();
  const result = serializeActionResult({ data: undefined, error });
  if (action.calledFrom === 'rpc') {
    const body = result.type === 'error' ? result.body : JSON.stringify({ message: error.message });
    return new Response(body, { status: error.status, headers: { 'content-type': 'application/json' } });
  }
  setActionResult(action.name, result);
  // The page shows the message above its form, with the error's status; a page that
  // redirects (back to the lesson) or shows something else (an invite that does not
  // exist) would hide it, so then the message goes alone.
  const page = await next();
  const html = await page.text();
  if (html.includes(error.message)) return new Response(html, { status: error.status, headers: page.headers });
  return new Response(error.message, {
    status: error.status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}
