import { ConflictError, FieldError, ForbiddenError, NotFoundError, ThrottledError } from './errors.ts';
import { ActionError } from 'astro:actions';
import { isDatabaseUnavailable } from './unavailable.ts';

// The one mapping from the service error vocabulary to HTTP: Actions (asActionError),
// pages (pageErrorResponse) and endpoints (endpointErrorResponse) all answer from it.

const STATUS_OF = new Map<new (...args: never[]) => Error, number>([
  [FieldError, 400],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [ThrottledError, 429],
]);

/** The HTTP status of a service error; undefined for anything else (a bug, an outage). */
export function statusOf(error: unknown): number | undefined {
  for (const [type, status] of STATUS_OF) if (error instanceof type) return status;
  return undefined;
}

/**
 * For a page whose service refused: 404 with no body (Astro then renders the site's
 * not-found page), otherwise the status with the reason as plain text. Anything that is
 * not a service error is thrown on, to the middleware's outage and bug handling.
 */
export function pageErrorResponse(error: unknown): Response {
  const status = statusOf(error);
  if (status === undefined) throw error;
  if (status === 404) return new Response(null, { status });
  return endpointErrorResponse(error);
}

/** For an endpoint (CSV, JSON): the status with the reason, as plain text or as `{ error }` JSON. */
export function endpointErrorResponse(error: unknown, format: 'text' | 'json' = 'text', headers = {}): Response {
  const status = statusOf(error);
  if (status === undefined) throw error;
  const message = (error as Error).message;
  if (format === 'json') return Response.json({ error: message }, { status, headers });
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/**
 * Turns a service error into what the form shows: a FieldError becomes an input
 * error on that field (the same shape zod failures take, so pages read both one
 * way), a throttle becomes a 429 that says when to retry, a database outage a 503.
 * Anything else is a bug: logged here, and answered without its internals.
 */
export function asActionError(error: unknown): ActionError {
  if (error instanceof ActionError) return error;
  if (error instanceof FieldError) {
    const actionError = new ActionError({ code: 'BAD_REQUEST', message: error.message });
    return Object.assign(actionError, {
      type: 'AstroActionInputError',
      issues: [{ code: 'custom', path: [error.field], message: error.message }],
      fields: { [error.field]: [error.message] },
    });
  }
  const status = statusOf(error);
  if (status !== undefined)
    return new ActionError({ code: ActionError.statusToCode(status), message: (error as Error).message });
  if (isDatabaseUnavailable(error)) {
    return new ActionError({
      code: 'SERVICE_UNAVAILABLE',
      message:
        'Rounds cannot reach its database right now. Nothing you entered is lost; please try again in a few seconds.',
    });
  }
  console.error(error);
  return new ActionError({
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Something went wrong on our side. Nothing you entered is lost; please try again.',
  });
}

/** Runs a handler body, translating service errors for the form. */
export async function run<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw asActionError(error);
  }
}

export function requireUser<T>(user: T | null | undefined): T {
  if (!user) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Please sign in to continue.' });
  return user;
}
