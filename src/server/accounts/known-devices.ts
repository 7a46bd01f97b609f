import type { AstroCookies } from 'astro';
import type { Executor } from '#server/platform/db.ts';
import { signLink, verifyLink } from '#server/platform/signed-links.ts';

// A device that signed in to an account before gets a signed cookie naming a random
// device id and (in the signature) the account. With it, the right password gets in even
// while guessers elsewhere have the account's sign-in throttled, and failures on it count
// per device. It holds no secret of the account: it only says "this browser was let in".
// One account per browser: signing in to another replaces it.

const YEAR_SECONDS = 365 * 24 * 60 * 60;

const purpose = (userId: string) => `known-device:${userId}`;

export function knownDeviceCookieName(secure: boolean): string {
  return secure ? '__Host-device' : 'device';
}

export function newKnownDeviceToken(db: Executor, userId: string): Promise<string> {
  return signLink(db, purpose(userId), crypto.randomUUID());
}

/** The device's id when `token` was given to this account at an earlier sign-in, else undefined. */
export function knownDeviceId(db: Executor, userId: string, token: string): Promise<string | undefined> {
  return verifyLink(db, purpose(userId), token);
}

export function knownDeviceToken(cookies: AstroCookies, secure: boolean): string | undefined {
  return cookies.get(knownDeviceCookieName(secure))?.value || undefined;
}

export function setKnownDeviceCookie(cookies: AstroCookies, token: string, secure: boolean): void {
  cookies.set(knownDeviceCookieName(secure), token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    maxAge: YEAR_SECONDS,
  });
}
