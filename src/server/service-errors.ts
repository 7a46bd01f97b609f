// What a service refuses, in words the person can read. Actions turn these into
// 404 / 403 / 409 (src/server/action-errors.ts); pages and routes check them too.
export class NotFoundError extends Error {}
export class ForbiddenError extends Error {}
/** The thing is not in a state that allows the change (already revoked, already reissued…). */
export class ConflictError extends Error {}
