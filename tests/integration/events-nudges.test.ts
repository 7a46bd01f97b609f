import type { PublicUser } from '#server/kernel/context.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import * as events from '#server/events/events.ts';
import * as reminders from '#server/teams/reminders.ts';
import { changeTimeZone } from '#server/accounts/accounts.ts';
import { sendMail } from '#server/platform/mail.ts';
import type { OutgoingMail } from '#server/platform/outbox-repo.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const course = catalog.course('team-huddles')!;
let admin: PublicUser;

async function person(name: string, options: { verified?: boolean } = {}): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(name.toLowerCase()), name, passwordHash: 'x' });
  if (options.verified ?? true) await markEmailVerified(database.db, created!.id, created!.email);
  return (await findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });

// Event on 1 Jan 2030 (UTC): lesson 1 opens 2 Jan 07:00, lesson 2 on 4 Jan 07:00, lesson 3 on 6 Jan 07:00.
async function eventWith(learners: number) {
  const { code, eventId, slug } = await events.createEvent(ctx(admin), {
    name: `Symposium ${Math.random().toString(36).slice(2, 6)}`,
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
  const people: PublicUser[] = [];
  for (let i = 0; i < learners; i++) {
    const p = await person(`Learner${i}`);
    await events.joinEvent(ctx(p), { code });
    people.push(p);
  }
  return { code, eventId, slug, people };
}

async function mailCount(email: string, lessonTitle?: string): Promise<number> {
  const rows = await database.db.selectFrom('outbox').select(['subject']).where('to_address', '=', email).execute();
  return rows.filter((r) => !lessonTitle || r.subject.includes(lessonTitle)).length;
}

const lesson1 = course.lessons[0]!;
const lesson2 = course.lessons[1]!;

beforeAll(async () => {
  database = await freshDatabase();
  const first = await person('Organiser');
  await setAdmin(database.db, first.email);
  admin = (await findUserById(database.db, first.id))!;
});
afterAll(async () => {
  await database?.close();
});

describe('nudges when a lesson unlocks', () => {
  it('sends each learner one email per lesson with a link to it, however often the job runs', async () => {
    const { people } = await eventWith(3);
    expect(await events.runEventNudges(database.db, catalog, new Date('2030-01-02T06:59:00Z'))).toMatchObject({
      sent: 0,
    });
    const noon = new Date('2030-01-02T12:00:00Z');
    expect(await events.runEventNudges(database.db, catalog, noon)).toMatchObject({ sent: 3 });
    expect(await events.runEventNudges(database.db, catalog, noon)).toMatchObject({ sent: 0 });
    // Two runners at once (two app processes, or the interval and the CLI).
    const both = await Promise.all([
      events.runEventNudges(database.db, catalog, new Date('2030-01-04T08:00:00Z')),
      events.runEventNudges(database.db, catalog, new Date('2030-01-04T08:00:00Z')),
    ]);
    expect(both[0].sent + both[1].sent).toBe(3);
    for (const p of people) {
      expect(await mailCount(p.email, lesson1.title)).toBe(1);
      expect(await mailCount(p.email, lesson2.title)).toBe(1);
    }
    const mail = await database.db
      .selectFrom('outbox')
      .selectAll()
      .where('to_address', '=', people[0]!.email)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain(`/courses/${course.slug}/${lesson1.slug}`);
    expect(mail.text_body).toMatch(/\/events\/[a-z0-9-]+\/unsubscribe\?token=/);
  });

  it('after a crash half-way, the next runs send each remaining nudge exactly once', async () => {
    const { people } = await eventWith(6);
    const now = new Date('2030-01-02T09:00:00Z');
    let calls = 0;
    let crashed!: () => void;
    const crashedNow = new Promise<void>((resolve) => (crashed = resolve));
    // The first runner sends three mails, then hangs for good inside the fourth send: a process that died mid-run.
    const dying = (db: typeof database.db, mail: OutgoingMail) => {
      calls += 1;
      if (calls <= 3) return sendMail(db, mail);
      crashed();
      return new Promise<void>(() => {});
    };
    void events.runEventNudges(database.db, catalog, now, { send: dying });
    await crashedNow;
    const counts = await Promise.all(people.map((p) => mailCount(p.email)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);

    // A new process runs right away: it sends the two never claimed, not the one claimed by the dead runner.
    expect(await events.runEventNudges(database.db, catalog, new Date(now.getTime() + 60_000))).toMatchObject({
      sent: 2,
    });
    // Once the dead runner's lease ends, its claim is taken over and sent.
    expect(await events.runEventNudges(database.db, catalog, new Date(now.getTime() + 11 * 60_000))).toMatchObject({
      sent: 1,
    });
    expect(await events.runEventNudges(database.db, catalog, new Date(now.getTime() + 30 * 60_000))).toMatchObject({
      sent: 0,
    });
    for (const p of people) expect(await mailCount(p.email, lesson1.title)).toBe(1);
  });

  it('retries a failed send later, once', async () => {
    const { people } = await eventWith(1);
    const now = new Date('2030-01-02T10:00:00Z');
    const failing = async () => {
      throw new Error('SMTP said no');
    };
    expect(await events.runEventNudges(database.db, catalog, now, { send: failing })).toMatchObject({
      sent: 0,
      failed: 1,
    });
    expect(await events.runEventNudges(database.db, catalog, new Date(now.getTime() + 60_000))).toMatchObject({
      sent: 0,
    });
    expect(await events.runEventNudges(database.db, catalog, new Date(now.getTime() + 16 * 60_000))).toMatchObject({
      sent: 1,
    });
    expect(await mailCount(people[0]!.email)).toBe(1);
  });

  it('honours the one-click unsubscribe (per event) and a valid signature only', async () => {
    const { people } = await eventWith(2);
    const other = await eventWith(0);
    const [ana, ben] = people as [PublicUser, PublicUser];
    await events.joinEvent(ctx(ana), { code: other.code });
    await events.runEventNudges(database.db, catalog, new Date('2030-01-02T12:00:00Z'));
    const mail = await database.db
      .selectFrom('outbox')
      .selectAll()
      .where('to_address', '=', ana.email)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const token = /unsubscribe\?token=([^\s]+)/.exec(mail.text_body)![1]!;
    expect(
      await events.unsubscribeWithToken(
        database.db,
        token.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')),
      ),
    ).toBeUndefined();
    expect(await events.unsubscribeWithToken(database.db, 'not-a-token')).toBeUndefined();
    const done = await events.unsubscribeWithToken(database.db, token);
    expect(done?.eventName).toBeTruthy();
    await events.runEventNudges(database.db, catalog, new Date('2030-01-04T12:00:00Z'));
    // Ana unsubscribed from the first event only: no lesson-2 nudge from it, but the other event still nudges.
    const subjects = (
      await database.db.selectFrom('outbox').select('subject').where('to_address', '=', ana.email).execute()
    ).map((r) => r.subject);
    expect(subjects.filter((s) => s.includes(lesson2.title))).toHaveLength(1);
    expect(await mailCount(ben.email, lesson2.title)).toBe(1);
    const anaFirst = await database.db
      .selectFrom('event_enrollments')
      .innerJoin('events', 'events.id', 'event_enrollments.event_id')
      .select('event_enrollments.nudges_off_at')
      .where('event_enrollments.user_id', '=', ana.id)
      .where('events.slug', '=', done!.slug)
      .executeTakeFirstOrThrow();
    expect(anaFirst.nudges_off_at).toBeInstanceOf(Date);
  });

  it('waits for the end of quiet hours; skips unconfirmed addresses and the backlog of late joiners', async () => {
    const { people, code } = await eventWith(1);
    const [night] = people as [PublicUser];
    // Quiet 06:00-09:00 in Berlin, the account's zone (05:00-08:00 UTC in winter).
    await changeTimeZone(ctx(night), 'Europe/Berlin');
    await reminders.savePreferences(ctx(night), {
      quietStart: 6 * 60,
      quietEnd: 9 * 60,
      remindersOn: true,
    });
    const unconfirmed = await person('Unconfirmed', { verified: false });
    await events.joinEvent(ctx(unconfirmed), { code });
    expect(await events.runEventNudges(database.db, catalog, new Date('2030-01-02T07:30:00Z'))).toMatchObject({
      sent: 0,
      waiting: 1,
    });
    expect(await events.runEventNudges(database.db, catalog, new Date('2030-01-02T08:00:00Z'))).toMatchObject({
      sent: 1,
    });
    expect(await mailCount(unconfirmed.email)).toBe(0);

    // A late joiner (enrolled after lessons 1 and 2 opened) gets no backlog; the next unlock is nudged.
    const late = await eventWith(0);
    await database.db.updateTable('events').set({ event_date: '2029-12-01' }).where('id', '=', late.eventId).execute(); // lessons on 2, 4, 6 … Dec 2029
    const joiner = await person('Late');
    await events.joinEvent(ctx(joiner), { code: late.code });
    await sql`update event_enrollments set enrolled_at = ${new Date('2029-12-05T00:00:00Z')} where user_id = ${joiner.id}`.execute(
      database.db,
    );
    expect(await events.runEventNudges(database.db, catalog, new Date('2029-12-05T12:00:00Z'))).toMatchObject({
      sent: 0,
    });
    expect(await events.runEventNudges(database.db, catalog, new Date('2029-12-06T12:00:00Z'))).toMatchObject({
      sent: 1,
    });
    expect(await mailCount(joiner.email, course.lessons[2]!.title)).toBe(1);
  });
});

describe('an archived event', () => {
  it('sends no lesson emails until it is unarchived', async () => {
    const { eventId, people } = await eventWith(1);
    await events.setArchived(ctx(admin), { eventId, archived: true });
    await events.runEventNudges(database.db, catalog, new Date('2030-01-02T12:00:00Z'));
    expect(await mailCount(people[0]!.email)).toBe(0);
    await events.setArchived(ctx(admin), { eventId, archived: false });
    await events.runEventNudges(database.db, catalog, new Date('2030-01-02T12:00:00Z'));
    expect(await mailCount(people[0]!.email, lesson1.title)).toBe(1);
  });
});
