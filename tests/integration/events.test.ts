import type { PublicUser } from '#server/kernel/context.ts';
import { ConflictError, FieldError, ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import * as events from '#server/events/events.ts';
import * as learning from '#server/learning/learning.ts';
import { changeTimeZone } from '#server/accounts/accounts.ts';

import { addDays, dateIn } from '#lib/team-rules.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const course = catalog.course('patient-connection')!;
let admin: PublicUser;

async function person(name: string, options: { admin?: boolean } = {}): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  if (options.admin) await setAdmin(database.db, created!.email);
  return (await findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser, now?: Date) => ({
  db: database.db,
  catalog,
  user,
  now,
  clientIp: `10.0.0.${Math.floor(Math.random() * 250)}`,
});

function answers(lessonIndex: number) {
  const lesson = course.lessons[lessonIndex]!;
  return Object.fromEntries(lesson.check.map((q, i) => [i, q.options.findIndex((o) => o.correct)]));
}

async function createEvent(overrides: Partial<events.EventInput> = {}) {
  return events.createEvent(ctx(admin), {
    name: 'Winter Symposium',
    slug: `winter-${Math.random().toString(36).slice(2, 8)}`,
    eventDate: addDays(dateIn('Europe/Berlin'), -3),
    timeZone: 'Europe/Berlin',
    location: 'Hall B',
    welcomeMessage: 'Welcome!',
    courses: [course.slug],
    unlockMinute: 7 * 60,
    firstUnlockDays: 1,
    intervalDays: 3,
    dayOffsets: null,
    ...overrides,
  });
}

beforeAll(async () => {
  database = await freshDatabase();
  await person('First user'); // the first account of an install is admin; keep admin explicit below
  admin = await person('Organiser', { admin: true });
});
afterAll(async () => {
  await database?.close();
});

describe('organising an event', () => {
  it('lets only administrators create one, with a ten-symbol code and a unique web address', async () => {
    const learner = await person('Learner');
    await expect(
      events.createEvent(ctx(learner), {
        name: 'X',
        slug: 'x-event',
        eventDate: '2030-01-01',
        timeZone: 'UTC',
        location: '',
        welcomeMessage: '',
        courses: [course.slug],
        unlockMinute: 420,
        firstUnlockDays: 1,
        intervalDays: 1,
        dayOffsets: null,
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const created = await createEvent({ slug: 'taken-slug' });
    expect(created.code).toMatch(/^[A-HJ-NP-Z2-9]{10}$/);
    const again = createEvent({ slug: 'taken-slug' });
    await expect(again).rejects.toBeInstanceOf(FieldError);
    await expect(again).rejects.toMatchObject({ field: 'slug' });
    await expect(createEvent({ courses: ['no-such-course'] })).rejects.toMatchObject({ field: 'courses' });
    await expect(createEvent({ dayOffsets: [1, 2, 3, 4, 5, 6, 7] })).rejects.toMatchObject({ field: 'dayOffsets' });
    const fromName = await createEvent({ name: 'Pflege-Symposium Köln 2027', slug: '' });
    expect(fromName.slug).toBe('pflege-symposium-koln-2027');
  });

  it('joins by code (any case, with or without the dash), harmlessly twice; a regenerated or closed code says so', async () => {
    const { code, eventId, slug } = await createEvent();
    const ana = await person('Ana');
    const first = await events.joinEvent(ctx(ana), { code });
    expect(first).toMatchObject({ slug, alreadyEnrolled: false });
    expect(await events.joinEvent(ctx(ana), { code })).toMatchObject({ alreadyEnrolled: true });
    const rows = await database.db
      .selectFrom('event_enrollments')
      .selectAll()
      .where('event_id', '=', eventId)
      .execute();
    expect(rows).toHaveLength(1);

    await expect(events.joinEvent(ctx(ana), { code: 'ZZZZZZ' })).rejects.toThrow(/could not find an event/);
    const { code: fresh } = await events.regenerateCode(ctx(admin), { eventId });
    const ben = await person('Ben');
    await expect(events.joinEvent(ctx(ben), { code })).rejects.toThrow(/could not find an event/);
    await events.joinEvent(ctx(ben), { code: fresh });
    await events.closeJoining(ctx(admin), { eventId });
    const cai = await person('Cai');
    await expect(events.joinEvent(ctx(cai), { code: fresh })).rejects.toThrow(/Joining this event has closed/);
    // Already enrolled: still harmless after closing.
    expect(await events.joinEvent(ctx(ben), { code: fresh })).toMatchObject({ alreadyEnrolled: true });
    expect((await events.lookUpEventCode(database.db, fresh, '10.9.9.9')).ok).toBe(false);
    await expect(events.closeJoining(ctx(ana), { eventId })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('a learner in an event', () => {
  it('sees released lessons unlocked and later ones locked with a date in their own time zone', async () => {
    const { code } = await createEvent(); // Berlin, event 3 days ago: lesson 1 (day +1) open, lesson 2 (day +4) locked
    let dee = await person('Dee');
    await changeTimeZone(ctx(dee), 'Europe/Berlin');
    dee = (await findUserById(database.db, dee.id))!;
    await events.joinEvent(ctx(dee), { code });
    const [view] = await events.myEvents(ctx(dee));
    expect(view!.lessons.map((l) => l.state)).toEqual(['unlocked', 'locked', 'locked', 'locked', 'locked', 'locked']);
    expect(view!.timeZone).toBe('Europe/Berlin');
    expect(view!.lessons[1]!.unlocksLabel).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}, 7:00$/);

    // Their account's time zone, whatever the event's: 7:00 in Berlin is 1:00 in New York.
    await changeTimeZone(ctx(dee), 'America/New_York');
    dee = (await findUserById(database.db, dee.id))!;
    const [own] = await events.myEvents(ctx(dee));
    expect(own!.timeZone).toBe('America/New_York');
    expect(own!.lessons[1]!.unlocksLabel).toMatch(/, 1:00$/);
    const locks = await events.courseLocks(database.db, catalog, dee, course.slug);
    expect([...locks.values()][0]).toMatch(/, 1:00 \(America\/New York\)/);
  });

  it('cannot complete a locked lesson (the server refuses, with the date), but can complete an unlocked one', async () => {
    const { code } = await createEvent();
    const eli = { ...(await person('Eli')), timeZone: 'Europe/Berlin' }; // as her session would carry it
    await events.joinEvent(ctx(eli), { code });
    const locked = learning.completeLesson(ctx(eli), {
      courseSlug: course.slug,
      lessonSlug: course.lessons[1]!.slug,
      answers: answers(1),
    });
    await expect(locked).rejects.toBeInstanceOf(FieldError);
    await expect(locked).rejects.toThrow(/opens on .*7:00 \(Europe\/Berlin\)/);
    const done = await learning.completeLesson(ctx(eli), {
      courseSlug: course.slug,
      lessonSlug: course.lessons[0]!.slug,
      answers: answers(0),
    });
    expect(done.completedAt).toBeInstanceOf(Date);
    // Someone not in the event is not affected.
    const outsider = await person('Outsider');
    await expect(
      learning.completeLesson(ctx(outsider), {
        courseSlug: course.slug,
        lessonSlug: course.lessons[1]!.slug,
        answers: answers(1),
      }),
    ).resolves.toBeTruthy();
  });

  it('a late joiner gets everything already released', async () => {
    const { code } = await createEvent({ eventDate: addDays(dateIn('Europe/Berlin'), -30) }); // days +1, +4, … +16 are past
    const fay = await person('Fay');
    await events.joinEvent(ctx(fay), { code });
    const [view] = await events.myEvents(ctx(fay));
    expect(view!.lessons.every((l) => l.state === 'unlocked')).toBe(true);
  });

  it('pauses and resumes: future unlocks move by the paused time', async () => {
    const { code, eventId } = await createEvent({
      eventDate: '2030-03-01',
      timeZone: 'UTC',
      firstUnlockDays: 1,
      intervalDays: 2,
    });
    const gus = await person('Gus');
    await events.joinEvent(ctx(gus), { code });
    const pausedAt = new Date('2030-03-02T12:00:00Z'); // lesson 1 open since 07:00
    await events.pauseSchedule(ctx(gus, pausedAt), { eventId });
    const during = await events.myEvents(ctx(gus, new Date('2030-03-10T00:00:00Z')));
    expect(during[0]!.paused).toBe(true);
    expect(during[0]!.lessons.slice(0, 3).map((l) => l.state)).toEqual(['unlocked', 'paused', 'paused']);
    await expect(
      learning.completeLesson(ctx(gus), {
        courseSlug: course.slug,
        lessonSlug: course.lessons[1]!.slug,
        answers: answers(1),
      }),
    ).rejects.toThrow(/paused/);
    await events.resumeSchedule(ctx(gus, new Date('2030-03-05T12:00:00Z')), { eventId }); // three days
    const after = await events.myEvents(ctx(gus, new Date('2030-03-05T12:00:00Z')));
    // Lesson 2 was 4 Mar 07:00; now 7 Mar 07:00.
    expect(after[0]!.lessons[1]).toMatchObject({ state: 'locked', unlocksAt: new Date('2030-03-07T07:00:00Z') });
    // Resuming twice changes nothing.
    await events.resumeSchedule(ctx(gus, new Date('2030-03-06T12:00:00Z')), { eventId });
    const again = await events.myEvents(ctx(gus, new Date('2030-03-05T12:00:00Z')));
    expect(again[0]!.lessons[1]!.unlocksAt).toEqual(new Date('2030-03-07T07:00:00Z'));
    await expect(events.pauseSchedule(ctx(await person('Stranger')), { eventId })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('the organiser’s dashboard', () => {
  it('counts enrolled, active, completions per lesson and course; the CSV neutralises formulas', async () => {
    const { code, slug } = await createEvent({ eventDate: addDays(dateIn('Europe/Berlin'), -30) });
    const a = await person('=HYPERLINK("http://evil.example","x")');
    const b = await person('Bea');
    await person('Not enrolled');
    for (const p of [a, b]) await events.joinEvent(ctx(p), { code });
    await markEmailVerified(database.db, a.id, a.email); // so completing the course issues a certificate
    for (let i = 0; i < course.lessons.length; i++)
      await learning.completeLesson(ctx(a), {
        courseSlug: course.slug,
        lessonSlug: course.lessons[i]!.slug,
        answers: answers(i),
      });
    await learning.completeLesson(ctx(b), {
      courseSlug: course.slug,
      lessonSlug: course.lessons[0]!.slug,
      answers: answers(0),
    });
    const view = await events.dashboard(ctx(admin), slug);
    expect(view.enrolled).toBe(2);
    expect(view.activeLastWeek).toBe(2);
    expect(view.funnel.map((f) => f.completed)).toEqual([2, 1, 1, 1, 1, 1]);
    expect(view.coursesDone).toEqual([
      { courseSlug: course.slug, title: course.title, count: 1, certificates: 1, credit: [] },
    ]);
    await expect(events.dashboard(ctx(b), slug)).rejects.toBeInstanceOf(ForbiddenError);

    const csv = await events.exportCsv(ctx(admin), slug);
    expect(csv.filename).toMatch(new RegExp(`^rounds-event-${slug}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    // UTF-8 with a byte-order mark, so Excel reads accents: it must be there, not stripped quietly.
    expect(csv.body.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv.body, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const records = parse(csv.body.slice(1), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(2);
    // ISO dates (in the event's time zone), and formulas shown, not run.
    for (const record of records) {
      expect(record.enrolled_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(record.last_active_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(records[0]!.enrolled_on).toBe(dateIn('Europe/Berlin'));
    const evil = records.find((r) => r.email === a.email)!;
    expect(evil.name).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(evil).toMatchObject({
      lessons_done: '6',
      lessons_total: '6',
      courses_completed: course.title,
      nudges: 'on',
    });
    expect(csv.body).not.toMatch(/reflection/i);
  });
});

describe('editing an event', () => {
  const unchanged = async (eventId: string) => {
    const row = await database.db.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow();
    return {
      eventId,
      name: row.name,
      eventDate: row.event_date,
      timeZone: row.time_zone,
      location: row.location,
      welcomeMessage: row.welcome_message,
      unlockMinute: row.unlock_minute,
      firstUnlockDays: row.first_unlock_days,
      intervalDays: row.interval_days,
      dayOffsets: row.day_offsets,
    };
  };

  it('changes name, welcome and location; the web address and code stay; only administrators may', async () => {
    const { eventId, slug, code } = await createEvent();
    const learner = await person('Curious learner');
    const edit = {
      ...(await unchanged(eventId)),
      name: 'Spring Symposium',
      welcomeMessage: 'Hello again',
      location: 'Hall C',
    };
    await expect(events.updateEvent(ctx(learner), edit)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await events.updateEvent(ctx(admin), edit)).toEqual({
      slug,
      changed: ['name', 'location', 'welcomeMessage'],
    });
    const view = (await events.publicEvent(database.db, catalog, slug))!;
    expect(view.event).toMatchObject({ name: 'Spring Symposium', welcome_message: 'Hello again', location: 'Hall C' });
    expect(view.event.join_code).toBe(code);
    expect(view.schedule.keptOpen).toBeNull(); // the schedule did not change
    const [entry] = await listAuditEntries(database.db, { limit: 1 });
    expect(entry).toMatchObject({ action: 'event.update', target: `event:${eventId}` });
    // Submitting the same form again changes and logs nothing.
    expect(await events.updateEvent(ctx(admin), edit)).toEqual({ slug, changed: [] });
    expect((await listAuditEntries(database.db, { limit: 1 }))[0]!.id).toBe(entry!.id);
    await expect(events.updateEvent(ctx(admin), { ...edit, dayOffsets: [1, 2, 3, 4, 5, 6, 7] })).rejects.toMatchObject({
      field: 'dayOffsets',
    });
    await expect(
      events.updateEvent(ctx(admin), { ...edit, eventId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('moving the schedule later keeps already-released lessons open for everyone; only future ones move', async () => {
    // Three days ago in Berlin: lesson 1 (day +1) is open, lesson 2 (day +4) opens tomorrow.
    const { code, eventId, slug } = await createEvent();
    const before = await person('Early joiner');
    await events.joinEvent(ctx(before), { code });
    await events.pauseSchedule(ctx(before), { eventId }); // paused: lesson 1 was open before the pause
    const moved = addDays(dateIn('Europe/Berlin'), 10);
    await events.updateEvent(ctx(admin), { ...(await unchanged(eventId)), eventDate: moved, unlockMinute: 9 * 60 });

    const after = await person('Late joiner');
    await events.joinEvent(ctx(after), { code });
    for (const p of [before, after]) {
      const [view] = await events.myEvents(ctx(p));
      expect(view!.lessons[0]!.state, p.name).toBe('unlocked');
      expect(view!.lessons[1]!.state, p.name).not.toBe('unlocked');
    }
    const [late] = await events.myEvents(ctx(after));
    // Day +4 of the new date, at the new time (read by someone whose account is in Berlin too).
    const [inBerlin] = await events.myEvents(ctx({ ...after, timeZone: 'Europe/Berlin' }));
    expect(inBerlin!.lessons[1]!.unlocksLabel).toMatch(/, 9:00$/);
    expect(late!.lessons[1]!.unlocksAt!.getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);
    // The server agrees: lesson 1 can be completed, lesson 2 not yet.
    await learning.completeLesson(ctx(after), {
      courseSlug: course.slug,
      lessonSlug: course.lessons[0]!.slug,
      answers: answers(0),
    });
    await expect(
      learning.completeLesson(ctx(after), {
        courseSlug: course.slug,
        lessonSlug: course.lessons[1]!.slug,
        answers: answers(1),
      }),
    ).rejects.toBeInstanceOf(FieldError);
    const view = (await events.publicEvent(database.db, catalog, slug))!;
    expect(view.schedule.keptOpen?.count).toBe(1);
    const [entry] = await listAuditEntries(database.db, { limit: 1 });
    expect(entry!.details).toMatchObject({ changed: ['eventDate', 'unlockMinute'], lessonsKeptOpen: 1 });

    // A second change keeps them open too (nothing else has been released since).
    await events.updateEvent(ctx(admin), { ...(await unchanged(eventId)), eventDate: addDays(moved, 5) });
    const [again] = await events.myEvents(ctx(after));
    expect(again!.lessons.map((l) => l.state)).toEqual(['unlocked', 'locked', 'locked', 'locked', 'locked', 'locked']);
  });

  it('moving the schedule earlier releases the lessons whose new dates have passed', async () => {
    const { code, eventId } = await createEvent();
    const ida = await person('Ida');
    await events.joinEvent(ctx(ida), { code });
    await events.updateEvent(ctx(admin), {
      ...(await unchanged(eventId)),
      eventDate: addDays(dateIn('Europe/Berlin'), -30),
    });
    const [view] = await events.myEvents(ctx(ida));
    expect(view!.lessons.every((l) => l.state === 'unlocked')).toBe(true);
  });
});

describe('closing joining and archiving', () => {
  it('closes and reopens joining with the same code; people already enrolled keep learning', async () => {
    const { code, eventId } = await createEvent();
    const jo = await person('Jo');
    await events.joinEvent(ctx(jo), { code });
    await events.closeJoining(ctx(admin), { eventId });
    const kim = await person('Kim');
    await expect(events.joinEvent(ctx(kim), { code })).rejects.toThrow(/Joining this event has closed/);
    expect(await events.lookUpEventCode(database.db, code, '10.8.8.8')).toMatchObject({ ok: false, reason: 'closed' });
    const [jos] = await events.myEvents(ctx(jo));
    expect(jos!.lessons[0]!.state).toBe('unlocked');
    await expect(events.reopenJoining(ctx(jo), { eventId })).rejects.toBeInstanceOf(ForbiddenError);
    await events.reopenJoining(ctx(admin), { eventId });
    expect(await events.joinEvent(ctx(kim), { code })).toMatchObject({ alreadyEnrolled: false });
  });

  it('archiving hides the event from the active list and refuses joining; learning records stay; unarchiving undoes it', async () => {
    const { code, eventId, slug } = await createEvent({ name: 'Archived Symposium' });
    const lou = await person('Lou');
    await markEmailVerified(database.db, lou.id, lou.email);
    await events.joinEvent(ctx(lou), { code });
    await learning.completeLesson(ctx(lou), {
      courseSlug: course.slug,
      lessonSlug: course.lessons[0]!.slug,
      answers: answers(0),
    });
    await expect(events.setArchived(ctx(lou), { eventId, archived: true })).rejects.toBeInstanceOf(ForbiddenError);
    await events.setArchived(ctx(admin), { eventId, archived: true });
    await events.setArchived(ctx(admin), { eventId, archived: true }); // twice: harmless
    expect((await events.listEvents(ctx(admin))).map((e) => e.id)).not.toContain(eventId);
    expect((await events.listEvents(ctx(admin), { archived: true })).map((e) => e.id)).toEqual([eventId]);

    const max = await person('Max');
    await expect(events.joinEvent(ctx(max), { code })).rejects.toThrow(/Joining this event has closed/);
    expect(await events.lookUpEventCode(database.db, code, '10.7.7.7')).toMatchObject({ ok: false, reason: 'closed' });
    expect(await events.joinLinkOf(database.db, slug)).toBe('closed');
    expect((await events.publicEvent(database.db, catalog, slug))!.joinOpen).toBe(false);
    await expect(events.reopenJoining(ctx(admin), { eventId })).rejects.toBeInstanceOf(ConflictError);

    // Lou keeps her lessons and her completion; the dashboard still counts it.
    const [view] = await events.myEvents(ctx(lou));
    expect(view!.done).toBe(1);
    expect((await events.dashboard(ctx(admin), slug)).funnel[0]!.completed).toBe(1);

    await events.setArchived(ctx(admin), { eventId, archived: false });
    expect((await events.listEvents(ctx(admin))).map((e) => e.id)).toContain(eventId);
    expect(await events.joinEvent(ctx(max), { code })).toMatchObject({ alreadyEnrolled: false });
  });
});

describe('the dashboard counts what happened since joining', () => {
  it('leaves out a nurse who completed the course (and got its certificate) before joining the event', async () => {
    const { code, slug } = await createEvent({ eventDate: addDays(dateIn('Europe/Berlin'), -30) });
    const nurse = await person('Nurse from a team');
    await markEmailVerified(database.db, nurse.id, nurse.email);
    for (let i = 0; i < course.lessons.length; i++)
      await learning.completeLesson(ctx(nurse), {
        courseSlug: course.slug,
        lessonSlug: course.lessons[i]!.slug,
        answers: answers(i),
      });
    // She finished it last week, with her team, and joins the event today.
    await sql`update lesson_progress set started_at = started_at - interval '7 days', completed_at = completed_at - interval '7 days' where user_id = ${nurse.id}`.execute(
      database.db,
    );
    await sql`update certificates set issued_at = issued_at - interval '7 days' where user_id = ${nurse.id}`.execute(
      database.db,
    );
    await events.joinEvent(ctx(nurse), { code });
    const newcomer = await person('Newcomer');
    await events.joinEvent(ctx(newcomer), { code });
    await learning.completeLesson(ctx(newcomer), {
      courseSlug: course.slug,
      lessonSlug: course.lessons[0]!.slug,
      answers: answers(0),
    });

    const view = await events.dashboard(ctx(admin), slug);
    expect(view.enrolled).toBe(2);
    expect(view.funnel.map((f) => f.completed)).toEqual([1, 0, 0, 0, 0, 0]);
    expect(view.coursesDone).toEqual([
      { courseSlug: course.slug, title: course.title, count: 0, certificates: 0, credit: [] },
    ]);
    expect(view.activeLastWeek).toBe(1);
    const nurseRow = view.people.find((p) => p.name === 'Nurse from a team')!;
    expect(nurseRow).toMatchObject({ lessonsDone: 0, lastActive: null, coursesCompleted: [] });
  });
});
