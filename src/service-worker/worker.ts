// The service worker. Built after `astro build` by src/service-worker/build.ts: bundled with
// esbuild, then @serwist/build injects the list of the build's files to precache.
//
// - Precached: the hashed scripts and styles, the offline page, the manifest and icons.
// - Lesson and catalogue pages (the same for everyone): network first, the saved copy after
//   3 s or when offline. Course pages carry the learner's progress: network first with no
//   timeout, so a slow server never shows old progress; the saved copy only when offline.
// - Everything else (Today, journal, account, teams, Actions, state.json) is never cached:
//   offline, a page that was not saved shows the offline page.
// - Signing in, up or out (and similar) wipes the pages cache first, and so does a page
//   rendered for someone else than the last one: a shared ward phone never shows one
//   person's pages to the next.
import { ExpirationPlugin, NetworkFirst, NetworkOnly, Serwist, type PrecacheEntry } from 'serwist';
import {
  LESSON_NETWORK_TIMEOUT_SECONDS,
  OFFLINE_PAGE,
  PAGES_CACHE,
  PAGES_CACHE_MAX_AGE_SECONDS,
  PAGES_CACHE_MAX_ENTRIES,
  PERSON_CACHE,
  PERSON_MESSAGE,
  SAVE_FOR_SHIFT_MESSAGE,
  cacheablePage,
  changesPerson,
} from '../lib/offline.ts';
import { notificationOf, sameSitePath } from '../lib/push-payload.ts';

interface WorkerScope {
  __SW_MANIFEST: (PrecacheEntry | string)[];
  location: Location;
  registration: ServiceWorkerRegistration;
  clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  addEventListener(type: 'fetch', listener: (event: FetchLikeEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageLikeEvent) => void): void;
  addEventListener(type: 'push', listener: (event: PushLikeEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationClickLikeEvent) => void): void;
}
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  navigate(url: string): Promise<unknown>;
}
interface PushLikeEvent extends Event {
  data: { text(): string } | null;
  waitUntil(promise: Promise<unknown>): void;
}
interface NotificationClickLikeEvent extends Event {
  notification: Notification;
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchLikeEvent extends Event {
  request: Request;
  waitUntil(promise: Promise<unknown>): void;
}
interface MessageLikeEvent extends Event {
  data: unknown;
  ports: readonly MessagePort[];
  waitUntil(promise: Promise<unknown>): void;
}
declare const self: WorkerScope;

const expiration = new ExpirationPlugin({
  maxEntries: PAGES_CACHE_MAX_ENTRIES,
  maxAgeSeconds: PAGES_CACHE_MAX_AGE_SECONDS,
  purgeOnQuotaError: true,
});
const savedPages = (networkTimeoutSeconds?: number) =>
  new NetworkFirst({ cacheName: PAGES_CACHE, networkTimeoutSeconds, plugins: [expiration] });
const lessonPages = savedPages(LESSON_NETWORK_TIMEOUT_SECONDS);
const coursePages = savedPages();

const sameOrigin = (url: URL) => url.origin === self.location.origin;

/**
 * Empties the saved pages. The cache is deleted by name: the plugin only knows the caches it
 * has touched since the worker last started, and a worker is stopped whenever it is idle.
 */
async function forgetPages(): Promise<void> {
  await expiration.deleteCacheAndMetadata();
  await caches.delete(PAGES_CACHE);
}

/** Wiping and saving take turns, so a wipe never lands in the middle of "Save for my shift". */
let queue: Promise<unknown> = Promise.resolve();
function inTurn<T>(task: () => Promise<T>): Promise<T> {
  const next = queue.then(task, task);
  queue = next.catch(() => undefined);
  return next;
}

const serwist = new Serwist({
  precacheEntries: self.__SW_MANIFEST,
  precacheOptions: { cleanupOutdatedCaches: true },
  cacheId: 'rounds',
  // A new deploy's worker takes over at once; an open page keeps the scripts it already
  // loaded, and its next navigation goes through the new worker.
  skipWaiting: true,
  clientsClaim: true,
  runtimeCaching: [
    {
      matcher: ({ url, request }) =>
        sameOrigin(url) && request.method === 'GET' && cacheablePage(url.pathname) === 'course',
      handler: coursePages,
    },
    {
      matcher: ({ url, request }) =>
        sameOrigin(url) && request.method === 'GET' && cacheablePage(url.pathname) !== null,
      handler: lessonPages,
    },
    // Other pages go to the network, so that a failed one gets the offline page. Other
    // requests (Actions, state.json) are left to the browser: the worker never sees them.
    { matcher: ({ url, request }) => sameOrigin(url) && request.mode === 'navigate', handler: new NetworkOnly() },
  ],
  fallbacks: { entries: [{ url: OFFLINE_PAGE, matcher: ({ request }) => request.mode === 'navigate' }] },
});

// Before Serwist's listeners: a post that changes who is signed in empties the pages cache
// before it reaches the server (the response then comes from the network as usual).
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (sameOrigin(url) && changesPerson(url, event.request.method)) {
    event.waitUntil(inTurn(forgetPages));
  }
});

// Every page rendered on demand says whom it was rendered for; when that changes (a session
// that ended without a sign-out, someone else signing in), the saved pages go.
const PERSON_KEY = '/person';
async function notePerson(person: string): Promise<void> {
  const cache = await caches.open(PERSON_CACHE);
  const known = await (await cache.match(PERSON_KEY))?.text();
  if (known === person) return;
  if (known !== undefined) await forgetPages();
  await cache.put(PERSON_KEY, new Response(person));
}
self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown; person?: unknown } | null;
  if (data?.type === PERSON_MESSAGE && typeof data.person === 'string')
    event.waitUntil(inTurn(() => notePerson(data.person as string)));
});

// "Save for my shift" (src/components/SaveForShift.astro): fetch the given pages into the cache
// and answer with how many were saved.
self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown; urls?: unknown } | null;
  const reply = event.ports[0];
  if (data?.type !== SAVE_FOR_SHIFT_MESSAGE || !Array.isArray(data.urls) || !reply) return;
  const urls = data.urls.filter(
    (raw): raw is string =>
      typeof raw === 'string' &&
      sameOrigin(new URL(raw, self.location.origin)) &&
      cacheablePage(new URL(raw, self.location.origin).pathname) !== null,
  );
  const saving = inTurn(() =>
    Promise.allSettled(
      urls.map(async (raw) => {
        const request = new Request(new URL(raw, self.location.origin), { credentials: 'same-origin' });
        const strategy = cacheablePage(new URL(request.url).pathname) === 'course' ? coursePages : lessonPages;
        // handleAll: the second promise settles once the page is in the cache, not just fetched.
        const [response, stored] = strategy.handleAll({ request, event: event as never });
        if (!(await response).ok) throw new Error(`not saved: ${raw}`);
        await stored;
      }),
    ),
  ).then((results) => {
    const saved = results.filter((result) => result.status === 'fulfilled').length;
    reply.postMessage({ saved, failed: results.length - saved });
  });
  event.waitUntil(saving);
});

// Reminders by push (decision 0044): every push shows a notification (iOS revokes a site's
// permission when pushes show nothing), and a tap opens the page it names, on this site only.
self.addEventListener('push', (event) => {
  const shown = notificationOf(event.data?.text(), self.location.origin);
  event.waitUntil(
    self.registration.showNotification(shown.title, {
      body: shown.body,
      tag: shown.tag,
      icon: '/icons/icon-192.png',
      badge: '/icons/maskable-192.png',
      data: { url: shown.url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = sameSitePath((event.notification.data as { url?: unknown } | null)?.url, self.location.origin);
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      // A window of Rounds already open is reused (the installed app has one), else a new one.
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        // navigate() refuses a window the worker does not control: open a new one then.
        await open.navigate(target).catch(() => self.clients.openWindow(target));
        return;
      }
      await self.clients.openWindow(target);
    }),
  );
});

serwist.addEventListeners();
