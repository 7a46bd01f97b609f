// What the service worker (src/service-worker/worker.ts) and the pages that talk to it agree on.
// Shared, so the cache a page reads is the cache the worker writes.

/** Lesson, course and catalogue pages fetched online or saved for a shift. Wiped when the person changes. */
export const PAGES_CACHE = 'rounds-pages';
/** How many pages the cache keeps (a lesson page is about 25 KB, so at most about 1 MB) and for how long. */
export const PAGES_CACHE_MAX_ENTRIES = 40;
export const PAGES_CACHE_MAX_AGE_SECONDS = 14 * 24 * 60 * 60;
/** A slow network gives way to the saved copy of a lesson after this long. */
export const LESSON_NETWORK_TIMEOUT_SECONDS = 3;
/** "Save for my shift" saves at most this many lessons (the course pages they belong to come too). */
export const SHIFT_LESSONS_MAX = 12;
/** Where a page that was never saved sends the learner while offline. */
export const OFFLINE_PAGE = '/offline';
export const SAVE_FOR_SHIFT_MESSAGE = 'save-for-shift';
/** Pages rendered on demand tell the worker whom they were rendered for (a hash; '' for a visitor). */
export const PERSON_MESSAGE = 'person';
/** Where the worker remembers whom the saved pages belong to. */
export const PERSON_CACHE = 'rounds-person';

export type PageKind = 'catalogue' | 'course' | 'lesson';

/** The pages the worker may keep; everything else (Today, journal, account, teams, data) is never cached. */
export function cacheablePage(pathname: string): PageKind | null {
  if (pathname === '/courses' || pathname === '/courses/') return 'catalogue';
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] !== 'courses' || parts.some((part) => part.includes('.'))) return null;
  if (parts.length === 2) return 'course';
  if (parts.length === 3) return 'lesson';
  return null;
}

/**
 * Form posts after which a different person may be using the browser: signing in, up or out,
 * resetting a password, deleting the account. The worker wipes the pages cache before sending them.
 */
const PERSON_CHANGING_ACTIONS = new Set([
  'accounts.signIn',
  'accounts.signUp',
  'accounts.signOut',
  'accounts.resetPassword',
  'accounts.deleteAccount',
]);

export function changesPerson(url: URL, method: string): boolean {
  return method === 'POST' && PERSON_CHANGING_ACTIONS.has(url.searchParams.get('_action') ?? '');
}
