import type { AstroCookies } from 'astro';

// The state this browser was given when it left for the provider: the answer must come
// back to the same browser (no one else's sign-in can be finished here). HttpOnly,
// SameSite=Lax (the provider sends the browser back with a top-level GET), ten minutes.

const MAX_AGE_SECONDS = 10 * 60;

function name(secure: boolean): string {
  return secure ? '__Host-rounds_sso_state' : 'rounds_sso_state';
}

export function setSsoStateCookie(cookies: AstroCookies, state: string, secure: boolean): void {
  cookies.set(name(secure), state, { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: MAX_AGE_SECONDS });
}

export function ssoStateCookie(cookies: AstroCookies, secure: boolean): string | undefined {
  return cookies.get(name(secure))?.value;
}

export function clearSsoStateCookie(cookies: AstroCookies, secure: boolean): void {
  cookies.set(name(secure), '', { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: 0 });
}
