// What a push carries and what the service worker shows for it (decision 0044). Pure, so the
// worker and the unit tests share it. Every push shows a notification: iOS revokes the
// permission of a site whose pushes show nothing.

export interface ShownNotification {
  title: string;
  body: string;
  tag: string | undefined;
  /** Where a tap goes: a path on this site (Today when the push named none, or another site). */
  url: string;
}

const FALLBACK: ShownNotification = { title: 'Rounds', body: 'You have a reminder.', tag: undefined, url: '/' };

/** The notification for a push's text (JSON from `deliver`); anything unreadable still shows one. */
export function notificationOf(text: string | null | undefined, origin: string): ShownNotification {
  let data: unknown;
  try {
    data = JSON.parse(text ?? '');
  } catch {
    return FALLBACK;
  }
  if (!data || typeof data !== 'object') return FALLBACK;
  const { title, body, tag, url } = data as Record<string, unknown>;
  return {
    title: typeof title === 'string' && title.trim() ? title.slice(0, 120) : FALLBACK.title,
    body: typeof body === 'string' ? body.slice(0, 400) : FALLBACK.body,
    tag: typeof tag === 'string' && tag ? tag.slice(0, 64) : undefined,
    url: sameSitePath(url, origin),
  };
}

/** A path on this site for `url`; Today for anything else, so a push never opens another site. */
export function sameSitePath(url: unknown, origin: string): string {
  if (typeof url !== 'string') return '/';
  try {
    const parsed = new URL(url, origin);
    return parsed.origin === origin ? `${parsed.pathname}${parsed.search}${parsed.hash}` : '/';
  } catch {
    return '/';
  }
}
