import type { PublicUser } from '#server/kernel/context.ts';
import type { AstroCookies } from 'astro';
import type { Executor } from '#server/platform/db.ts';
import { randomToken, hashSecret, secretMatches } from '#server/kernel/tokens.ts';
import { deleteSession, findSessionWithUser, insertSession, touchSession } from './sessions-repo.ts';
import { recordSignIn } from './people-repo.ts';

import type { Session } from '#db/schema.ts';
import { SIGNED_IN_HINT_COOKIE } from '#lib/signed-in-hint.ts';

// The Lucia design (lucia-auth.com): token = "<id>.<secret>"; only SHA-256(secret) is stored.
const DAY = 24 * 60 * 60 * 1000;
export const INACTIVITY_TIMEOUT = 10 * DAY;
export const ABSOLUTE_LIFETIME = 30 * DAY;
const REFRESH_INTERVAL = 60 * 60 * 1000;

export interface SessionWithUser {
  session: Pick<Session, 'id' | 'user_id' | 'expires_at' | 'created_at'>;
  user: PublicUser;
}

function nextExpiry(createdAt: Date, now: number): Date {
  return new Date(Math.min(now + INACTIVITY_TIMEOUT, createdAt.getTime() + ABSOLUTE_LIFETIME));
}

export async function createSession(db: Executor, userId: string, userAgent: string) {
  const id = randomToken(15); // 120 bits
  const secret = randomToken(20); // 160 bits
  const session = await insertSession(db, {
    id,
    secretHash: hashSecret(secret),
    userId,
    expiresAt: nextExpiry(new Date(), Date.now()),
    userAgent: userAgent.slice(0, 300),
  });
  // Every new session is a sign-in (signing up and resetting a password sign in too): the people list shows the last.
  await recordSignIn(db, userId);
  return { token: `${id}.${secret}`, session };
}

export async function validateSessionToken(db: Executor, token: string): Promise<SessionWithUser | null> {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  const session = await findSessionWithUser(db, id);
  if (!session || !secretMatches(secret, session.secret_hash)) return null;
  const now = Date.now();
  if (session.expires_at.getTime() <= now) {
    await deleteSession(db, id);
    return null;
  }
  // Slide the inactivity window, writing at most once an hour.
  if (now - session.last_seen_at.getTime() >= REFRESH_INTERVAL) {
    session.expires_at = nextExpiry(session.created_at, now);
    await touchSession(db, id, session.expires_at);
  }
  const user: PublicUser = {
    id: session.user_id,
    email: session.email,
    name: session.name,
    email_verified_at: session.email_verified_at,
    is_admin: session.is_admin,
    created_at: session.user_created_at,
    timeZone: session.time_zone,
  };
  return {
    session: {
      id: session.id,
      user_id: session.user_id,
      expires_at: session.expires_at,
      created_at: session.created_at,
    },
    user,
  };
}

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-session' : 'session';
}

/** The session cookie, and with it the signed-in hint for prerendered pages' header (same lifetime). */
export function setSessionCookie(cookies: AstroCookies, token: string, expiresAt: Date, secure: boolean): void {
  cookies.set(sessionCookieName(secure), token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    expires: expiresAt,
  });
  setSignedInHint(cookies, expiresAt, secure);
}

export function clearSessionCookie(cookies: AstroCookies, secure: boolean): void {
  cookies.set(sessionCookieName(secure), '', { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge: 0 });
  clearSignedInHint(cookies, secure);
}

/** Readable by the page's script on purpose (src/lib/signed-in-hint.ts); it holds no secret. */
export function setSignedInHint(cookies: AstroCookies, expiresAt: Date, secure: boolean): void {
  cookies.set(SIGNED_IN_HINT_COOKIE, '1', { httpOnly: false, sameSite: 'lax', path: '/', secure, expires: expiresAt });
}

export function clearSignedInHint(cookies: AstroCookies, secure: boolean): void {
  cookies.set(SIGNED_IN_HINT_COOKIE, '', { httpOnly: false, sameSite: 'lax', path: '/', secure, maxAge: 0 });
}
