export const REFLECTION_MAX = 10_000;
/** Show the character counter once the text gets this close to the limit. */
export const REFLECTION_COUNTER_FROM = 8_000;

/** What a form without script says when a reflection is over the limit: how long it is and how much to cut. */
export function reflectionTooLongMessage(length: number): string {
  const n = (value: number) => value.toLocaleString('en');
  return `Too long to save: ${n(length)} characters, ${n(length - REFLECTION_MAX)} over the limit of ${n(REFLECTION_MAX)}. Shorten it and save again; your text is kept below.`;
}

// Request bodies (enforced by the HTTP server, src/server/platform/request-body.ts, before
// anything reads them). A form posted without script is urlencoded: one character of the
// text can take 9 bytes (a 3-byte UTF-8 character as `%E4%BD%A0`; the limits count UTF-16
// units, so an emoji is 2 units for 12 bytes). The limits leave room for text somewhat over
// a field's limit to reach the field's own message ("Too long to save: …").

/** Any request that carries no long text: every form but a reflection (the longest field, an event's welcome message, is 1,000 characters). */
export const FORM_BODY_MAX = 32 * 1024;
/** A reflection (REFLECTION_MAX characters, 9 bytes each at worst) and the form's other fields. */
export const REFLECTION_BODY_MAX = REFLECTION_MAX * 9 + 4 * 1024;

/**
 * The evaluation of a credit activity: three comment boxes (1,000 + 1,000 + 2,000 characters)
 * and its choices; also an event's credit form (disclosures and outcomes, 2,000 each).
 */
export const CREDIT_EVALUATION_BODY_MAX = 4_000 * 9 + 4 * 1024;

/**
 * A SCIM request (`/scim/v2/…`, JSON from an organisation's directory): a group's PATCH
 * can carry many members at once (Entra ID sends up to a few hundred per request).
 */
export const SCIM_BODY_MAX = 256 * 1024;

/** Whether a request's path is the SCIM service's. */
export function isScimPath(url: string | undefined): boolean {
  return url !== undefined && (url === '/scim/v2' || url.startsWith('/scim/v2/') || url.startsWith('/scim/v2?'));
}

/** A SCIM body refused as too large, as an RFC 7644 error (the HTTP server answers it without reading the body). */
export function scimTooLargeBody(limit: number): string {
  return JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: '413',
    detail: `Request body too large: over this service's limit of ${limit.toLocaleString('en')} bytes.`,
  });
}

/** The Actions whose forms carry a reflection or the evaluation's comments; every other request may send FORM_BODY_MAX. */
const BODY_MAX_BY_ACTION: Record<string, number> = {
  'reflections.save': REFLECTION_BODY_MAX,
  'reflections.restore': REFLECTION_BODY_MAX,
  'credit.submitEvaluation': CREDIT_EVALUATION_BODY_MAX,
  'events.saveCredit': CREDIT_EVALUATION_BODY_MAX,
};

/** The largest body a request to this Action (or to anything else, `null`) may send. */
export function bodyMaxFor(actionName: string | null): number {
  return (
    (actionName !== null && Object.hasOwn(BODY_MAX_BY_ACTION, actionName) && BODY_MAX_BY_ACTION[actionName]) ||
    FORM_BODY_MAX
  );
}

/** What a form says when what was sent is over its limit: nothing was read, so nothing typed can be put back. */
export const BODY_TOO_LARGE_MESSAGE =
  'Too long to send: what you typed is over this form’s limit, so nothing was saved and it could not be kept here. Go back to copy your text, shorten it and send it again.';
