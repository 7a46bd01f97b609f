// Guessing join codes is slow: unknown team and event codes count against one limit per
// client address; once it is reached even a right code waits, from that address only,
// until the window has passed — then the right code works again.
import type { PublicUser } from '#server/kernel/context.ts';
import { FieldError, ThrottledError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as events from '#server/events/events.ts';

import { joinCodeKey, RULES } from '#server/platform/throttle.ts';
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
async function letTimePass(ip: string, seconds: number) {
  await database.db
    .updateTable('throttles')
    .set({ window_started_at: new Date(Date.now() - seconds * 1000) })
    .where('key', '=', joinCodeKey(ip))
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
  it(`${LIMIT} wrong codes (team or event) from one address, then even a right one waits, with the time to retry`, async () => {
    const ip = freshIp();
    for (let i = 0; i < LIMIT; i++) {
      const lookup =
        i % 2 === 0
          ? await teams.lookUpInvite(database.db, 'ZZZZZZZZ', ip)
          : await events.lookUpEventCode(database.db, 'ZZZZZZ', ip);
      expect(lookup).toMatchObject({ ok: false, reason: 'unknown' });
    }
    const refused = await teams.lookUpInvite(database.db, teamCode, ip).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ThrottledError);
    expect((refused as ThrottledError).retryAfterSeconds).toBeGreaterThan(WINDOW - 60);
    expect((refused as ThrottledError).retryAfterSeconds).toBeLessThanOrEqual(WINDOW);
    expect((refused as ThrottledError).message).toBe(`Too many attempts. Please try again in ${WINDOW / 60} minutes.`);
    await expect(events.lookUpEventCode(database.db, eventCode, ip)).rejects.toBeInstanceOf(ThrottledError);
    const member = await person('Mo Member');
    await expect(
      teams.joinTeam({ db: database.db, catalog, user: member, clientIp: ip }, { code: teamCode }),
    ).rejects.toBeInstanceOf(ThrottledError);
    await expect(
      events.joinEvent({ db: database.db, catalog, user: member, clientIp: ip }, { code: eventCode }),
    ).rejects.toBeInstanceOf(ThrottledError);

    // Only that address: another one is served.
    expect(await teams.lookUpInvite(database.db, teamCode, freshIp())).toMatchObject({ ok: true, teamId });

    // Almost at the end of the window: still refused, and the wait shown is what is left.
    await letTimePass(ip, WINDOW - 90);
    const later = (await teams
      .lookUpInvite(database.db, teamCode, ip)
      .catch((error: unknown) => error)) as ThrottledError;
    expect(later).toBeInstanceOf(ThrottledError);
    expect(later.retryAfterSeconds).toBeLessThanOrEqual(90);
    expect(later.message).toBe('Too many attempts. Please try again in 2 minutes.');

    // After the window, the right codes work from that address again.
    await letTimePass(ip, WINDOW + 1);
    expect(await teams.lookUpInvite(database.db, teamCode, ip)).toMatchObject({ ok: true, teamId });
    expect(await teams.joinTeam({ db: database.db, catalog, user: member, clientIp: ip }, { code: teamCode })).toEqual({
      teamId,
      alreadyMember: false,
    });
    expect(
      await events.joinEvent({ db: database.db, catalog, user: member, clientIp: ip }, { code: eventCode }),
    ).toMatchObject({ slug: 'spring-throttle', alreadyEnrolled: false });
  });

  it('wrong codes typed into the join forms count too; right codes never do', async () => {
    const ip = freshIp();
    const member = await person('Pat Member');
    const ctx = { db: database.db, catalog, user: member, clientIp: ip };
    // Right codes, many times (joining twice is harmless): never throttled.
    for (let i = 0; i < LIMIT + 5; i++) {
      await teams.lookUpInvite(database.db, teamCode, ip);
      await teams.joinTeam(ctx, { code: teamCode });
    }
    for (let i = 0; i < LIMIT; i++) {
      const attempt =
        i % 2 === 0 ? teams.joinTeam(ctx, { code: 'YYYYYYYY' }) : events.joinEvent(ctx, { code: 'YYYYYY' });
      await expect(attempt).rejects.toBeInstanceOf(FieldError);
    }
    await expect(teams.joinTeam(ctx, { code: teamCode })).rejects.toBeInstanceOf(ThrottledError);
    await letTimePass(ip, WINDOW + 1);
    expect(await teams.joinTeam(ctx, { code: teamCode })).toEqual({ teamId, alreadyMember: true });
  });
});
