/**
 * Whether a request is a mail app's one-click unsubscribe (RFC 8058): a POST whose
 * form body is `List-Unsubscribe=One-Click`, sent to the link from the mail's
 * List-Unsubscribe header. A person opening the link gets a page with a button instead.
 */
export async function isOneClickUnsubscribe(request: Request): Promise<boolean> {
  if (request.method !== 'POST') return false;
  const type = request.headers.get('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return false;
  // At most FORM_BODY_MAX bytes: the HTTP server refuses a larger body unread (request-body.ts).
  const form = await request
    .clone()
    .formData()
    .catch(() => undefined);
  return form?.get('List-Unsubscribe') === 'One-Click';
}
