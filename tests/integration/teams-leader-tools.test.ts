// Issue 16, the leader's side: invitations by email (once per address, limits held),
// archiving a team (gone from Today and the lists, reminders stop, members keep their
// work) and a leader's note on a reminder (in the mail, as the leader's words).
import type { PublicUser } from '#server/kernel/context.ts';
import { ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, eraseAccount, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import * as progress from '#server/progress/repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as reminders from '#server/teams/reminders.ts';
import * as remindersRepo from '#server/teams/reminders-repo.ts';
import * as invitations from '#server/teams/invitations.ts';
import { RULES } from '#server/platform/throttle.ts';
import { addDays } from '#lib/team-rules.ts';
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

function outboxFor(email: string) {
  return database.db.selectFrom('outbox').selectAll().where('to_address', '=', email).orderBy('id').execute();
}

async function teamWithMember(name = 'Night shift') {
  const leader = await person('Lena Leader');
  const member = await person('Mo Member');
  const { teamId } = await teams.createTeam(ctx(leader), { name, description: '' });
  const { code } = await teams.createInvite(ctx(leader), { teamId, days: 7, maxUses: null });
  await teams.joinTeam(ctx(member), { code });
  // No quiet hours: a reminder goes out whenever the test runs.
  await reminders.savePreferences(ctx(member), { quietStart: 0, quietEnd: 0, remindersOn: true });
  const { assignmentId } = await teams.assignCourse(ctx(leader), {
    teamId,
    courseSlug: course.slug,
    dueOn: addDays(teams.teamToday(), 5),
    note: '',
  });
  return { leader, member, teamId, code, assignmentId };
}

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('invitations by email', () => {
  it('mails each new address once with the team, the leader and a working join link; members and repeats are skipped', async () => {
    const { leader, member, teamId } = await teamWithMember('4 West “nights”');
    const [ana, ben] = [uniqueEmail(), uniqueEmail()];
    const first = await invitations.inviteByEmail(ctx(leader), {
      teamId,
      addresses: [ana, ben, member.email],
      repeated: 1,
    });
    expect(first).toEqual({ sent: 2, alreadyMembers: 1, alreadyInvited: 0, repeated: 1, held: 0, failed: 0 });

    const [mail] = await outboxFor(ana);
    expect(mail!.subject).toBe('An invitation to join a team on Rounds');
    expect(mail!.text_body).toContain('Team: “4 West “nights””. Invited by: Lena Leader.');
    const link = /https?:\/\/\S+\/join\/([A-Z0-9]+)/.exec(mail!.text_body)!;
    expect(mail!.html_body).toContain('4 West “nights”');
    // The link works: whoever opens it finds this team.
    const lookup = await teams.lookUpInvite(database.db, link[1], '127.0.0.1');
    expect(lookup).toMatchObject({ ok: true, teamId });

    // The same list again (a double submit, a second tab): nobody is mailed twice.
    const again = await invitations.inviteByEmail(ctx(leader), { teamId, addresses: [ana, ben], repeated: 0 });
    expect(again).toMatchObject({ sent: 0, alreadyInvited: 2 });
    expect(await outboxFor(ana)).toHaveLength(1);
    // Both at once: still one mail each.
    const carl = uniqueEmail();
    const both = await Promise.all([
      invitations.inviteByEmail(ctx(leader), { teamId, addresses: [carl], repeated: 0 }),
      invitations.inviteByEmail(ctx(leader), { teamId, addresses: [carl], repeated: 0 }),
    ]);
    expect(both.map((r) => r.sent).sort()).toEqual([0, 1]);
    expect(await outboxFor(carl)).toHaveLength(1);

    // After a week the address may be invited again.
    const nextWeek = new Date(Date.now() + (invitations.RESEND_AFTER_DAYS + 1) * 86_400_000);
    const later = await invitations.inviteByEmail(ctx(leader, nextWeek), { teamId, addresses: [ana], repeated: 0 });
    expect(later.sent).toBe(1);

    const entries = (await listAuditEntries(database.db, { limit: 20 })).filter(
      (e) => e.action === 'team.invite-by-email' && e.target === `team:${teamId}`,
    );
    expect(entries.length).toBeGreaterThanOrEqual(3);
    // Counts only, never the addresses.
    expect(JSON.stringify(entries)).not.toContain(ana);
  });

  it('forgets an invited address after 30 days, and at once when its owner deletes her account', async () => {
    const { leader, teamId } = await teamWithMember();
    const [kept, forgotten] = [uniqueEmail(), uniqueEmail()];
    await invitations.inviteByEmail(ctx(leader), { teamId, addresses: [kept, forgotten], repeated: 0 });
    const invited = () =>
      database.db
        .selectFrom('team_email_invitations')
        .select('email')
        .where('team_id', '=', teamId)
        .orderBy('email')
        .execute()
        .then((rows) => rows.map((r) => r.email));
    expect(await invitations.forgetOldEmailInvitations(database.db, new Date(Date.now() + 29 * 86_400_000))).toBe(0);
    // She signs up with the invited address, then deletes her account.
    const created = await createUser(database.db, { email: forgotten, name: 'Gone', passwordHash: 'x' });
    await eraseAccount(database.db, created!.id);
    expect(await invited()).toEqual([kept]);
    await invitations.forgetOldEmailInvitations(database.db, new Date(Date.now() + 31 * 86_400_000));
    expect(await invited()).toEqual([]);
  });

  it('holds back what is over a recipient’s daily limit across teams', async () => {
    const stranger = uniqueEmail();
    const results = [];
    for (let i = 0; i <= RULES.inviteMailPerAddress.limit; i++) {
      const { leader, teamId } = await teamWithMember(`Team ${i}`);
      results.push(await invitations.inviteByEmail(ctx(leader), { teamId, addresses: [stranger], repeated: 0 }));
    }
    expect(results.map((r) => r.sent)).toEqual([...Array(RULES.inviteMailPerAddress.limit).fill(1), 0]);
    expect(results.at(-1)!.held).toBe(1);
    expect(await outboxFor(stranger)).toHaveLength(RULES.inviteMailPerAddress.limit);
  });

  it('is for the team’s leaders only, and not for an archived team', async () => {
    const { leader, member, teamId } = await teamWithMember();
    await expect(
      invitations.inviteByEmail(ctx(member), { teamId, addresses: [uniqueEmail()], repeated: 0 }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await teams.setTeamArchived(ctx(leader), { teamId, archived: true });
    await expect(
      invitations.inviteByEmail(ctx(leader), { teamId, addresses: [uniqueEmail()], repeated: 0 }),
    ).rejects.toThrow(/archived/);
  });
});

describe('archiving a team', () => {
  it('takes it off members’ Today and lists, stops its codes and reminders, keeps their progress', async () => {
    const { leader, member, teamId, code, assignmentId } = await teamWithMember();
    const lesson = course.lessons[0]!;
    await progress.completeLesson(
      database.db,
      { userId: member.id, courseSlug: course.slug, lessonSlug: lesson.slug },
      course.version,
    );
    // A reminder queued before the team is archived.
    await reminders.sendReminders(ctx(leader), { teamId, assignmentId });
    expect((await teams.myAssignments(ctx(member))).map((a) => a.teamId)).toContain(teamId);

    await expect(teams.setTeamArchived(ctx(member), { teamId, archived: true })).rejects.toBeInstanceOf(ForbiddenError);
    await teams.setTeamArchived(ctx(leader), { teamId, archived: true });

    expect((await teams.myAssignments(ctx(member))).map((a) => a.teamId)).not.toContain(teamId);
    expect((await teams.myTeams(ctx(member))).mine.map((t) => t.id)).not.toContain(teamId);
    await expect(teams.memberView(ctx(member), teamId)).rejects.toBeInstanceOf(NotFoundError);
    const leaderLists = await teams.myTeams(ctx(leader));
    expect(leaderLists.mine.map((t) => t.id)).not.toContain(teamId);
    expect(leaderLists.archived.map((t) => t.id)).toContain(teamId);
    // Its code no longer lets anyone in.
    const newcomer = await person('Nia Newcomer');
    await expect(teams.joinTeam(ctx(newcomer), { code })).rejects.toThrow(/withdrawn/);
    // The queued reminder is not sent, and no new one can be asked for.
    await reminders.runDueReminders(database.db, catalog, new Date(Date.now() + 2 * 86_400_000));
    expect((await remindersRepo.remindersOfUser(database.db, member.id)).at(-1)).toMatchObject({
      skipped_reason: 'team archived',
      delivered_at: null,
    });
    await expect(reminders.sendReminders(ctx(leader), { teamId, assignmentId })).rejects.toThrow(/archived/);
    // The member's own work stays.
    expect((await progress.progressOfUser(database.db, member.id)).map((p) => p.lesson_slug)).toContain(lesson.slug);

    // An administrator who is not in the team may bring it back; then all is as before.
    const admin = await person('Ada Admin');
    await setAdmin(database.db, admin.email);
    await teams.setTeamArchived(ctx((await findUserById(database.db, admin.id))!), { teamId, archived: false });
    expect((await teams.myAssignments(ctx(member))).map((a) => a.teamId)).toContain(teamId);
    expect((await teams.lookUpInvite(database.db, code, '127.0.0.1')).ok).toBe(true);
  });
});

describe('a reminder with a note', () => {
  it('carries the leader’s words into the mail, named as theirs and escaped in HTML', async () => {
    const { leader, member, teamId, assignmentId } = await teamWithMember();
    const note = 'We talk it through at <b>Thursday’s</b> huddle & bring coffee.';
    await reminders.sendReminders(ctx(leader), { teamId, assignmentId, note });
    const run = await reminders.runDueReminders(database.db, catalog, new Date(Date.now() + 2 * 86_400_000));
    expect(run.sent).toBeGreaterThanOrEqual(1);
    const [mail] = await outboxFor(member.email);
    expect(mail!.text_body).toContain(`A note from Lena Leader, in their words: “${note}”`);
    expect(mail!.html_body).toContain('We talk it through at &lt;b&gt;Thursday’s&lt;/b&gt; huddle &amp; bring coffee.');
    expect(mail!.html_body).not.toContain('<b>Thursday');
  });
});
