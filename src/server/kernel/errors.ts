// The one vocabulary for what a service refuses, in words the person can read.
// kernel/error-responses.ts turns each into an Action error or an HTTP status, in one place.

/** The thing does not exist, or the person may not know that it does (404). */
export class NotFoundError extends Error {}

/** The person is known but may not do this (403). */
export class ForbiddenError extends Error {}

/** The thing is not in a state that allows the change: already revoked, already reissued… (409). */
export class ConflictError extends Error {}

/** A problem with one form field, shown next to it (400). */
export class FieldError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** Too many attempts; says when to try again (429). */
export class ThrottledError extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(`Too many attempts. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
