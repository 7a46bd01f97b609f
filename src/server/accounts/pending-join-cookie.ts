import type { AstroCookies } from 'astro';

// Holds an invite code while its holder confirms their email, so that Today can offer to
// finish joining. Flags as the session cookie's: HttpOnly, SameSite=Lax, Path=/, and
// Secure with the __Host- prefix on https; it lives as long as the confirmation link (48 h).

const MAX_AGE_SECONDS = 48 * 60 * 60;

export function pendingJoinCookieName(secure: boolean): string {
  return secure ? '__Host-rounds_pending_join' : 'rounds_pending_join';
}

export function keepPendingJoin(cookies: AstroCookies, code: string, secure: boolean): void {
  cookies.set(pendingJoinCookieName(secure), code, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    maxAge: MAX_AGE_SECONDS,
  });
}

export function pendingJoin(cookies: AstroCookies, secure: boolean): string | undefined {
  return cookies.get(pendingJoinCookieName(secure))?.value;
}

export function clearPendingJoin(cookies: AstroCookies, secure: boolean): void {
  if (cookies.has(pendingJoinCookieName(secure)))
    cookies.set(pendingJoinCookieName(secure), '', { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: 0 });
}
