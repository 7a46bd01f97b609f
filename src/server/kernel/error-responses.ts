import { ConflictError, FieldError, ForbiddenError, NotFoundError, ThrottledError } from './errors.ts';
import { ActionError } from 'astro:actions';

import { isDatabaseUnavailable } from './unavailable.ts';

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
  if (error instanceof ThrottledError) return new ActionError({ code: 'TOO_MANY_REQUESTS', message: error.message });
  if (error instanceof NotFoundError) return new ActionError({ code: 'NOT_FOUND', message: error.message });
  if (error instanceof ForbiddenError) return new ActionError({ code: 'FORBIDDEN', message: error.message });
  if (error instanceof ConflictError) return new ActionError({ code: 'CONFLICT', message: error.message });
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
