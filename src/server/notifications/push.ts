import type { Kysely } from 'kysely';
import webPush from 'web-push';
import type { Database } from '#db/schema.ts';
import type { RequestContext } from '#server/kernel/context.ts';
import { FieldError } from '#server/kernel/errors.ts';
import { sendMail, type composeMail } from '#server/platform/mail.ts';
import type { Executor } from '#server/platform/db.ts';
import { settings } from '#server/platform/settings.ts';
import * as repo from './repo.ts';

// Web Push reminders (issue 20 §4, decision 0044). The VAPID key pair is made on first use
// and kept in the database, like the link-signing secret; each device that asked for
// reminders is one subscription. `deliver` is the one way a reminder leaves: push to the
// person's devices first, email when no device took it.

type OutgoingMail = ReturnType<typeof composeMail>;

/** The server's VAPID public key (base64url), which browsers subscribe with. */
export async function vapidPublicKey(db: Executor): Promise<string> {
  return (await repo.pushKeys(db, () => webPush.generateVAPIDKeys())).publicKey;
}

const NOT_A_PUSH_SERVICE =
  'This browser’s push service is not one Rounds can send to. Reminders come by email instead.';
const KEYS_BROKEN = 'This browser sent keys that do not work for push. Reminders come by email instead.';

/** Whether `endpoint` is at one of the push services in the PUSH_SERVICES setting. */
export function allowedPushEndpoint(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return settings().PUSH_SERVICES.some((entry) => {
    const allowed = new URL(entry.replace('//*.', '//wildcard.'));
    if (allowed.protocol !== url.protocol || allowed.port !== url.port) return false;
    return entry.includes('//*.')
      ? url.hostname.endsWith(allowed.hostname.slice('wildcard'.length))
      : url.hostname === allowed.hostname;
  });
}

const decodedLength = (value: string) => Buffer.from(value, 'base64url').length;

export interface SubscriptionInput {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Turns on reminders by push on this device for the person asking. The session is the one
 * the request came with (never from the client): signing out there turns them off.
 */
export async function subscribeToPush(
  ctx: RequestContext,
  input: SubscriptionInput & { sessionId: string | null },
): Promise<{ subscribed: true }> {
  if (!allowedPushEndpoint(input.endpoint)) throw new FieldError('endpoint', NOT_A_PUSH_SERVICE);
  // An uncompressed P-256 point (65 bytes, 0x04 first) and a 16-byte secret (RFC 8291).
  const key = Buffer.from(input.p256dh, 'base64url');
  if (key.length !== 65 || key[0] !== 4 || decodedLength(input.auth) !== 16)
    throw new FieldError('p256dh', KEYS_BROKEN);
  await repo.saveSubscription(ctx.db, {
    userId: ctx.user.id,
    sessionId: input.sessionId,
    endpoint: input.endpoint,
    p256dh: input.p256dh,
    auth: input.auth,
  });
  return { subscribed: true };
}

/** Turns reminders by push off on this device; only the person's own subscription goes. */
export async function unsubscribeFromPush(
  ctx: RequestContext,
  input: { endpoint: string },
): Promise<{ unsubscribed: boolean }> {
  return { unsubscribed: await repo.deleteSubscription(ctx.db, ctx.user.id, input.endpoint) };
}

/** Whether the person asking gets reminders by push on the device with this endpoint. */
export async function pushIsOn(ctx: RequestContext, endpoint: string): Promise<boolean> {
  return repo.hasSubscription(ctx.db, ctx.user.id, endpoint);
}

/**
 * Signing out ends the push subscriptions turned on in that session, so a shared ward phone
 * does not show one person's reminders to the next. Called before the session row goes.
 * With `userId`, only that person's (signing out one of their own devices).
 */
export async function forgetSessionDevices(db: Executor, sessionId: string, userId?: string): Promise<number> {
  return repo.deleteSubscriptionsOfSession(db, sessionId, userId);
}

/** "Sign out everywhere else": push ends on every other device of the person too. */
export async function forgetOtherDevices(db: Executor, userId: string, keepSessionId: string): Promise<number> {
  return repo.deleteOtherSubscriptions(db, userId, keepSessionId);
}

// ---------------------------------------------------------------- delivering a reminder

/** What the notification shows: a title, one or two sentences, and the page a tap opens. */
export interface PushMessage {
  title: string;
  body: string;
  /** A path on this site (or a full URL on it): the service worker opens only its own origin. */
  url: string;
  /** Notifications with the same tag replace each other on the device. */
  tag?: string;
}

/** One reminder for one person: the push and, for when no device takes it, the email. */
export interface Delivery {
  userId: string;
  push: PushMessage;
  mail: OutgoingMail;
}

export interface DeliverOptions {
  /** How mail leaves (tests replace it); default: SMTP or the outbox. */
  sendMail?: (db: Kysely<Database>, mail: OutgoingMail) => Promise<void>;
  /** How long one push service may take to answer. */
  pushTimeoutMs?: number;
}

/** How long a push service keeps a reminder for a phone that is off: a day, then email would have been better. */
const PUSH_TTL_SECONDS = 24 * 60 * 60;

/** The VAPID subject: the site when it is https, else the operator's address (push services accept no http URL). */
function vapidSubject(): string {
  const { PUBLIC_URL, ORGANIZATION_EMAIL, MAIL_FROM } = settings();
  if (PUBLIC_URL.startsWith('https://')) return PUBLIC_URL;
  const address = ORGANIZATION_EMAIL ?? /<([^>]+)>/.exec(MAIL_FROM)?.[1] ?? MAIL_FROM;
  return `mailto:${address.trim()}`;
}

type PushOutcome = 'delivered' | 'gone' | 'failed';

async function pushTo(
  subscription: repo.PushSubscriptionRow,
  payload: string,
  keys: repo.PushKeys,
  timeoutMs: number,
): Promise<PushOutcome> {
  // Checked again at sending: the setting may have changed since the device subscribed.
  if (!allowedPushEndpoint(subscription.endpoint)) return 'gone';
  const request = webPush.generateRequestDetails(
    { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
    payload,
    {
      vapidDetails: { subject: vapidSubject(), publicKey: keys.publicKey, privateKey: keys.privateKey },
      TTL: PUSH_TTL_SECONDS,
      contentEncoding: 'aes128gcm',
      urgency: 'normal',
    },
  );
  try {
    const response = await fetch(request.endpoint, {
      method: request.method,
      headers: request.headers as Record<string, string>,
      body: request.body as Buffer<ArrayBuffer> | null,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.status === 404 || response.status === 410) return 'gone';
    return response.ok ? 'delivered' : 'failed';
  } catch {
    return 'failed';
  }
}

/**
 * Sends one reminder: by push to every device of the person, and by email when none of them
 * took it (no device, every push service refused or timed out). A subscription the push
 * service answers 404 or 410 for is deleted. Throws when the email fails too, so the caller's
 * ledger releases the reminder for a retry. Quiet hours, caps and the once-only ledger are
 * the caller's: this only chooses the way.
 */
export async function deliver(
  db: Kysely<Database>,
  delivery: Delivery,
  options: DeliverOptions = {},
): Promise<'push' | 'email'> {
  const subscriptions = await repo.subscriptionsOf(db, delivery.userId);
  if (subscriptions.length > 0) {
    const keys = await repo.pushKeys(db, () => webPush.generateVAPIDKeys());
    const payload = JSON.stringify({
      title: delivery.push.title.slice(0, 120),
      body: delivery.push.body.slice(0, 400),
      url: delivery.push.url,
      tag: delivery.push.tag,
    });
    const outcomes = await Promise.all(
      subscriptions.map(async (subscription) => {
        const outcome = await pushTo(subscription, payload, keys, options.pushTimeoutMs ?? 10_000);
        if (outcome === 'gone') await repo.deleteSubscriptionById(db, subscription.id);
        if (outcome === 'delivered') await repo.markPushed(db, subscription.id, new Date());
        return outcome;
      }),
    );
    if (outcomes.includes('delivered')) return 'push';
  }
  await (options.sendMail ?? sendMail)(db, delivery.mail);
  return 'email';
}
