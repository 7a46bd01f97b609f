// Issue 19 §3: an event's review stream. After the drip, one review question a week by
// email (real SMTP to an in-process server), once per learner and week however many
// runners; the unsubscribe link and deactivation honoured; the mail's signed link shows
// the question without changing anything, records one tap once, and refuses a forged or
// expired link kindly.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import type { CatalogLesson } from '#lib/catalog.ts';

type Events = typeof import('#server/events/events.ts');
type Stream = typeof import('#server/events/review-stream.ts');
type Review = typeof import('#server/review/index.ts');
type Learning = typeof import('#server/learning/learning.ts');
type Users = typeof import('#server/accounts/users-repo.ts');

const PUBLIC_URL = 'https://rounds.example-hospital.test';
const ENV_KEYS = ['SMTP_URL', 'PUBLIC_URL', 'MAIL_FROM'] as const;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>> = {};

let database: RoundsDatabase;
let server: SMTPServer;
let received: { to: string; raw: Buffer }[] = [];
let events: Events;
let stream: Stream;
let review: Review;
let learning: Learning;
let users: Users;
let admin: PublicUser;
const catalog = testCatalog();
const course = catalog.course('team-huddles')!;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo[0]!.address, raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  process.env.SMTP_URL = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  process.env.PUBLIC_URL = `${PUBLIC_URL}/`;
  delete process.env.MAIL_FROM;
  // settings() reads the environment once: load the app's modules afresh.
  vi.resetModules();
  events = await import('#server/events/events.ts');
  stream = await import('#server/events/review-stream.ts');
  review = await import('#server/review/index.ts');
  learning = await import('#server/learning/learning.ts');
  users = await import('#server/accounts/users-repo.ts');
  database = await freshDatabase();
  const first = await person('Organiser');
  await users.setAdmin(database.db, first.email);
  admin = (await users.findUserById(database.db, first.id))!;
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await database?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

async function person(name: string): Promise<PublicUser> {
  const created = await users.createUser(database.db, {
    email: uniqueEmail(name.toLowerCase()),
    name,
    passwordHash: 'x',
  });
  await users.markEmailVerified(database.db, created!.id, created!.email);
  return (await users.findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });
const rightAnswers = (lesson: CatalogLesson) =>
  Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));

// Event on 1 Jan 2030 (UTC), a lesson a day from 2 Jan 07:00: the sixth and last opens on
// 7 Jan, so review week 1 runs from 14 Jan 07:00, week 2 from 21 Jan 07:00.
const WEEK_1 = new Date('2030-01-14T12:00:00Z');
const WEEK_2 = new Date('2030-01-21T12:00:00Z');
async function eventWithLearners(names: string[], reviewWeeks = 2) {
  const { code, slug } = await events.createEvent(ctx(admin), {
    name: `Review stream ${Math.random().toString(36).slice(2, 6)}`,
    slug: '',
    eventDate: '2030-01-01',
    timeZone: 'UTC',
    location: '',
    welcomeMessage: '',
    courses: [course.slug],
    unlockMinute: 7 * 60,
    firstUnlockDays: 1,
    intervalDays: 1,
    dayOffsets: null,
    reviewWeeks,
  });
  const people: PublicUser[] = [];
  for (const name of names) {
    const p = await person(name);
    // Two lessons completed (before joining: completion checks the event's locks by the
    // real clock): their cards are due well before week 1.
    for (const lesson of course.lessons.slice(0, 2) as CatalogLesson[])
      await learning.completeLesson(ctx(p, new Date('2030-01-05T10:00:00Z')), {
        courseSlug: course.slug,
        lessonSlug: lesson.slug,
        answers: rightAnswers(lesson),
      });
    await events.joinEvent(ctx(p), { code });
    people.push(p);
  }
  return { slug, people };
}

async function mailsTo(person: PublicUser) {
  return Promise.all(received.filter((m) => m.to === person.email).map((m) => simpleParser(m.raw)));
}
const answerToken = (text: string) => /\/review\/from-email\?token=(\S+)/.exec(text)?.[1];
const reviewRows = (person: PublicUser) =>
  database.db.selectFrom('review_log').selectAll().where('user_id', '=', person.id).execute();

describe('the event review stream', () => {
  it('sends each learner with cards one question per week, once, with two runners at once', async () => {
    received = [];
    const { people } = await eventWithLearners(['Ana', 'Ben']);
    const [ana, ben] = people as [PublicUser, PublicUser];
    const noCards = await person('Cleo');
    const { code } = (await database.db
      .selectFrom('events')
      .innerJoin('event_enrollments', 'event_enrollments.event_id', 'events.id')
      .select('events.join_code as code')
      .where('event_enrollments.user_id', '=', ana.id)
      .executeTakeFirstOrThrow())!;
    await events.joinEvent(ctx(noCards), { code });

    expect(await stream.runEventReviewStream(database.db, catalog, new Date('2030-01-13T12:00:00Z'))).toMatchObject({
      sent: 0,
    });
    const both = await Promise.all([
      stream.runEventReviewStream(database.db, catalog, WEEK_1),
      stream.runEventReviewStream(database.db, catalog, WEEK_1),
    ]);
    expect(both[0].sent + both[1].sent).toBe(2);
    expect(await stream.runEventReviewStream(database.db, catalog, new Date('2030-01-16T12:00:00Z'))).toMatchObject({
      sent: 0,
    });
    expect(await mailsTo(ana)).toHaveLength(1);
    expect(await mailsTo(ben)).toHaveLength(1);
    expect(await mailsTo(noCards), 'no cards, no question').toHaveLength(0);

    const [mail] = await mailsTo(ana);
    expect(mail!.subject).toMatch(/review question/);
    const raw = received.find((m) => m.to === ana.email)!.raw.toString();
    expect(raw, 'the mail app can offer its own one-click unsubscribe').toContain(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
    const token = answerToken(mail!.text!)!;
    expect(mail!.text).toContain(`${PUBLIC_URL}/review/from-email?token=`);

    // Week 2: one more each.
    await Promise.all([
      stream.runEventReviewStream(database.db, catalog, WEEK_2),
      stream.runEventReviewStream(database.db, catalog, WEEK_2),
    ]);
    expect(await mailsTo(ana)).toHaveLength(2);
    // After the chosen weeks, nothing.
    expect(await stream.runEventReviewStream(database.db, catalog, new Date('2030-01-28T12:00:00Z'))).toMatchObject({
      sent: 0,
    });

    // The link: opening shows the question and records nothing.
    const page = await review.emailReviewPage(database.db, catalog, token, WEEK_1);
    if ('refused' in page) throw new Error(`refused: ${page.refused}`);
    expect(mail!.text).toContain(page.question);
    expect(page.options.length).toBeGreaterThanOrEqual(3);
    expect(await reviewRows(ana)).toHaveLength(0);

    // One tap records once, however often it is sent.
    const question = course.lessons
      .flatMap((l) => [...l.check, ...l.review])
      .find((q) => q.question === page.question)!;
    const wrong = question.options.findIndex((o) => !o.correct);
    const taps = await Promise.all([
      review.answerFromEmail(database.db, catalog, { token, option: wrong }, WEEK_1),
      review.answerFromEmail(database.db, catalog, { token, option: wrong }, WEEK_1),
    ]);
    for (const tap of taps) expect(tap).toMatchObject({ correct: false, recorded: true });
    expect(await reviewRows(ana)).toHaveLength(1);
    // Opened again: the outcome, not the question a second time.
    expect(await review.emailReviewPage(database.db, catalog, token, WEEK_1)).toMatchObject({
      answered: { correct: false, rightAnswer: question.options.find((o) => o.correct)!.text },
    });
    // The same link later, with another answer: its first outcome stands.
    const again = await review.answerFromEmail(
      database.db,
      catalog,
      { token, option: question.options.findIndex((o) => o.correct) },
      WEEK_1,
    );
    expect(again).toMatchObject({ correct: false });
    expect(await reviewRows(ana)).toHaveLength(1);
  }, 60_000);

  it('honours the unsubscribe link and deactivation, and waits for the end of quiet hours', async () => {
    received = [];
    const { people } = await eventWithLearners(['Dana', 'Eli', 'Fay']);
    const [dana, eli, fay] = people as [PublicUser, PublicUser, PublicUser];
    // Dana unsubscribes with the link of an earlier mail (a lesson nudge carries the same one).
    await events.runEventNudges(database.db, catalog, new Date('2030-01-07T12:00:00Z'));
    const nudge = (await database.db.selectFrom('outbox').selectAll().execute()).length;
    expect(nudge, 'with SMTP set, nothing waits in the outbox').toBe(0);
    const nudgeMail = (await mailsTo(dana)).at(-1)!;
    const unsubscribe = /unsubscribe\?token=(\S+)/.exec(nudgeMail.text!)![1]!;
    expect(await events.unsubscribeWithToken(database.db, unsubscribe)).toBeDefined();
    await database.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', eli.id).execute();
    received = [];

    // 06:00 UTC is inside the default quiet hours (21:00–07:00): Fay waits.
    expect(await stream.runEventReviewStream(database.db, catalog, new Date('2030-01-15T06:00:00Z'))).toMatchObject({
      sent: 0,
      waiting: 1,
    });
    expect(await stream.runEventReviewStream(database.db, catalog, new Date('2030-01-15T08:00:00Z'))).toMatchObject({
      sent: 1,
    });
    expect(await mailsTo(fay)).toHaveLength(1);
    expect(await mailsTo(dana)).toHaveLength(0);
    expect(await mailsTo(eli)).toHaveLength(0);
  }, 60_000);

  it('refuses a forged, expired or closed-account link kindly, and changes nothing', async () => {
    received = [];
    const { people } = await eventWithLearners(['Gia', 'Hal']);
    const [gia, hal] = people as [PublicUser, PublicUser];
    await stream.runEventReviewStream(database.db, catalog, WEEK_1);
    const giaToken = answerToken((await mailsTo(gia))[0]!.text!)!;
    const halToken = answerToken((await mailsTo(hal))[0]!.text!)!;

    const [payload, signature] = giaToken.split('.') as [string, string];
    // Gia's link rewritten to name Hal: the signature no longer matches.
    const fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = `${Buffer.from(JSON.stringify({ ...fields, user: hal.id })).toString('base64url')}.${signature}`;
    for (const token of [forged, `${payload}.x${signature.slice(1)}`, 'not-a-token', `${payload}`]) {
      expect(await review.emailReviewPage(database.db, catalog, token, WEEK_1)).toEqual({ refused: 'invalid' });
      expect(await review.answerFromEmail(database.db, catalog, { token, option: 0 }, WEEK_1)).toEqual({
        refused: 'invalid',
      });
    }
    const stale = new Date(WEEK_1.getTime() + 15 * 86_400_000);
    expect(await review.emailReviewPage(database.db, catalog, giaToken, stale)).toEqual({ refused: 'expired' });
    expect(await review.answerFromEmail(database.db, catalog, { token: giaToken, option: 0 }, stale)).toEqual({
      refused: 'expired',
    });
    await database.db.updateTable('users').set({ deactivated_at: new Date() }).where('id', '=', hal.id).execute();
    expect(await review.answerFromEmail(database.db, catalog, { token: halToken, option: 0 }, WEEK_1)).toEqual({
      refused: 'expired',
    });
    expect(await reviewRows(gia)).toHaveLength(0);
    expect(await reviewRows(hal)).toHaveLength(0);
  }, 60_000);
});
