import { defineMiddleware, sequence } from 'astro:middleware';
import { settings } from '#server/platform/settings.ts';
import { clientIpFrom } from '#lib/client-ip.ts';
import { db } from '#server/platform/db.ts';
import {
  clearSessionCookie,
  clearSignedInHint,
  sessionCookieName,
  setSignedInHint,
  validateSessionToken,
} from '#server/accounts/index.ts';
import { SIGNED_IN_HINT_COOKIE } from '#lib/signed-in-hint.ts';
import { isDatabaseUnavailable, serviceUnavailableResponse } from '#server/kernel/unavailable.ts';
import { refuseUnreadableBodies } from '#server/kernel/body-refusals.ts';
import { server as actions } from './actions/index.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses every state-changing request that a browser sends from another site: forms,
 * Actions and JSON alike. The one origin check (Astro's checkOrigin is off, see
 * astro.config.mjs). Browsers send Origin with every POST; a request with neither
 * Origin nor Sec-Fetch-Site comes from outside a browser, e.g. a mail app's one-click
 * unsubscribe, and carries no one's cookies by accident.
 */
const sameOriginWrites = defineMiddleware((context, next) => {
  if (SAFE_METHODS.has(context.request.method)) return next();
  const headers = context.request.headers;
  const origin = headers.get('origin');
  const fetchSite = headers.get('sec-fetch-site');
  const allowed = new Set([context.url.origin, new URL(settings().PUBLIC_URL).origin]);
  const crossSite =
    (origin !== null && !allowed.has(origin)) ||
    (fetchSite !== null && fetchSite !== 'same-origin' && fetchSite !== 'none');
  if (crossSite) {
    return new Response('Cross-site requests are not allowed.', {
      status: 403,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  return next();
});

/** JSON gets Astro's own readable refusal ("This action only accepts FormData."). */
const ACTION_BODY_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|application\/json)\b/i;

/** `/_actions/<group>.<name>` for an action that exists; anything else is a plain 404, never a crash. */
const knownActionsOnly = defineMiddleware((context, next) => {
  if (!context.url.pathname.startsWith('/_actions/')) return next();
  const [group, name, ...rest] = context.url.pathname.slice('/_actions/'.length).split('.');
  const actionGroup: object | undefined =
    group && Object.hasOwn(actions, group) ? actions[group as keyof typeof actions] : undefined;
  if (!rest.length && name && actionGroup && Object.hasOwn(actionGroup, name)) return next();
  return new Response('No such action.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
});

/** Every Action takes a form; for any other body Astro answers a bare 415 code with no words. */
const formBodiedActions = defineMiddleware((context, next) => {
  if (context.request.method !== 'POST' || !context.url.pathname.startsWith('/_actions/')) return next();
  if (ACTION_BODY_TYPES.test(context.request.headers.get('content-type') ?? '')) return next();
  return Response.json(
    {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Send this as a form (application/x-www-form-urlencoded or multipart/form-data).',
    },
    { status: 415 },
  );
});

/** A body refused as too large (413) or that does not parse (400): said in words, never a 500. */
const unreadableBodies = defineMiddleware(refuseUnreadableBodies);

const session = defineMiddleware(async (context, next) => {
  const config = settings();
  const secure = config.PUBLIC_URL.startsWith('https:') || context.url.protocol === 'https:';
  context.locals.secureCookies = secure;
  context.locals.user = null;
  context.locals.session = null;
  // Pages prerendered at build time have no request to read.
  if (context.isPrerendered) return next();
  // The address our own proxy saw, never one the client wrote (src/lib/client-ip.ts).
  context.locals.clientIp = clientIpFrom(
    context.request.headers.get('x-forwarded-for'),
    config.TRUST_PROXY,
    safeClientAddress(context),
  );

  const token = context.cookies.get(sessionCookieName(secure))?.value;
  if (token) {
    const result = await validateSessionToken(await db(), token);
    if (result) {
      context.locals.user = result.user;
      context.locals.session = result.session;
      // Sessions begun before the hint existed get it on their next page.
      if (!context.cookies.has(SIGNED_IN_HINT_COOKIE))
        setSignedInHint(context.cookies, result.session.expires_at, secure);
    } else {
      clearSessionCookie(context.cookies, secure);
    }
  } else if (context.cookies.has(SIGNED_IN_HINT_COOKIE)) {
    // The session cookie expired in the browser: static pages must stop showing the signed-in header.
    clearSignedInHint(context.cookies, secure);
  }
  return next();
});

function safeClientAddress(context: { clientAddress: string }): string | undefined {
  try {
    return context.clientAddress;
  } catch {
    return undefined;
  }
}

/** When the database does not answer, say so plainly with 503 and Retry-After instead of a 500. */
const databaseOutage = defineMiddleware(async (context, next) => {
  try {
    return await next();
  } catch (error) {
    if (isDatabaseUnavailable(error)) return serviceUnavailableResponse(context.request);
    throw error;
  }
});

const securityHeaders = defineMiddleware(async (context, next) => {
  const response = await next();
  const headers = response.headers;
  const csp = headers.get('content-security-policy');
  if (csp && !csp.includes('frame-ancestors'))
    headers.set('content-security-policy', `${csp.replace(/[;\s]+$/, '')}; frame-ancestors 'none'`);
  if (!context.isPrerendered && !headers.has('cache-control')) headers.set('cache-control', 'private, no-store');
  return response;
});

export const onRequest = sequence(
  securityHeaders,
  databaseOutage,
  knownActionsOnly,
  sameOriginWrites,
  unreadableBodies,
  formBodiedActions,
  session,
);
