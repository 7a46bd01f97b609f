// Push reminders (issue 20 §4, decision 0044) against a real push service: a small HTTP
// server on 127.0.0.1 started here takes the place of FCM or Apple's. The test is the
// browser: it makes the subscription's ECDH key pair and auth secret itself, so it can
// decrypt what arrives (RFC 8291, aes128gcm per RFC 8188) with node:crypto alone, and it
// checks the VAPID JWT (RFC 8292) against the server's public key with jose.
import { createECDH, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import type { PublicUser } from '#server/kernel/context.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { caught } from '../support/caught.ts';

type Events = typeof import('#server/events/events.ts');
type Notifications = typeof import('#server/notifications/index.ts');
type Accounts = typeof import('#server/accounts/index.ts');
type Users = typeof import('#server/accounts/users-repo.ts');
type Sessions = typeof import('#server/accounts/sessions.ts');

let database: RoundsDatabase;
let events: Events;
let notifications: Notifications;
let accounts: Accounts;
let users: Users;
let sessions: Sessions;
const catalog = testCatalog();
const course = catalog.course('team-huddles')!;
let admin: PublicUser;

// ---------------------------------------------------------------- the push service

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
const received: Received[] = [];
/** What the push service answers, by endpoint path; 201 Created unless set. */
const answers = new Map<string, number>();
let pushService: http.Server;
let origin: string;

function startPushService(): Promise<void> {
  pushService = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(answers.get(path) ?? 201).end();
    });
  });
  return new Promise((resolve) => pushService.listen(0, '127.0.0.1', () => resolve()));
}

// ---------------------------------------------------------------- the browser's side

interface Device {
  endpoint: string;
  path: string;
  ecdh: ReturnType<typeof createECDH>;
  publicKey: Buffer;
  authSecret: Buffer;
  input: { endpoint: string; p256dh: string; auth: string };
}

let devices = 0;
function newDevice(): Device {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  const authSecret = randomBytes(16);
  devices += 1;
  const path = `/push/device-${devices}-${randomBytes(4).toString('hex')}`;
  const endpoint = `${origin}${path}`;
  return {
    endpoint,
    path,
    ecdh,
    publicKey,
    authSecret,
    input: { endpoint, p256dh: publicKey.toString('base64url'), auth: authSecret.toString('base64url') },
  };
}

/** RFC 8291 §3.4 and RFC 8188 §2: what the user agent does with a message it receives. */
function decrypt(device: Device, body: Buffer): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const serverPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  expect(idLength).toBe(65);
  expect(ciphertext.length).toBeLessThanOrEqual(recordSize);
  const shared = device.ecdh.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), device.publicKey, serverPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, device.authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then any padding of zeros.
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end -= 1;
  expect(plain[end]).toBe(2);
  return plain.subarray(0, end).toString('utf8');
}

// ---------------------------------------------------------------- people and events

async function person(name: string): Promise<PublicUser> {
  const created = await users.createUser(database.db, {
    email: uniqueEmail(name.toLowerCase()),
    name,
    passwordHash: 'x',
  });
  await users.markEmailVerified(database.db, created!.id, created!.email);
  return (await users.findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser) => ({ db: database.db, catalog, user, clientIp: '127.0.0.1' });

// Event on 1 Jan 2030 (UTC): lesson 1 opens 2 Jan 07:00, lesson 2 on 4 Jan 07:00.
async function eventWithLearner(): Promise<PublicUser> {
  const { code } = await events.createEvent(ctx(admin), {
    name: `Symposium ${randomBytes(3).toString('hex')}`,
    slug: '',
    eventDate: '2030-01-01',
    timeZone: 'UTC',
    location: '',
    welcomeMessage: '',
    courses: [course.slug],
    unlockMinute: 7 * 60,
    firstUnlockDays: 1,
    intervalDays: 2,
    dayOffsets: null,
  });
  const learner = await person('Learner');
  await events.joinEvent(ctx(learner), { code });
  return learner;
}

async function mailsTo(email: string): Promise<string[]> {
  const rows = await database.db.selectFrom('outbox').select('subject').where('to_address', '=', email).execute();
  return rows.map((r) => r.subject);
}
const subscriptionCount = async (endpoint: string) =>
  (await database.db.selectFrom('push_subscriptions').select('id').where('endpoint', '=', endpoint).execute()).length;
const arrivedAt = (device: Device) => received.filter((r) => r.path === device.path);

const savedServices = process.env.PUSH_SERVICES;
const savedSmtp = process.env.SMTP_URL;

beforeAll(async () => {
  await startPushService();
  origin = `http://127.0.0.1:${(pushService.address() as AddressInfo).port}`;
  process.env.PUSH_SERVICES = `https://fcm.googleapis.com ${origin}`;
  delete process.env.SMTP_URL; // mail goes to the outbox table, where the test reads it
  vi.resetModules();
  events = await import('#server/events/events.ts');
  notifications = await import('#server/notifications/index.ts');
  accounts = await import('#server/accounts/index.ts');
  users = await import('#server/accounts/users-repo.ts');
  sessions = await import('#server/accounts/sessions.ts');
  database = await freshDatabase();
  const first = await person('Organiser');
  await users.setAdmin(database.db, first.email);
  admin = (await users.findUserById(database.db, first.id))!;
});

afterAll(async () => {
  await database?.close();
  await new Promise((resolve) => pushService?.close(resolve));
  if (savedServices === undefined) delete process.env.PUSH_SERVICES;
  else process.env.PUSH_SERVICES = savedServices;
  if (savedSmtp !== undefined) process.env.SMTP_URL = savedSmtp;
});

describe('event nudges by push', () => {
  it('reach the device encrypted for it and signed for the push service, instead of an email', async () => {
    const learner = await eventWithLearner();
    const device = newDevice();
    await notifications.subscribeToPush(ctx(learner), { ...device.input, sessionId: null });

    const noon = new Date('2030-01-02T12:00:00Z');
    expect(await events.runEventNudges(database.db, catalog, noon)).toMatchObject({ sent: 1, pushed: 1, failed: 0 });
    expect(await events.runEventNudges(database.db, catalog, noon)).toMatchObject({ sent: 0 });
    const [message] = arrivedAt(device);
    expect(arrivedAt(device)).toHaveLength(1);
    expect(await mailsTo(learner.email)).toEqual([]);

    expect(message!.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(message!.headers.ttl)).toBeGreaterThan(0);
    const lesson = course.lessons[0]!;
    const payload = JSON.parse(decrypt(device, message!.body)) as Record<string, string>;
    expect(payload.title).toBe(`New lesson open: ${lesson.title}`);
    expect(payload.url).toBe(`/courses/${course.slug}/${lesson.slug}`);
    expect(payload.body).toContain(course.title);

    // VAPID (RFC 8292): "vapid t=<JWT>, k=<the server's public key>", the JWT signed by that key.
    const serverKey = await notifications.vapidPublicKey(database.db);
    const authorization = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(message!.headers.authorization ?? '');
    expect(authorization).not.toBeNull();
    expect(authorization![2]).toBe(serverKey);
    const raw = Buffer.from(serverKey, 'base64url');
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: raw.subarray(1, 33).toString('base64url'),
        y: raw.subarray(33, 65).toString('base64url'),
      },
      'ES256',
    );
    expect(decodeProtectedHeader(authorization![1]!).alg).toBe('ES256');
    const { payload: claims } = await jwtVerify(authorization![1]!, key, { audience: origin });
    expect(claims.sub).toMatch(/^(mailto:|https:)/);
    expect(claims.exp! * 1000 - Date.now()).toBeLessThanOrEqual(24 * 60 * 60 * 1000);

    // A JWT signed by any other key does not verify.
    const other = createECDH('prime256v1');
    const otherPublic = other.generateKeys();
    const otherKey = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: otherPublic.subarray(1, 33).toString('base64url'),
        y: otherPublic.subarray(33, 65).toString('base64url'),
      },
      'ES256',
    );
    expect(await caught(jwtVerify(authorization![1]!, otherKey))).toBeInstanceOf(Error);
  });

  it('a subscription the push service answers 410 for is deleted, and the nudge goes by email', async () => {
    const learner = await eventWithLearner();
    const gone = newDevice();
    answers.set(gone.path, 410);
    await notifications.subscribeToPush(ctx(learner), { ...gone.input, sessionId: null });
    expect(await subscriptionCount(gone.endpoint)).toBe(1);

    const result = await events.runEventNudges(database.db, catalog, new Date('2030-01-02T12:00:00Z'));
    expect(result).toMatchObject({ sent: 1, pushed: 0, failed: 0 });
    expect(arrivedAt(gone)).toHaveLength(1);
    expect(await subscriptionCount(gone.endpoint)).toBe(0);
    expect(await mailsTo(learner.email)).toEqual([`New lesson open: ${course.lessons[0]!.title}`]);
  });

  it('a push service that fails (500) keeps the subscription, and the email still goes', async () => {
    const learner = await eventWithLearner();
    const failing = newDevice();
    answers.set(failing.path, 500);
    await notifications.subscribeToPush(ctx(learner), { ...failing.input, sessionId: null });
    expect(await events.runEventNudges(database.db, catalog, new Date('2030-01-02T12:00:00Z'))).toMatchObject({
      sent: 1,
      pushed: 0,
    });
    expect(await subscriptionCount(failing.endpoint)).toBe(1);
    expect(await mailsTo(learner.email)).toHaveLength(1);
  });

  it('one device that takes it is enough: a second, gone device is removed, no email', async () => {
    const learner = await eventWithLearner();
    const phone = newDevice();
    const oldTablet = newDevice();
    answers.set(oldTablet.path, 404);
    await notifications.subscribeToPush(ctx(learner), { ...phone.input, sessionId: null });
    await notifications.subscribeToPush(ctx(learner), { ...oldTablet.input, sessionId: null });
    expect(await events.runEventNudges(database.db, catalog, new Date('2030-01-02T12:00:00Z'))).toMatchObject({
      sent: 1,
      pushed: 1,
    });
    expect(arrivedAt(phone)).toHaveLength(1);
    expect(await subscriptionCount(oldTablet.endpoint)).toBe(0);
    expect(await mailsTo(learner.email)).toEqual([]);
  });
});

describe('subscriptions', () => {
  it('are refused outside the push services Rounds sends to, or with keys that cannot work', async () => {
    const learner = await person('Careful');
    const device = newDevice();
    for (const endpoint of [
      'http://127.0.0.1:5432/',
      'https://internal.example.org/push/1',
      'https://fcm.googleapis.com.evil.example/push',
      `https://user:pass@fcm.googleapis.com/push`,
    ]) {
      const error = await caught(
        notifications.subscribeToPush(ctx(learner), { ...device.input, endpoint, sessionId: null }),
      );
      expect(error).toMatchObject({ field: 'endpoint' });
    }
    const shortKey = await caught(
      notifications.subscribeToPush(ctx(learner), {
        ...device.input,
        p256dh: randomBytes(32).toString('base64url'),
        sessionId: null,
      }),
    );
    expect(shortKey).toMatchObject({ field: 'p256dh' });
    expect(await subscriptionCount(device.endpoint)).toBe(0);
    // The well-known services pass.
    await notifications.subscribeToPush(ctx(learner), {
      ...device.input,
      endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
      sessionId: null,
    });
    expect(await subscriptionCount('https://fcm.googleapis.com/fcm/send/abc')).toBe(1);
    // A `*.` entry admits its subdomains only.
    const mozilla = newDevice();
    process.env.PUSH_SERVICES = `${origin} https://*.push.services.mozilla.com`;
    vi.resetModules(); // settings are read once per module instance
    const fresh = await import('#server/notifications/index.ts');
    expect(fresh.allowedPushEndpoint('https://updates.push.services.mozilla.com/wpush/v2/x')).toBe(true);
    expect(fresh.allowedPushEndpoint('https://push.services.mozilla.com.evil.example/x')).toBe(false);
    expect(fresh.allowedPushEndpoint('http://updates.push.services.mozilla.com/wpush/v2/x')).toBe(false);
    expect(fresh.allowedPushEndpoint('https://fcm.googleapis.com/fcm/send/abc')).toBe(false);
    expect(fresh.allowedPushEndpoint(`${mozilla.endpoint}`)).toBe(true);
    process.env.PUSH_SERVICES = `https://fcm.googleapis.com ${origin}`;
  });

  it('belong to one person: another cannot remove them, and a device moves to whoever turns it on last', async () => {
    const first = await person('First');
    const second = await person('Second');
    const device = newDevice();
    await notifications.subscribeToPush(ctx(first), { ...device.input, sessionId: null });
    expect(await notifications.pushIsOn(ctx(first), device.endpoint)).toBe(true);
    expect(await notifications.pushIsOn(ctx(second), device.endpoint)).toBe(false);
    expect(await notifications.unsubscribeFromPush(ctx(second), { endpoint: device.endpoint })).toEqual({
      unsubscribed: false,
    });
    expect(await subscriptionCount(device.endpoint)).toBe(1);

    await notifications.subscribeToPush(ctx(second), { ...device.input, sessionId: null });
    expect(await notifications.pushIsOn(ctx(first), device.endpoint)).toBe(false);
    expect(await notifications.pushIsOn(ctx(second), device.endpoint)).toBe(true);
    expect(await notifications.unsubscribeFromPush(ctx(second), { endpoint: device.endpoint })).toEqual({
      unsubscribed: true,
    });
    expect(await subscriptionCount(device.endpoint)).toBe(0);
  });

  it('end when the session that turned them on signs out, or is signed out from another device', async () => {
    const learner = await person('Shared phone');
    const [ward, home, tablet] = await Promise.all([
      sessions.createSession(database.db, learner.id, 'ward phone'),
      sessions.createSession(database.db, learner.id, 'home'),
      sessions.createSession(database.db, learner.id, 'tablet'),
    ]);
    const [onWard, atHome, onTablet] = [newDevice(), newDevice(), newDevice()];
    await notifications.subscribeToPush(ctx(learner), { ...onWard.input, sessionId: ward.session.id });
    await notifications.subscribeToPush(ctx(learner), { ...atHome.input, sessionId: home.session.id });
    await notifications.subscribeToPush(ctx(learner), { ...onTablet.input, sessionId: tablet.session.id });

    await accounts.signOut(database.db, ward.session.id);
    expect(await subscriptionCount(onWard.endpoint)).toBe(0);
    expect(await subscriptionCount(atHome.endpoint)).toBe(1);

    await accounts.endMyOtherSessions(ctx(learner), home.session.id);
    expect(await subscriptionCount(onTablet.endpoint)).toBe(0);
    expect(await subscriptionCount(atHome.endpoint)).toBe(1);
  });

  it('the VAPID key pair is made once and kept', async () => {
    const first = await notifications.vapidPublicKey(database.db);
    expect(Buffer.from(first, 'base64url')).toHaveLength(65);
    expect(await notifications.vapidPublicKey(database.db)).toBe(first);
    const rows = await database.db.selectFrom('push_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
  });
});
