// Guessing join codes is slow, and one guesser cannot block a venue: unknown team and
// event codes count against one limit per client address and one per account; over it,
// wrong codes wait, but a code that exists is never refused (codes are long enough for
// that: 12 symbols for teams, 10 for events). Only the short codes made before codes grew
// (8 and 6 symbols) still wait while their address is over the limit, as they always did.
import type { PublicUser } from '#server/kernel/context.ts';
import { FieldError, ThrottledError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as events from '#server/events/events.ts';

import { joinCodeAccountKey, joinCodeKey, RULES } from '#server/platform/throttle.ts';
import { addDays, dateIn } from '#lib/team-rules.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const LIMIT = RULES.failedJoinCodePerIp.limit;
const WINDOW = RULES.failedJoinCodePerIp.windowSeconds;
let leader: PublicUser;
let admin: PublicUser;
let teamCode: string;
let teamId: string;
let eventCode: string;

async function person(name: string): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  await markEmailVerified(database.db, created!.id, created!.email);
  return (await findUserById(database.db, created!.id))!;
}

let ipCounter = 0;
const freshIp = () => `10.9.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

/** What the window's end looks like after `seconds` have passed: the database's clock decides, so move the window's start back. */
async function letTimePass(ip: string, seconds: number, key = joinCodeKey(ip)) {
  await database.db
    .updateTable('throttles')
    .set({ window_started_at: new Date(Date.now() - seconds * 1000) })
    .where('key', '=', key)
    .execute();
}

beforeAll(async () => {
  database = await freshDatabase();
  leader = await person('Lee Leader');
  admin = await person('Ada Admin');
  await setAdmin(database.db, admin.email);
  admin = (await findUserById(database.db, admin.id))!;
  ({ teamId } = await teams.createTeam(
    { db: database.db, catalog, user: leader },
    { name: 'Ward 9', description: '' },
  ));
  ({ code: teamCode } = await teams.createInvite(
    { db: database.db, catalog, user: leader },
    { teamId, days: 7, maxUses: null },
  ));
  ({ code: eventCode } = await events.createEvent(
    { db: database.db, catalog, user: admin },
    {
      name: 'Spring Symposium',
      slug: 'spring-throttle',
      eventDate: addDays(dateIn('UTC'), -1),
      timeZone: 'UTC',
      location: '',
      welcomeMessage: '',
      courses: ['patient-connection'],
      unlockMinute: 0,
      firstUnlockDays: 0,
      intervalDays: 3,
      dayOffsets: null,
    },
  ));
});
afterAll(async () => {
  await database?.close();
});

describe('join-code guesses', () => {
  it('new codes are long: 12 symbols for a team invite, 10 for an event', () => {
    expect(teamCode).toMatch(/^[A-Z2-9]{12}$/);
    expect(eventCode).toMatch(/^[A-Z2-9]{10}$/);
  });

  it(`${LIMIT} wrong codes from one address (a venue): wrong ones wait, with the time to retry, but right codes work for everyone there`, async () => {
    const venue = freshIp();
    for (let i = 0; i < LIMIT; i++) {
      const lookup =
        i % 2 === 0
          ? await teams.lookUpInvite(database.db, 'ZZZZZZZZZZZZ', venue)
          : await events.lookUpEventCode(database.db, 'ZZZZZZZZZZ', venue);
      expect(lookup).toMatchObject({ ok: false, reason: 'unknown' });
    }
    const refused = await teams.lookUpInvite(database.db, 'ZZZZZZZZZZZY', venue).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ThrottledError);
    expect((refused as ThrottledError).retryAfterSeconds).toBeGreaterThan(WINDOW - 60);
    expect((refused as ThrottledError).retryAfterSeconds).toBeLessThanOrEqual(WINDOW);
    expect((refused as ThrottledError).message).toBe(`Too many attempts. Please try again in ${WINDOW / 60} minutes.`);
    await expect(events.lookUpEventCode(database.db, 'ZZZZZZZZZY', venue)).rejects.toBeInstanceOf(ThrottledError);

    // Someone else at the venue, with the right codes: served.
    expect(await teams.lookUpInvite(database.db, teamCode, venue)).toMatchObject({ ok: true, teamId });
    expect(await events.lookUpEventCode(database.db, eventCode, venue)).toMatchObject({ ok: true });
    const attendee = await person('Mo Member');
    const ctx = { db: database.db, catalog, user: attendee, clientIp: venue };
    expect(await teams.joinTeam(ctx, { code: teamCode })).toEqual({ teamId, alreadyMember: false });
    expect(await events.joinEvent(ctx, { code: eventCode })).toMatchObject({
      slug: 'spring-throttle',
      alreadyEnrolled: false,
    });
    // Their typo waits like the guesser's, and says so.
    await expect(teams.joinTeam(ctx, { code: 'ZZZZZZZZZZZX' })).rejects.toBeInstanceOf(ThrottledError);

    // After the window, wrong codes get the plain answer again.
    await letTimePass(venue, WINDOW + 1);
    expect(await teams.lookUpInvite(database.db, 'ZZZZZZZZZZZY', venue)).toMatchObject({ reason: 'unknown' });
  });

  it(`a guesser's account is held after ${RULES.failedJoinCodePerAccount.limit} wrong codes, from any address; right codes still work`, async () => {
    const guesser = await person('Gus Guesser');
    const fromAnywhere = () => ({ db: database.db, catalog, user: guesser, clientIp: freshIp() });
    for (let i = 0; i < RULES.failedJoinCodePerAccount.limit; i++) {
      const attempt =
        i % 2 === 0
          ? teams.joinTeam(fromAnywhere(), { code: 'YYYYYYYYYYYY' })
          : events.joinEvent(fromAnywhere(), { code: 'YYYYYYYYYY' });
      await expect(attempt).rejects.toBeInstanceOf(FieldError);
    }
    await expect(teams.joinTeam(fromAnywhere(), { code: 'YYYYYYYYYYYX' })).rejects.toBeInstanceOf(ThrottledError);
    await expect(events.joinEvent(fromAnywhere(), { code: 'YYYYYYYYYX' })).rejects.toBeInstanceOf(ThrottledError);
    expect(await teams.joinTeam(fromAnywhere(), { code: teamCode })).toMatchObject({ teamId });
    // Another account is not held.
    const other = await person('Olive Other');
    await expect(
      teams.joinTeam({ db: database.db, catalog, user: other, clientIp: freshIp() }, { code: 'YYYYYYYYYYYX' }),
    ).rejects.toBeInstanceOf(FieldError);
    await letTimePass('', WINDOW + 1, joinCodeAccountKey(guesser.id));
    await expect(teams.joinTeam(fromAnywhere(), { code: 'YYYYYYYYYYYX' })).rejects.toBeInstanceOf(FieldError);
  });

  it('short codes made before codes grew keep working, and wait while their address is over the limit', async () => {
    const oldInvite = 'ABCDEFGH';
    await database.db
      .insertInto('team_invites')
      .values({
        team_id: teamId,
        code: oldInvite,
        created_by: leader.id,
        expires_at: new Date(Date.now() + 86_400_000),
      })
      .execute();
    const ip = freshIp();
    expect(await teams.lookUpInvite(database.db, oldInvite, ip)).toMatchObject({ ok: true, teamId });
    const member = await person('Lou Legacy');
    const ctx = { db: database.db, catalog, user: member, clientIp: ip };
    expect(await teams.joinTeam(ctx, { code: oldInvite })).toEqual({ teamId, alreadyMember: false });
    for (let i = 0; i < LIMIT; i++) await teams.lookUpInvite(database.db, 'ZZZZZZZZ', ip);
    await expect(teams.lookUpInvite(database.db, oldInvite, ip)).rejects.toBeInstanceOf(ThrottledError);
    await expect(teams.joinTeam(ctx, { code: oldInvite })).rejects.toBeInstanceOf(ThrottledError);
    // The long code is not held back.
    expect(await teams.lookUpInvite(database.db, teamCode, ip)).toMatchObject({ ok: true });
    await letTimePass(ip, WINDOW + 1);
    expect(await teams.joinTeam(ctx, { code: oldInvite })).toEqual({ teamId, alreadyMember: true });
  });

  it('right codes never count, however often they are used', async () => {
    const ip = freshIp();
    const member = await person('Pat Member');
    const ctx = { db: database.db, catalog, user: member, clientIp: ip };
    for (let i = 0; i < LIMIT + 5; i++) {
      await teams.lookUpInvite(database.db, teamCode, ip);
      await teams.joinTeam(ctx, { code: teamCode });
    }
    expect(
      await database.db
        .selectFrom('throttles')
        .select('key')
        .where('key', 'in', [joinCodeKey(ip), joinCodeAccountKey(member.id)])
        .execute(),
    ).toEqual([]);
  });
});
