import { ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, markEmailVerified, findUserById } from '#server/accounts/users-repo.ts';
import * as progress from '#server/progress/repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as reminders from '#server/teams/reminders.ts';
import * as remindersRepo from '#server/teams/reminders-repo.ts';
import { addDays } from '#lib/team-rules.ts';
import { changeTimeZone } from '#server/accounts/accounts.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const course = catalog.course('servant-leadership')!;

async function person(name: string): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  await markEmailVerified(database.db, created!.id, created!.email);
  return (await findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });

async function outboxFor(email: string) {
  return database.db.selectFrom('outbox').selectAll().where('to_address', '=', email).orderBy('id').execute();
}

async function setup() {
  const leader = await person('Leader');
  const { teamId } = await teams.createTeam(ctx(leader), { name: 'Night shift', description: '' });
  const { code } = await teams.createInvite(ctx(leader), { teamId, days: 7, maxUses: null });
  const [ana, ben, cai] = [await person('Ana'), await person('Ben'), await person('Cai')];
  for (const p of [ana, ben, cai]) await teams.joinTeam(ctx(p), { code });
  const { assignmentId } = await teams.assignCourse(ctx(leader), {
    teamId,
    courseSlug: course.slug,
    dueOn: addDays(teams.teamToday(), 5),
    note: '',
  });
  for (const lesson of course.lessons)
    await progress.completeLesson(
      database.db,
      { userId: cai.id, courseSlug: course.slug, lessonSlug: lesson.slug },
      '1.0.0',
    );
  return { leader, teamId, assignmentId, ana, ben, cai };
}

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('reminders', () => {
  it('tells who will get one, sends at most one per member per 24 hours, respects quiet hours and unsubscribe', async () => {
    const { leader, teamId, assignmentId, ana, ben, cai } = await setup();
    // Ben is asleep: quiet all day except 12:00-12:01 UTC.
    await reminders.savePreferences(
      { db: database.db, catalog, user: ben },
      { quietStart: 12 * 60 + 1, quietEnd: 12 * 60, remindersOn: true },
    );
    const noon = new Date('2030-01-10T10:00:00Z');
    const plan = await reminders.planReminders(ctx(leader, noon), { teamId, assignmentId });
    expect(plan.recipients.map((r) => r.name)).toEqual(['Ana', 'Ben']);
    expect(plan.notReminded).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Cai', reason: 'Already completed' })]),
    );
    expect(plan.recipients.find((r) => r.name === 'Ben')).toMatchObject({
      waitsForQuietHours: true,
      deliverAfter: new Date('2030-01-10T12:00:00Z'),
    });

    const sent = await reminders.sendReminders(ctx(leader, noon), { teamId, assignmentId });
    expect(sent.queued).toBe(2);
    const again = await reminders.sendReminders(ctx(leader, new Date(noon.getTime() + 3600_000)), {
      teamId,
      assignmentId,
    });
    expect(again.queued).toBe(0);

    const first = await reminders.runDueReminders(database.db, catalog, noon);
    expect(first).toMatchObject({ sent: 1, postponed: 0 });
    const anaMail = await outboxFor(ana.email);
    expect(anaMail).toHaveLength(1);
    expect(anaMail[0]!.text_body).toContain(`/courses/${course.slug}/${course.lessons[0]!.slug}`);
    // The team's name is the leader's text: quoted and named as the team's, after Rounds' own words.
    const lines = anaMail[0]!.text_body.split('\n').filter((line) => line.trim());
    expect(lines.findIndex((line) => line.includes('Night shift'))).toBeGreaterThan(1);
    expect(anaMail[0]!.text_body).toContain('Team: “Night shift”');
    expect(anaMail[0]!.subject).not.toContain('Night shift');
    expect(await outboxFor(ben.email)).toHaveLength(0);
    expect(await outboxFor(cai.email)).toHaveLength(0);

    const later = await reminders.runDueReminders(database.db, catalog, new Date('2030-01-10T12:00:30Z'));
    expect(later.sent).toBe(1);
    expect(await outboxFor(ben.email)).toHaveLength(1);

    // Ana unsubscribes with the link from her mail; the next day's reminder is not sent.
    const link = /unsubscribe\?token=([^\s]+)/.exec(anaMail[0]!.text_body)![1]!;
    expect(await reminders.unsubscribeWithToken(database.db, link.replace(/.$/, 'x'))).toBe(false);
    expect(await reminders.unsubscribeWithToken(database.db, link)).toBe(true);
    const nextDay = new Date(noon.getTime() + 25 * 3600_000);
    const plan2 = await reminders.planReminders(ctx(leader, nextDay), { teamId, assignmentId });
    expect(plan2.notReminded).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Ana', reason: 'Turned reminders off' })]),
    );
    await reminders.sendReminders(ctx(leader, nextDay), { teamId, assignmentId });
    await reminders.runDueReminders(database.db, catalog, new Date(nextDay.getTime() + 3600_000));
    expect(await outboxFor(ana.email)).toHaveLength(1);
  });

  it('lets only leaders remind, and queues each member once when two leaders press at once', async () => {
    const { leader, teamId, assignmentId, ana } = await setup();
    await expect(reminders.planReminders(ctx(ana), { teamId, assignmentId })).rejects.toBeInstanceOf(ForbiddenError);
    const outsider = await person('Outsider');
    await expect(reminders.sendReminders(ctx(outsider), { teamId, assignmentId })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const results = await Promise.all(
      [1, 2, 3].map(() => reminders.sendReminders(ctx(leader), { teamId, assignmentId })),
    );
    expect(results.reduce((sum, r) => sum + r.queued, 0)).toBe(2);
  });

  it('delivers each reminder once when several job runners start at the same moment', async () => {
    const { leader, teamId, assignmentId, ana, ben } = await setup();
    const at = new Date('2031-03-04T09:00:00Z');
    expect((await reminders.sendReminders(ctx(leader, at), { teamId, assignmentId })).queued).toBe(2);
    // Totals would count other tests' leftovers (the queue is shared), so count each person's mail.
    await Promise.all([1, 2, 3].map(() => reminders.runDueReminders(database.db, catalog, at)));
    expect(await outboxFor(ana.email)).toHaveLength(1);
    expect(await outboxFor(ben.email)).toHaveLength(1);
  });

  it('leaves a claimed reminder to its runner for the lease, then retakes it from a runner that crashed', async () => {
    const { leader, teamId, assignmentId, ana, ben } = await setup();
    const at = new Date('2032-05-06T09:00:00Z');
    await reminders.sendReminders(ctx(leader, at), { teamId, assignmentId });
    // A runner claims both reminders and dies before sending either.
    const claimed = await remindersRepo.claimDueReminders(database.db, at, 50);
    expect(claimed.map((r) => r.user_id)).toEqual(expect.arrayContaining([ana.id, ben.id]));
    const minutes = (n: number) => new Date(at.getTime() + n * 60_000);
    await reminders.runDueReminders(database.db, catalog, minutes(remindersRepo.CLAIM_LEASE_MINUTES - 1));
    expect(await outboxFor(ana.email)).toHaveLength(0);
    await reminders.runDueReminders(database.db, catalog, minutes(remindersRepo.CLAIM_LEASE_MINUTES + 1));
    expect(await outboxFor(ana.email)).toHaveLength(1);
    expect(await outboxFor(ben.email)).toHaveLength(1);
    const rows = await remindersRepo.remindersOfUser(database.db, ana.id);
    expect(rows.at(-1)).toMatchObject({ attempts: 2, last_error: null });
    expect(rows.at(-1)!.delivered_at).not.toBeNull();
  });
});

describe('reminders in the member’s own time zone', () => {
  // 2030-01-10 09:43 UTC is 03:43 in Chicago (UTC-6 in winter): inside the default quiet hours there, 21:00-07:00.
  const chicagoNight = new Date('2030-01-10T09:43:00Z');
  const chicagoSeven = new Date('2030-01-10T13:00:00Z');

  it('holds a reminder for a Chicago account during its local quiet hours and sends it at 07:00 Chicago time', async () => {
    const { leader, teamId, assignmentId, ana, ben } = await setup();
    await changeTimeZone(ctx(ana), 'America/Chicago');
    const plan = await reminders.planReminders(ctx(leader, chicagoNight), { teamId, assignmentId });
    expect(plan.recipients.find((r) => r.name === 'Ana')).toMatchObject({
      waitsForQuietHours: true,
      deliverAfter: chicagoSeven,
    });
    expect(plan.recipients.find((r) => r.name === 'Ben')).toMatchObject({ waitsForQuietHours: false }); // UTC: 09:43

    await reminders.sendReminders(ctx(leader, chicagoNight), { teamId, assignmentId });
    await reminders.runDueReminders(database.db, catalog, chicagoNight);
    expect(await outboxFor(ana.email)).toHaveLength(0);
    expect(await outboxFor(ben.email)).toHaveLength(1);
    await reminders.runDueReminders(database.db, catalog, new Date(chicagoSeven.getTime() - 60_000));
    expect(await outboxFor(ana.email)).toHaveLength(0);
    await reminders.runDueReminders(database.db, catalog, chicagoSeven);
    expect(await outboxFor(ana.email)).toHaveLength(1);
  });

  it('checks quiet hours again at send time, in the zone the account has by then', async () => {
    const { leader, teamId, assignmentId, ana } = await setup();
    // Queued while Ana's account was on UTC (09:43 there: sent at once) ...
    await reminders.sendReminders(ctx(leader, chicagoNight), { teamId, assignmentId });
    // ... then she set her account to Chicago before the job ran: it waits for her morning.
    await changeTimeZone(ctx(ana), 'America/Chicago');
    expect(await reminders.runDueReminders(database.db, catalog, chicagoNight)).toMatchObject({ postponed: 1 });
    expect(await outboxFor(ana.email)).toHaveLength(0);
    const [row] = await remindersRepo.remindersOfUser(database.db, ana.id);
    expect(row!.deliver_after).toEqual(chicagoSeven);
    await reminders.runDueReminders(database.db, catalog, chicagoSeven);
    expect(await outboxFor(ana.email)).toHaveLength(1);
  });
});
