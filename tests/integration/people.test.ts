// Administrators managing people: the list and its search, the administrator role (never
// none left, even when two administrators remove each other at the same moment), and
// deactivation (sessions end, no sign-in, no mail, records stay; reactivation).
import { ConflictError, FieldError, ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught } from '../support/caught.ts';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import * as accounts from '#server/accounts/accounts.ts';
import * as people from '#server/accounts/people.ts';
import { createUser, eraseAccount, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import { createSession, validateSessionToken } from '#server/accounts/sessions.ts';
import { hashPassword } from '#server/accounts/passwords.ts';
import { insertEmailToken } from '#server/accounts/email-tokens-repo.ts';
import { hashToHex, randomToken } from '#server/kernel/tokens.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import * as progress from '#server/progress/repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as reminders from '#server/teams/reminders.ts';
import * as events from '#server/events/events.ts';
import { addDays } from '#lib/team-rules.ts';
import { deleteMyAccount } from '#server/my-data/my-data.ts';

const catalog = testCatalog();
const PASSWORD = 'violet harbour tractor quilt 92';
let database: RoundsDatabase;
let ipCounter = 0;
// One argon2 hash for every account here: hashing is slow on purpose.
const passwordHash = hashPassword(PASSWORD);

function request() {
  ipCounter += 1;
  return { ip: `198.51.100.${ipCounter}`, userAgent: 'Mozilla/5.0 Firefox/140.0' };
}

/** An account with a real password (so it can sign in), optionally an administrator. */
async function person(name: string, options: { admin?: boolean; db?: RoundsDatabase } = {}): Promise<PublicUser> {
  const db = (options.db ?? database).db;
  const created = await createUser(db, {
    email: uniqueEmail(name.toLowerCase().replace(/\W+/g, '-')),
    name,
    passwordHash: await passwordHash,
  });
  await markEmailVerified(db, created!.id, created!.email);
  if (options.admin !== undefined)
    await db.updateTable('users').set({ is_admin: options.admin }).where('id', '=', created!.id).execute();
  return (await findUserById(db, created!.id))!;
}

const ctx = (user: PublicUser, db = database) => ({ db: db.db, catalog, user, clientIp: '127.0.0.1' });

async function activeAdmins(db = database): Promise<string[]> {
  const rows = await db.db
    .selectFrom('users')
    .select('id')
    .where('is_admin', '=', true)
    .where('deactivated_at', 'is', null)
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((row) => row.id);
}

/** Leaves exactly these administrators active in the database. */
async function onlyAdmins(db: RoundsDatabase, ids: string[]): Promise<void> {
  await db.db.updateTable('users').set({ is_admin: false }).where('id', 'not in', ids).execute();
  await db.db.updateTable('users').set({ is_admin: true }).where('id', 'in', ids).execute();
}

async function outboxFor(email: string) {
  return database.db.selectFrom('outbox').selectAll().where('to_address', '=', email).execute();
}

let admin: PublicUser;

beforeAll(async () => {
  database = await freshDatabase();
  admin = await person('Ada Admin', { admin: true });
});
afterAll(async () => {
  await database?.close();
});

describe('the people list', () => {
  it('is for administrators only', async () => {
    const member = await person('Mo Member', { admin: false });
    expect(await caught(people.listPeople(ctx(member), { search: '', page: 1 }))).toBeInstanceOf(ForbiddenError);
    expect(await caught(people.personForAdmin(ctx(member), admin.id))).toBeInstanceOf(ForbiddenError);
  });

  it('searches names and addresses case-insensitively, with % and _ as plain characters', async () => {
    const zora = await person('Zora Percent%');
    await person('Zora Percentage');
    const under = await person('Quinn_Under');
    await person('QuinnXUnder');
    const search = async (text: string) =>
      (await people.listPeople(ctx(admin), { search: text, page: 1 })).people.map((p) => p.name);
    expect(await search('zora percent%')).toEqual(['Zora Percent%']);
    expect(await search('ZORA')).toEqual(['Zora Percent%', 'Zora Percentage']);
    expect(await search('quinn_')).toEqual(['Quinn_Under']);
    expect(await search(zora.email.toUpperCase())).toEqual(['Zora Percent%']);
    expect(await search(under.email.slice(0, 12))).toContain('Quinn_Under');
    expect(await search('%')).toEqual(['Zora Percent%']);
  });

  it('pages 50 at a time by name, leaves deleted accounts out, and shows the last sign-in', async () => {
    const own = await freshDatabase();
    try {
      const first = await person('Aaron First', { db: own });
      for (let i = 0; i < 54; i++) await person(`Page Person ${String(i).padStart(2, '0')}`, { db: own });
      const gone = await person('Gone Person', { db: own });
      await own.db.transaction().execute((tx) => eraseAccount(tx, gone.id));
      const one = await people.listPeople(ctx(first, own), { search: '', page: 1 });
      const two = await people.listPeople(ctx(first, own), { search: '', page: 2 });
      expect(one).toMatchObject({ total: 55, pages: 2, page: 1 });
      expect(one.people).toHaveLength(50);
      expect(two.people.map((p) => p.name)).toEqual([49, 50, 51, 52, 53].map((i) => `Page Person ${i}`));
      expect([...one.people, ...two.people].some((p) => p.id === gone.id)).toBe(false);
      expect(one.people[0]).toMatchObject({ name: 'Aaron First', is_admin: true, last_signed_in_at: null });

      await accounts.signIn(own.db, { email: first.email, password: PASSWORD }, request());
      const after = await people.personForAdmin(ctx(first, own), first.id);
      expect(after.last_signed_in_at).toBeInstanceOf(Date);
      expect(await caught(people.personForAdmin(ctx(first, own), gone.id))).toBeInstanceOf(NotFoundError);
    } finally {
      await own.close();
    }
  });
});

describe('the administrator role', () => {
  it('is granted and removed with an audit entry naming who did it; granting twice changes nothing', async () => {
    const nia = await person('Nia Nurse', { admin: false });
    await people.grantAdminRole(ctx(admin), { userId: nia.id });
    await people.grantAdminRole(ctx(admin), { userId: nia.id });
    expect((await findUserById(database.db, nia.id))!.is_admin).toBe(true);
    await people.removeAdminRole(ctx(admin), { userId: nia.id });
    expect((await findUserById(database.db, nia.id))!.is_admin).toBe(false);
    const entries = (await listAuditEntries(database.db, { limit: 10 })).filter((e) => e.target === `user:${nia.id}`);
    expect(entries.map((e) => [e.action, e.actorId, e.targetLabel])).toEqual([
      ['admin.remove', admin.id, `Nia Nurse (${nia.email})`],
      ['admin.grant', admin.id, `Nia Nurse (${nia.email})`],
    ]);
  });

  it('is never taken from the last active administrator, the administrator herself included', async () => {
    const own = await freshDatabase();
    try {
      const solo = await person('Solo Admin', { db: own, admin: true });
      const other = await person('Other Admin', { db: own, admin: true });
      await onlyAdmins(own, [solo.id, other.id]);
      // A deactivated administrator does not count.
      await people.deactivateAccount(ctx(solo, own), { userId: other.id });
      const refused = await caught(people.removeAdminRole(ctx(solo, own), { userId: solo.id }));
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as Error).message).toBe(people.LAST_ADMIN);
      await people.reactivateAccount(ctx(solo, own), { userId: other.id });
      // With another active administrator, she may give the role up herself.
      await people.removeAdminRole(ctx(solo, own), { userId: solo.id });
      expect(await activeAdmins(own)).toEqual([other.id]);
      // And then she can no longer act as one, whatever her session said.
      expect(await caught(people.grantAdminRole(ctx(solo, own), { userId: solo.id }))).toBeInstanceOf(ForbiddenError);
    } finally {
      await own.close();
    }
  });

  it('is never lost by the last active administrator deleting her own account while others remain', async () => {
    const own = await freshDatabase();
    try {
      const solo = await person('Only Admin', { db: own, admin: true });
      await person('A Nurse', { db: own });
      await onlyAdmins(own, [solo.id]);
      const refused = await caught(
        deleteMyAccount(ctx(solo, own), { confirmEmail: solo.email, currentPassword: PASSWORD }),
      );
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as Error).message).toMatch(/only active administrator/);
      expect(await findUserById(own.db, solo.id)).toBeDefined();
      // With a second administrator she may go.
      const other = await person('Next Admin', { db: own, admin: true });
      await deleteMyAccount(ctx(solo, own), { confirmEmail: solo.email, currentPassword: PASSWORD });
      expect(await activeAdmins(own)).toEqual([other.id]);
    } finally {
      await own.close();
    }
  });

  it('leaves one active administrator when two remove each other at the same moment', async () => {
    const own = await freshDatabase();
    try {
      for (let round = 0; round < 5; round++) {
        const a = await person(`Admin A${round}`, { db: own });
        const b = await person(`Admin B${round}`, { db: own });
        await onlyAdmins(own, [a.id, b.id]);
        const [aUser, bUser] = [(await findUserById(own.db, a.id))!, (await findUserById(own.db, b.id))!];
        const outcomes = await Promise.allSettled(
          round % 2 === 0
            ? [
                people.removeAdminRole(ctx(aUser, own), { userId: b.id }),
                people.removeAdminRole(ctx(bUser, own), { userId: a.id }),
              ]
            : [
                people.removeAdminRole(ctx(aUser, own), { userId: a.id }),
                people.removeAdminRole(ctx(bUser, own), { userId: b.id }),
              ],
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const reason = (outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason;
        expect(reason instanceof ConflictError || reason instanceof ForbiddenError, String(reason)).toBe(true);
        expect(await activeAdmins(own)).toHaveLength(1);
      }
      // Two administrators deactivating each other at once: the same.
      const a = await person('Admin Deactivating A', { db: own });
      const b = await person('Admin Deactivating B', { db: own });
      await onlyAdmins(own, [a.id, b.id]);
      const [aUser, bUser] = [(await findUserById(own.db, a.id))!, (await findUserById(own.db, b.id))!];
      const outcomes = await Promise.allSettled([
        people.deactivateAccount(ctx(aUser, own), { userId: b.id }),
        people.deactivateAccount(ctx(bUser, own), { userId: a.id }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(await activeAdmins(own)).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('is refused to someone who is not an administrator, and to an unknown account', async () => {
    const member = await person('Not Admin', { admin: false });
    for (const change of [
      people.grantAdminRole,
      people.removeAdminRole,
      people.deactivateAccount,
      people.reactivateAccount,
    ]) {
      expect(await caught(change(ctx(member), { userId: member.id }))).toBeInstanceOf(ForbiddenError);
      expect(await caught(change(ctx(admin), { userId: 'not-a-uuid' }))).toBeInstanceOf(NotFoundError);
    }
  });
});

describe('deactivating an account', () => {
  it('ends its sessions at once, refuses sign-in only after the right password, and reactivates', async () => {
    const dee = await person('Dee Activated', { admin: false });
    const { token } = await accounts.signIn(database.db, { email: dee.email, password: PASSWORD }, request());
    const { token: second } = await accounts.signIn(database.db, { email: dee.email, password: PASSWORD }, request());
    expect(await validateSessionToken(database.db, token)).not.toBeNull();

    await people.deactivateAccount(ctx(admin), { userId: dee.id });
    await people.deactivateAccount(ctx(admin), { userId: dee.id }); // a double submit changes nothing
    expect(await validateSessionToken(database.db, token)).toBeNull();
    expect(await validateSessionToken(database.db, second)).toBeNull();
    // A session made at the moment of deactivation (a sign-in in flight) is not honoured either.
    const late = await createSession(database.db, dee.id, 'late');
    expect(await validateSessionToken(database.db, late.token)).toBeNull();

    const right = await caught(accounts.signIn(database.db, { email: dee.email, password: PASSWORD }, request()));
    expect(right).toBeInstanceOf(ForbiddenError);
    expect((right as Error).message).toBe(accounts.DEACTIVATED);
    // A wrong password gets the same answer as for an address nobody uses.
    const wrong = await caught(
      accounts.signIn(database.db, { email: dee.email, password: 'marble otter lantern cinnamon 47' }, request()),
    );
    const nobody = await caught(
      accounts.signIn(
        database.db,
        { email: uniqueEmail('nobody'), password: 'marble otter lantern cinnamon 47' },
        request(),
      ),
    );
    expect(wrong).toBeInstanceOf(FieldError);
    expect((wrong as Error).message).toBe((nobody as Error).message);

    const entries = (await listAuditEntries(database.db, { limit: 20 })).filter((e) => e.target === `user:${dee.id}`);
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([['account.deactivate', admin.id]]);
    expect(entries[0]!.details).toEqual({ sessionsEnded: 2 });

    await people.reactivateAccount(ctx(admin), { userId: dee.id });
    const back = await accounts.signIn(database.db, { email: dee.email, password: PASSWORD }, request());
    expect(await validateSessionToken(database.db, back.token)).not.toBeNull();
    expect((await listAuditEntries(database.db, { limit: 1 }))[0]).toMatchObject({
      action: 'account.reactivate',
      actorId: admin.id,
      target: `user:${dee.id}`,
    });
  });

  it('refuses deactivating yourself, and granting the role to a deactivated account', async () => {
    expect(await caught(people.deactivateAccount(ctx(admin), { userId: admin.id }))).toBeInstanceOf(ConflictError);
    const off = await person('Off Person', { admin: false });
    await people.deactivateAccount(ctx(admin), { userId: off.id });
    expect(await caught(people.grantAdminRole(ctx(admin), { userId: off.id }))).toBeInstanceOf(ConflictError);
  });

  it('keeps its learning; no reset link is mailed, and a reset does not let it back in', async () => {
    const course = catalog.course('team-huddles')!;
    const kai = await person('Kai Keeps', { admin: false });
    await progress.completeLesson(
      database.db,
      { userId: kai.id, courseSlug: course.slug, lessonSlug: course.lessons[0]!.slug },
      course.version,
    );
    const earlierLink = randomToken(20);
    await insertEmailToken(database.db, {
      tokenHash: hashToHex(earlierLink),
      userId: kai.id,
      purpose: 'reset-password',
      email: kai.email,
      expiresAt: new Date(Date.now() + 600_000),
    });
    await people.deactivateAccount(ctx(admin), { userId: kai.id });
    expect(await progress.progressOfUser(database.db, kai.id)).toHaveLength(1);

    // The link mailed before stopped working.
    expect(
      await caught(accounts.resetPassword(database.db, { token: earlierLink, password: PASSWORD }, request())),
    ).toBeInstanceOf(FieldError);
    // A new request mails nothing.
    await accounts.requestPasswordReset(database.db, kai.email, request());
    await accounts.sendRequestedPasswordResets(database.db);
    expect(await outboxFor(kai.email)).toEqual([]);
    // A link made while deactivated (the undo of an address change makes one) sets no password and no session.
    const laterLink = randomToken(20);
    await insertEmailToken(database.db, {
      tokenHash: hashToHex(laterLink),
      userId: kai.id,
      purpose: 'reset-password',
      email: kai.email,
      expiresAt: new Date(Date.now() + 600_000),
    });
    const refused = await caught(
      accounts.resetPassword(database.db, { token: laterLink, password: 'copper meadow fiddle glacier 15' }, request()),
    );
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect((await findUserById(database.db, kai.id))!.id).toBe(kai.id);
    expect(await database.db.selectFrom('sessions').select('id').where('user_id', '=', kai.id).execute()).toEqual([]);
    const stillDeactivated = await people.personForAdmin(ctx(admin), kai.id);
    expect(stillDeactivated.deactivated_at).toBeInstanceOf(Date);
  });

  it('gets no team reminders and no event nudges', async () => {
    const course = catalog.course('team-huddles')!;
    const leader = await person('Lena Leader', { admin: false });
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'Ward 9', description: '' });
    const { code } = await teams.createInvite(ctx(leader), { teamId, days: 7, maxUses: null });
    const [kept, off] = [await person('Kept Member'), await person('Off Member')];
    for (const member of [kept, off]) await teams.joinTeam(ctx(member), { code });
    const { assignmentId } = await teams.assignCourse(ctx(leader), {
      teamId,
      courseSlug: course.slug,
      dueOn: addDays(teams.teamToday(), 5),
      note: '',
    });
    const at = new Date('2033-02-03T10:00:00Z');
    expect((await reminders.sendReminders({ ...ctx(leader), now: at }, { teamId, assignmentId })).queued).toBe(2);
    await people.deactivateAccount(ctx(admin), { userId: off.id });
    const plan = await reminders.planReminders({ ...ctx(leader), now: at }, { teamId, assignmentId });
    expect(plan.notReminded).toContainEqual(
      expect.objectContaining({ name: 'Off Member', reason: 'Account deactivated' }),
    );
    await reminders.runDueReminders(database.db, catalog, at);
    expect(await outboxFor(kept.email)).toHaveLength(1);
    expect(await outboxFor(off.email)).toEqual([]);

    const event = await events.createEvent(ctx(admin), {
      name: 'Deactivation Symposium',
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
    const [attendee, offAttendee] = [await person('Attendee On'), await person('Attendee Off')];
    for (const p of [attendee, offAttendee]) await events.joinEvent(ctx(p), { code: event.code });
    await people.deactivateAccount(ctx(admin), { userId: offAttendee.id });
    await events.runEventNudges(database.db, catalog, new Date('2030-01-02T12:00:00Z'));
    expect(await outboxFor(attendee.email)).toHaveLength(1);
    expect(await outboxFor(offAttendee.email)).toEqual([]);
  });
});
