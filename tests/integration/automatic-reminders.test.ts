// Issue 17 §3: automatic reminders, real SMTP to an in-process server. Before, on and
// after the due date each goes out once, with two runners and a crash midway; the
// per-team unsubscribe link is honoured; one automatic email a day per person across
// teams (merged) and events; the leader's schedule and the Monday digest.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import type { OutgoingMail } from '#server/platform/outbox-repo.ts';

type Auto = typeof import('#server/teams/automatic-reminders.ts');
type TeamsRepo = typeof import('#server/teams/repo.ts');
type Users = typeof import('#server/accounts/users-repo.ts');
type Events = typeof import('#server/events/events.ts');
type Mail = typeof import('#server/platform/mail.ts');

const PUBLIC_URL = 'https://rounds.example-hospital.test';
const ENV_KEYS = ['SMTP_URL', 'PUBLIC_URL', 'MAIL_FROM'] as const;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>> = {};

let database: RoundsDatabase;
let server: SMTPServer;
let received: { to: string; raw: Buffer }[] = [];
let auto: Auto;
let teamsRepo: TeamsRepo;
let users: Users;
let events: Events;
let mail: Mail;
const catalog = testCatalog();
const course = catalog.course('team-huddles')!;
const other = catalog.courses.find((c) => c.slug !== course.slug && c.lessons.length > 0)!;

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
  auto = await import('#server/teams/automatic-reminders.ts');
  teamsRepo = await import('#server/teams/repo.ts');
  users = await import('#server/accounts/users-repo.ts');
  events = await import('#server/events/events.ts');
  mail = await import('#server/platform/mail.ts');
  database = await freshDatabase();
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await database?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

async function person(name: string, timeZone = 'UTC'): Promise<PublicUser> {
  const created = await users.createUser(database.db, {
    email: uniqueEmail(name.toLowerCase()),
    name,
    passwordHash: 'x',
  });
  await users.markEmailVerified(database.db, created!.id, created!.email);
  await database.db.updateTable('users').set({ time_zone: timeZone }).where('id', '=', created!.id).execute();
  return (await users.findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });

/** A team with a leader and members, and one course due on `dueOn` (the same date for all). */
async function teamWith(names: string[], dueOn: string, courseSlug = course.slug, timeZone = 'UTC') {
  const leader = await person(`Lead${names[0]}`, timeZone);
  const team = await teamsRepo.insertTeam(database.db, {
    name: `Ward ${Math.random().toString(36).slice(2, 6)}`,
    description: '',
    createdBy: leader.id,
  });
  await teamsRepo.addMember(database.db, team.id, leader.id, 'leader');
  const members: PublicUser[] = [];
  for (const name of names) {
    const p = await person(name, timeZone);
    await teamsRepo.addMember(database.db, team.id, p.id, 'member');
    members.push(p);
  }
  const assignmentId = (await teamsRepo.insertAssignment(database.db, {
    teamId: team.id,
    courseSlug,
    dueOn,
    note: '',
    createdBy: leader.id,
  }))!;
  return { team, leader, members, assignmentId };
}

async function mailsTo(p: PublicUser): Promise<ParsedMail[]> {
  return Promise.all(received.filter((m) => m.to === p.email).map((m) => simpleParser(m.raw)));
}

const listUnsubscribe = (m: ParsedMail) => m.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';

async function completeCourse(p: PublicUser, slug: string) {
  for (const lesson of catalog.course(slug)!.lessons)
    await database.db
      .insertInto('lesson_progress')
      .values({
        user_id: p.id,
        course_slug: slug,
        lesson_slug: lesson.slug,
        started_at: new Date('2030-01-01T00:00:00Z'),
        completed_at: new Date('2030-01-01T00:10:00Z'),
        course_version: null,
      })
      .execute();
}

const run = (now: Date, options?: Parameters<Auto['runAutomaticReminders']>[3]) =>
  auto.runAutomaticReminders(database.db, catalog, now, options);

describe('automatic reminders', () => {
  it('before, on and after the due date each go out once, with two runners and a crash midway', async () => {
    received = [];
    const { members } = await teamWith(['Ana', 'Ben', 'Cy'], '2030-03-20');
    const [ana, ben, cy] = members as [PublicUser, PublicUser, PublicUser];
    const countOf = async (p: PublicUser) => (await mailsTo(p)).length;

    // Four days ahead: nothing yet (the team's default is three days before).
    expect(await run(new Date('2030-03-16T12:00:00Z'))).toMatchObject({ sent: 0 });
    // Three days ahead, two runners at once: each member once.
    const both = await Promise.all([run(new Date('2030-03-17T12:00:00Z')), run(new Date('2030-03-17T12:00:00Z'))]);
    expect(both[0].sent + both[1].sent).toBe(3);
    // The next day is still "before": already sent, nothing more.
    expect(await run(new Date('2030-03-18T12:00:00Z'))).toMatchObject({ sent: 0 });
    for (const p of members) expect(await countOf(p)).toBe(1);
    const first = (await mailsTo(ana))[0]!;
    expect(first.subject).toBe(`Coming up: ${course.title}`);
    expect(first.text).toContain('due in 3 days');
    expect(first.text).toContain(`${PUBLIC_URL}/courses/${course.slug}/${course.lessons[0]!.slug}`);
    expect(listUnsubscribe(first)).toContain('/teams/reminders/unsubscribe?teams=');

    // On the day: the first runner claims the three days, sends one email, then hangs inside the other sends (a process that died).
    const onTheDay = new Date('2030-03-20T09:00:00Z');
    let calls = 0;
    let crashed!: () => void;
    const crashedNow = new Promise<void>((resolve) => (crashed = resolve));
    const dying = (db: typeof database.db, m: OutgoingMail) => {
      calls += 1;
      if (calls <= 1) return mail.sendMail(db, m);
      crashed();
      return new Promise<void>(() => {});
    };
    void run(onTheDay, { send: dying });
    await crashedNow;
    // A new process at once: the dead runner's claims wait for their lease, then are taken over.
    // Its one good email is marked sent; the other two days stay claimed by the dead runner.
    await expect
      .poll(
        async () =>
          (
            await database.db.selectFrom('mail_days').select('sent_at').where('day', '=', '2030-03-20').execute()
          ).filter((d) => d.sent_at).length,
      )
      .toBe(1);
    expect(await run(new Date(onTheDay.getTime() + 60_000))).toMatchObject({ sent: 0, waiting: 2 });
    expect(await run(new Date(onTheDay.getTime() + 11 * 60_000))).toMatchObject({ sent: 2 });
    expect(await run(new Date(onTheDay.getTime() + 30 * 60_000))).toMatchObject({ sent: 0 });
    for (const p of members) expect(await countOf(p)).toBe(2);
    expect((await mailsTo(ben))[1]!.text).toContain('due today');

    // Ben finishes the course; a week after the due date the others get the first overdue reminder.
    await completeCourse(ben, course.slug);
    expect(await run(new Date('2030-03-27T12:00:00Z'))).toMatchObject({ sent: 2 });
    expect(await run(new Date('2030-03-29T12:00:00Z'))).toMatchObject({ sent: 0 });
    expect(await countOf(ben)).toBe(2);
    const overdue = (await mailsTo(cy))[2]!;
    expect(overdue.subject).toBe(`Still open: ${course.title}`);
    expect(overdue.text).toContain('7 days overdue');
    // Weekly while overdue, four at most, then nothing more.
    for (const day of ['2030-04-03', '2030-04-10', '2030-04-17', '2030-04-24', '2030-05-01'])
      await run(new Date(`${day}T12:00:00Z`));
    expect(await countOf(cy)).toBe(6);
    expect(await database.db.selectFrom('outbox').selectAll().execute(), 'with SMTP set, no outbox').toHaveLength(0);
  }, 60_000);

  it('waits for the end of quiet hours in the member’s own zone', async () => {
    received = [];
    const { members } = await teamWith(['Dee'], '2031-03-20', course.slug, 'America/New_York');
    // 10:00 UTC on the 17th is 06:00 in New York: quiet until 07:00.
    expect(await run(new Date('2031-03-17T10:00:00Z'))).toMatchObject({ sent: 0, waiting: 1 });
    expect(await run(new Date('2031-03-17T11:05:00Z'))).toMatchObject({ sent: 1 });
    expect(await mailsTo(members[0]!)).toHaveLength(1);
  });

  it('honours the per-team unsubscribe link (and only a genuine one); other teams still remind', async () => {
    received = [];
    const first = await teamWith(['Eve'], '2032-03-20');
    const eve = first.members[0]!;
    const second = await teamWith(['Other'], '2032-03-27', other.slug);
    await teamsRepo.addMember(database.db, second.team.id, eve.id, 'member');
    await run(new Date('2032-03-17T12:00:00Z'));
    const [before] = await mailsTo(eve);
    const link = /\/teams\/reminders\/unsubscribe\?teams=([^&\s]+)&token=(\S+)/.exec(before!.text!)!;
    expect(link[1]).toBe(first.team.id);
    expect(await auto.unsubscribeFromTeamsWithToken(database.db, link[2]!, second.team.id)).toBeUndefined();
    expect(
      await auto.unsubscribeFromTeamsWithToken(
        database.db,
        link[2]!.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')),
        link[1]!,
      ),
    ).toBeUndefined();
    expect(await auto.unsubscribeFromTeamsWithToken(database.db, link[2]!, link[1]!)).toEqual([first.team.name]);
    // The due day of the first team: nothing. The second team's course, three days before its date: sent.
    expect(await run(new Date('2032-03-20T12:00:00Z'))).toMatchObject({ sent: 0 });
    expect(await run(new Date('2032-03-24T12:00:00Z'))).toMatchObject({ sent: 2 });
    const mails = await mailsTo(eve);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toBe(`Coming up: ${other.title}`);
  });

  it('sends one email a day per person: two teams merge into one digest; an event nudge waits for the next day', async () => {
    received = [];
    const ward = await teamWith(['Fay'], '2033-01-05');
    const fay = ward.members[0]!;
    const night = await teamWith(['Gus'], '2033-01-04', other.slug);
    await teamsRepo.addMember(database.db, night.team.id, fay.id, 'member');
    // An event whose first lesson opens on 2 Jan 07:00 UTC, the same day as both "before" reminders.
    const admin = await person('Organiser');
    await users.setAdmin(database.db, admin.email);
    const { code } = await events.createEvent(ctx((await users.findUserById(database.db, admin.id))!), {
      name: `Symposium ${Math.random().toString(36).slice(2, 6)}`,
      slug: '',
      eventDate: '2033-01-01',
      timeZone: 'UTC',
      location: '',
      welcomeMessage: '',
      courses: [course.slug],
      unlockMinute: 7 * 60,
      firstUnlockDays: 1,
      intervalDays: 2,
      dayOffsets: null,
    });
    await events.joinEvent(ctx(fay, new Date('2033-01-01T12:00:00Z')), { code });
    await sql`update event_enrollments set enrolled_at = ${new Date('2033-01-01T12:00:00Z')} where user_id = ${fay.id}`.execute(
      database.db,
    );

    // The job runner's order: team reminders, then nudges.
    const jan2 = new Date('2033-01-02T12:00:00Z');
    // Fay's two teams in one email, Gus's one.
    expect(await run(jan2)).toMatchObject({ sent: 2, reminders: 3 });
    expect(await events.runEventNudges(database.db, catalog, jan2)).toMatchObject({ sent: 0, waiting: 1 });
    let mails = await mailsTo(fay);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('2 courses to look at when you have a moment');
    expect(mails[0]!.text).toContain(`“${course.title}” for the team “${ward.team.name}”`);
    expect(mails[0]!.text).toContain(`“${other.title}” for the team “${night.team.name}”`);
    // The digest's one link stops both teams' reminders.
    expect(listUnsubscribe(mails[0]!)).toContain([ward.team.id, night.team.id].sort().join(','));

    // The next day: the lesson nudge goes (nothing else is due).
    const jan3 = new Date('2033-01-03T12:00:00Z');
    expect(await run(jan3)).toMatchObject({ sent: 0 });
    expect(await events.runEventNudges(database.db, catalog, jan3)).toMatchObject({ sent: 1 });
    mails = await mailsTo(fay);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toContain(course.lessons[0]!.title);

    // Night's due day (4 Jan) and the next lesson on the same day: the reminder takes the day, the nudge waits.
    const jan4 = new Date('2033-01-04T12:00:00Z');
    expect(await run(jan4)).toMatchObject({ sent: 2 });
    expect(await events.runEventNudges(database.db, catalog, jan4)).toMatchObject({ sent: 0, waiting: 1 });
    expect(await mailsTo(fay)).toHaveLength(3);
  }, 60_000);
});

describe('the leader’s schedule', () => {
  it('turned off sends nothing; the days before are the leader’s; only a leader may change it', async () => {
    received = [];
    const { team, leader, members } = await teamWith(['Hal', 'Ida'], '2034-06-20');
    const [hal] = members as [PublicUser];
    await expect(
      auto.saveReminderSchedule(ctx(hal), { teamId: team.id, automatic: false, daysBefore: 3 }),
    ).rejects.toThrow('Only the team’s leaders can do that.');
    await auto.saveReminderSchedule(ctx(leader), { teamId: team.id, automatic: true, daysBefore: 7 });
    const plan = await auto.whoGetsWhatNext(ctx(leader, new Date('2034-06-01T12:00:00Z')), team.id);
    expect(plan.schedule).toEqual({ automatic: true, daysBefore: 7 });
    expect(plan.next.map((n) => [n.name, n.on, n.what])).toEqual([
      ['Hal', '2034-06-13', 'Reminder 7 days before the due date'],
      ['Ida', '2034-06-13', 'Reminder 7 days before the due date'],
    ]);
    expect(await run(new Date('2034-06-12T12:00:00Z'))).toMatchObject({ sent: 0 });
    expect(await run(new Date('2034-06-13T12:00:00Z'))).toMatchObject({ sent: 2 });
    const after = await auto.whoGetsWhatNext(ctx(leader, new Date('2034-06-13T13:00:00Z')), team.id);
    expect(after.next[0]).toMatchObject({ on: '2034-06-20', what: 'Reminder on the due date' });

    await auto.saveReminderSchedule(ctx(leader), { teamId: team.id, automatic: false, daysBefore: 7 });
    expect(await run(new Date('2034-06-20T12:00:00Z'))).toMatchObject({ sent: 0 });
    expect((await auto.whoGetsWhatNext(ctx(leader), team.id)).next).toEqual([]);
    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'team.reminder-schedule')
      .where('target', '=', `team:${team.id}`)
      .execute();
    expect(audit).toHaveLength(2);
  });
});

describe('the leaders’ Monday digest', () => {
  it('goes once on Monday morning: who finished, whose course is past its date, who joined; opt-out honoured', async () => {
    received = [];
    // Due Wednesday 6 March 2030; the digest of Monday 11 March.
    const { team, leader, members } = await teamWith(['Jo', 'Kim'], '2030-03-06');
    const [jo] = members as [PublicUser];
    await completeCourse(jo, course.slug);
    await database.db
      .updateTable('lesson_progress')
      .set({ completed_at: new Date('2030-03-08T10:00:00Z') })
      .where('user_id', '=', jo.id)
      .execute();
    await sql`update team_members set joined_at = ${new Date('2030-03-09T10:00:00Z')} where team_id = ${team.id} and user_id = ${jo.id}`.execute(
      database.db,
    );
    const monday = new Date('2030-03-11T08:00:00Z');
    // Two runners at once, then again an hour later, and on Tuesday: one digest (the leaders of the other tests get theirs too).
    await Promise.all([
      auto.runLeaderDigests(database.db, catalog, monday),
      auto.runLeaderDigests(database.db, catalog, monday),
    ]);
    await auto.runLeaderDigests(database.db, catalog, new Date('2030-03-11T09:00:00Z'));
    await auto.runLeaderDigests(database.db, catalog, new Date('2030-03-12T08:00:00Z'));
    const [digest, ...rest] = await mailsTo(leader);
    expect(rest).toHaveLength(0);
    expect(digest!.text).toContain(`Finished this week: Jo (${course.title}).`);
    expect(digest!.text).toContain(`Past the due date, who may need a hand or a new date: Kim (${course.title}).`);
    expect(digest!.text).toContain('Joined this week: Jo.');
    expect(digest!.text).toContain(`${PUBLIC_URL}/teams/${team.id}`);
    expect(digest!.text).not.toMatch(/\b(rank|leaderboard|worst|best|top)\b/i);
    // The leader's one automatic email of that Monday: a member reminder for them would wait.
    const day = await database.db
      .selectFrom('mail_days')
      .selectAll()
      .where('user_id', '=', leader.id)
      .executeTakeFirstOrThrow();
    expect(day).toMatchObject({ day: '2030-03-11', source: 'leader-digest' });

    const off = /unsubscribe\?digest=1&token=(\S+)/.exec(digest!.text!)![1]!;
    expect(await auto.stopDigestWithToken(database.db, `${off}x`)).toBe(false);
    expect(await auto.stopDigestWithToken(database.db, off)).toBe(true);
    await auto.runLeaderDigests(database.db, catalog, new Date('2030-03-18T08:00:00Z'));
    expect(await mailsTo(leader)).toHaveLength(1);
  });
});
