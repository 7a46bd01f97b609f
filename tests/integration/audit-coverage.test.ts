// Every leader, administrator and operator action leaves exactly one audit entry: who
// (actor), what (action), to what (target). The surface is enumerated from the source —
// every Action in src/actions, every command in the CLI's help, every service function
// guarded by a leader or admin check — so a new one must be listed here, either with the
// entry it writes or as a person's own business (or a read) that is not audited.
import type { PublicUser } from '#server/kernel/context.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import { createUser, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import * as progress from '#server/progress/repo.ts';
import * as accounts from '#server/accounts/accounts.ts';
import * as people from '#server/accounts/people.ts';
import * as organisations from '#server/organisations/organisations.ts';
import * as sso from '#server/sso/sso.ts';
import { startTestOp, type TestOp } from '../support/oidc-op.ts';
import { freePort } from '../support/ports.ts';
import * as teams from '#server/teams/teams.ts';
import * as reminders from '#server/teams/reminders.ts';
import * as automatic from '#server/teams/automatic-reminders.ts';
import * as invitations from '#server/teams/invitations.ts';
import * as paths from '#server/teams/paths.ts';
import { startRenewal } from '#server/teams/renewals.ts';
import * as events from '#server/events/events.ts';
import * as eventCredit from '#server/events/event-credit.ts';
import * as certificates from '#server/certificates/certificates.ts';
import * as credit from '#server/credit/credit.ts';
import { rotateSigningKey } from '#server/certificates/signing-keys.ts';
import { seedDemo } from '#server/demo/demo.ts';
import { addDays, dateIn } from '#lib/team-rules.ts';

const root = path.resolve(import.meta.dirname, '../..');
const catalog = testCatalog();
const course = catalog.course('patient-connection')!;
let database: RoundsDatabase;
const extraDatabases: RoundsDatabase[] = [];
let leader: PublicUser;
let admin: PublicUser;

// ── the surface, from the source ──────────────────────────────────────────────

/** `domain.name` of every Action: the keys of `server` in src/actions/index.ts, each block's `name: defineAction(`. */
function actionNames(): string[] {
  const dir = path.join(root, 'src/actions');
  const index = readFileSync(path.join(dir, 'index.ts'), 'utf8');
  const domains = [...index.matchAll(/^ {2}(\w+): (\w+),?$/gm)].map((m) => [m[1]!, m[2]!] as const);
  expect(domains.length).toBeGreaterThan(0);
  const sources = readdirSync(dir)
    .filter((file) => file !== 'index.ts' && file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(dir, file), 'utf8'));
  return domains.flatMap(([domain, constName]) => {
    const source = sources.find((text) => text.includes(`export const ${constName} = {`));
    if (!source) throw new Error(`no export const ${constName} in src/actions`);
    const block = source.slice(source.indexOf(`export const ${constName} = {`)).split(/\nexport /)[0]!;
    return [...block.matchAll(/^ {2}(\w+): defineAction\(/gm)].map((m) => `${domain}.${m[1]}`);
  });
}

/** `cli.<command>` for every command the CLI's help lists. */
function cliCommands(): string[] {
  const source = readFileSync(path.join(root, 'bin/rounds.ts'), 'utf8');
  const help = source.slice(source.indexOf('Commands:'), source.indexOf('`;', source.indexOf('Commands:')));
  return [...help.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)]
    .map((m) => m[1]!)
    .filter((name) => name !== 'help')
    .map((name) => `cli.${name}`);
}

/** `file.function` of every exported service function that checks for a leader or an administrator. */
function guardedServices(): string[] {
  // Every service file of every domain folder (repos and index.ts hold no guards).
  const server = path.join(root, 'src/server');
  const files = readdirSync(server, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !['kernel', 'platform'].includes(entry.name))
    .flatMap((entry) => readdirSync(path.join(server, entry.name)).map((file) => path.join(entry.name, file)))
    .filter((file) => file.endsWith('.ts') && !/(^|[/-])repo\.ts$|\/index\.ts$/.test(file));
  return files.flatMap((file) => {
    const source = readFileSync(path.join(server, file), 'utf8');
    return [...source.matchAll(/^export async function (\w+)\([\s\S]*?^\}$/gm)]
      .filter((m) =>
        /\b(requireLeader|requireAssignment|requireAdmin|requireEvent|planReminders)\(/.test(
          m[0].slice(m[0].indexOf('{')),
        ),
      )
      .map((m) => `${path.basename(file, '.ts')}.${m[1]}`);
  });
}

// ── what each one must write ──────────────────────────────────────────────────

interface Check {
  /** The database the action runs on (default: the shared one). */
  db?: Kysely<Database>;
  act: () => Promise<unknown>;
  expect: { actorId: string | null; action: string; target: string };
}

interface Audited {
  /** The service function the Action or command calls (`file.function`). */
  service: string;
  /** Sets up what the action needs (not measured), and says what it must write. */
  prepare: () => Promise<Check>;
}

const ctx = (user: PublicUser, now?: Date) => ({ db: database.db, catalog, user, now, clientIp: '127.0.0.1' });

async function person(name: string, options: { admin?: boolean } = {}): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  await markEmailVerified(database.db, created!.id, created!.email);
  if (options.admin) await setAdmin(database.db, created!.email);
  return (await findUserById(database.db, created!.id))!;
}

/** A team with a member, an assignment and an invite, led by `leader`. */
async function team() {
  const { teamId } = await teams.createTeam(ctx(leader), { name: 'Audit ward', description: '' });
  const { code } = await teams.createInvite(ctx(leader), { teamId, days: 7, maxUses: null });
  const member = await person('Mo Member');
  await teams.joinTeam(ctx(member), { code });
  const { assignmentId } = await teams.assignCourse(ctx(leader), {
    teamId,
    courseSlug: course.slug,
    dueOn: addDays(teams.teamToday(), 7),
    note: '',
  });
  const inviteId = (await teams.manageView(ctx(leader), teamId)).invites[0]!.id;
  return { teamId, member, assignmentId, inviteId };
}

let organisationCounter = 0;
let op: TestOp | undefined;
// Single sign-on secrets are encrypted with it (read lazily by settings()).
process.env.SECRETS_KEY ??= randomBytes(32).toString('base64');
/** An organisation, made by the site administrator (not measured). */
function organisation() {
  organisationCounter += 1;
  return organisations.createOrganisation(ctx(admin), { name: `Audit org ${organisationCounter}`, parentId: null });
}

let eventCounter = 0;
async function event() {
  eventCounter += 1;
  return events.createEvent(ctx(admin), {
    name: 'Audit Symposium',
    slug: `audit-${eventCounter}-${Math.random().toString(36).slice(2, 7)}`,
    eventDate: addDays(dateIn('UTC'), -2),
    timeZone: 'UTC',
    location: '',
    welcomeMessage: '',
    courses: [course.slug],
    unlockMinute: 7 * 60,
    firstUnlockDays: 1,
    intervalDays: 3,
    dayOffsets: null,
  });
}

/** A current certificate of a holder who finished the course. */
async function certificate() {
  const holder = await person('Cora Holder');
  for (const lesson of course.lessons)
    await progress.completeLesson(
      database.db,
      { userId: holder.id, courseSlug: course.slug, lessonSlug: lesson.slug },
      course.version,
    );
  const [outcome] = await certificates.issueEarnedCertificates({ db: database.db, catalog, user: holder });
  if (!outcome || !('certificate' in outcome)) throw new Error('no certificate issued');
  return outcome.certificate;
}

const AUDITED: Record<string, Audited> = {
  'teams.create': {
    service: 'teams.createTeam',
    prepare: async () => {
      let teamId = '';
      return {
        act: async () => ({ teamId } = await teams.createTeam(ctx(leader), { name: 'New ward', description: '' })),
        get expect() {
          return { actorId: leader.id, action: 'team.create', target: `team:${teamId}` };
        },
      };
    },
  },
  'teams.update': {
    service: 'teams.updateTeam',
    prepare: async () => {
      const { teamId } = await team();
      return {
        act: () => teams.updateTeam(ctx(leader), { teamId, name: 'Renamed ward', description: 'Nights' }),
        expect: { actorId: leader.id, action: 'team.update', target: `team:${teamId}` },
      };
    },
  },
  'teams.setRole': {
    service: 'teams.setMemberRole',
    prepare: async () => {
      const { teamId, member } = await team();
      return {
        act: () => teams.setMemberRole(ctx(leader), { teamId, userId: member.id, role: 'leader' }),
        expect: { actorId: leader.id, action: 'team.set-role', target: `team:${teamId}` },
      };
    },
  },
  'teams.learnWithTeam': {
    service: 'teams.learnWithTeam',
    prepare: async () => {
      const { teamId } = await team();
      return {
        act: () => teams.learnWithTeam(ctx(leader), { teamId, learns: true }),
        expect: { actorId: leader.id, action: 'team.leader-learns', target: `team:${teamId}` },
      };
    },
  },
  'teams.removeMember': {
    service: 'teams.removeMember',
    prepare: async () => {
      const { teamId, member } = await team();
      return {
        act: () => teams.removeMember(ctx(leader), { teamId, userId: member.id }),
        expect: { actorId: leader.id, action: 'team.remove-member', target: `team:${teamId}` },
      };
    },
  },
  'teams.createInvite': {
    service: 'teams.createInvite',
    prepare: async () => {
      const { teamId } = await team();
      return {
        act: () => teams.createInvite(ctx(leader), { teamId, days: 3, maxUses: 5 }),
        expect: { actorId: leader.id, action: 'team.create-invite', target: `team:${teamId}` },
      };
    },
  },
  'teams.revokeInvite': {
    service: 'teams.revokeInvite',
    prepare: async () => {
      const { teamId, inviteId } = await team();
      return {
        act: () => teams.revokeInvite(ctx(leader), { teamId, inviteId }),
        expect: { actorId: leader.id, action: 'team.revoke-invite', target: `team:${teamId}` },
      };
    },
  },
  'teams.assign': {
    service: 'teams.assignCourse',
    prepare: async () => {
      const { teamId } = await team();
      return {
        act: () =>
          teams.assignCourse(ctx(leader), {
            teamId,
            courseSlug: 'team-huddles',
            dueOn: addDays(teams.teamToday(), 3),
            note: '',
          }),
        expect: { actorId: leader.id, action: 'team.assign', target: `team:${teamId}` },
      };
    },
  },
  'teams.startRenewal': {
    service: 'renewals.startRenewal',
    prepare: async () => {
      // A course repeating every month, completed: renewable within the month after.
      const { teamId } = await teams.createTeam(ctx(leader), { name: 'Renewal ward', description: '' });
      const { code } = await teams.createInvite(ctx(leader), { teamId, days: 7, maxUses: null });
      const member = await person('Rene Renewer');
      await teams.joinTeam(ctx(member), { code });
      await teams.assignCourse(ctx(leader), {
        teamId,
        courseSlug: course.slug,
        dueOn: addDays(teams.teamToday(), 7),
        note: '',
        repeatMonths: 1,
      });
      for (const lesson of course.lessons)
        await progress.completeLesson(
          database.db,
          { userId: member.id, courseSlug: course.slug, lessonSlug: lesson.slug },
          '1',
        );
      const later = new Date(Date.now() + 25 * 86_400_000);
      return {
        act: () => startRenewal(ctx(member, later), { courseSlug: course.slug }),
        expect: { actorId: member.id, action: 'course.start-renewal', target: `course:${course.slug}` },
      };
    },
  },
  'teams.changeDueDate': {
    service: 'teams.changeDueDate',
    prepare: async () => {
      const { teamId, assignmentId } = await team();
      return {
        act: () => teams.changeDueDate(ctx(leader), { teamId, assignmentId, dueOn: addDays(teams.teamToday(), 20) }),
        expect: { actorId: leader.id, action: 'team.change-due', target: `team:${teamId}` },
      };
    },
  },
  'teams.setMemberDueDate': {
    service: 'teams.setMemberDueDate',
    prepare: async () => {
      const { teamId, assignmentId, member } = await team();
      return {
        act: () =>
          teams.setMemberDueDate(ctx(leader), {
            teamId,
            assignmentId,
            userId: member.id,
            dueOn: addDays(teams.teamToday(), 30),
          }),
        expect: { actorId: leader.id, action: 'team.set-member-due', target: `team:${teamId}` },
      };
    },
  },
  'teams.removeAssignment': {
    service: 'teams.removeAssignment',
    prepare: async () => {
      const { teamId, assignmentId } = await team();
      return {
        act: () => teams.removeAssignment(ctx(leader), { teamId, assignmentId }),
        expect: { actorId: leader.id, action: 'team.unassign', target: `team:${teamId}` },
      };
    },
  },
  'teams.createPath': {
    service: 'paths.createPath',
    prepare: async () => {
      const { teamId } = await team();
      return {
        act: () =>
          paths.createPath(ctx(leader), {
            teamId,
            name: 'Onboarding',
            startsOn: null,
            inOrder: false,
            steps: [{ courseSlug: 'team-huddles', offsetDays: 7 }],
          }),
        expect: { actorId: leader.id, action: 'team.create-path', target: `team:${teamId}` },
      };
    },
  },
  'teams.removePath': {
    service: 'paths.removePath',
    prepare: async () => {
      const { teamId } = await team();
      const { pathId } = await paths.createPath(ctx(leader), {
        teamId,
        name: 'Onboarding',
        startsOn: null,
        inOrder: false,
        steps: [{ courseSlug: 'team-huddles', offsetDays: 7 }],
      });
      return {
        act: () => paths.removePath(ctx(leader), { teamId, pathId }),
        expect: { actorId: leader.id, action: 'team.remove-path', target: `team:${teamId}` },
      };
    },
  },
  'teams.publishPath': {
    service: 'paths.publishPathToEveryTeam',
    prepare: async () => {
      await team();
      return {
        act: () =>
          paths.publishPathToEveryTeam(ctx(admin), {
            name: `Programme ${Math.random().toString(36).slice(2, 8)}`,
            startsOn: null,
            inOrder: false,
            steps: [{ courseSlug: 'servant-leadership', offsetDays: 30 }],
          }),
        expect: { actorId: admin.id, action: 'admin.publish-path', target: 'teams:all' },
      };
    },
  },
  'teams.inviteByEmail': {
    service: 'invitations.inviteByEmail',
    prepare: async () => {
      const { teamId } = await team();
      return {
        act: () => invitations.inviteByEmail(ctx(leader), { teamId, addresses: [uniqueEmail()], repeated: 0 }),
        expect: { actorId: leader.id, action: 'team.invite-by-email', target: `team:${teamId}` },
      };
    },
  },
  'teams.archive': {
    service: 'teams.setTeamArchived',
    prepare: async () => {
      const { teamId } = await team();
      return {
        act: () => teams.setTeamArchived(ctx(admin), { teamId, archived: true }),
        expect: { actorId: admin.id, action: 'team.archive', target: `team:${teamId}` },
      };
    },
  },
  'teams.unarchive': {
    service: 'teams.setTeamArchived',
    prepare: async () => {
      const { teamId } = await team();
      await teams.setTeamArchived(ctx(leader), { teamId, archived: true });
      return {
        act: () => teams.setTeamArchived(ctx(leader), { teamId, archived: false }),
        expect: { actorId: leader.id, action: 'team.unarchive', target: `team:${teamId}` },
      };
    },
  },
  'teams.sendReminders': {
    service: 'reminders.sendReminders',
    prepare: async () => {
      const { teamId, assignmentId } = await team();
      return {
        act: () => reminders.sendReminders(ctx(leader), { teamId, assignmentId }),
        expect: { actorId: leader.id, action: 'team.remind', target: `team:${teamId}` },
      };
    },
  },
  'teams.saveReminderSchedule': {
    service: 'automatic-reminders.saveReminderSchedule',
    prepare: async () => {
      const { teamId } = await team();
      return {
        act: () => automatic.saveReminderSchedule(ctx(leader), { teamId, automatic: true, daysBefore: 5 }),
        expect: { actorId: leader.id, action: 'team.reminder-schedule', target: `team:${teamId}` },
      };
    },
  },
  'events.create': {
    service: 'events.createEvent',
    prepare: async () => {
      let eventId = '';
      return {
        act: async () => ({ eventId } = await event()),
        get expect() {
          return { actorId: admin.id, action: 'event.create', target: `event:${eventId}` };
        },
      };
    },
  },
  'events.regenerateCode': {
    service: 'events.regenerateCode',
    prepare: async () => {
      const { eventId } = await event();
      return {
        act: () => events.regenerateCode(ctx(admin), { eventId }),
        expect: { actorId: admin.id, action: 'event.regenerate-code', target: `event:${eventId}` },
      };
    },
  },
  'events.saveCredit': {
    service: 'event-credit.saveEventCredit',
    prepare: async () => {
      const { eventId } = await event();
      return {
        act: () =>
          eventCredit.saveEventCredit(ctx(admin), {
            eventId,
            activityId: '',
            creditTypes: [],
            hours: null,
            disclosures: '',
            outcomes: '',
            starts: '',
            expires: '',
            passMark: 80,
          }),
        expect: { actorId: admin.id, action: 'event.credit.save', target: `event:${eventId}` },
      };
    },
  },
  'events.closeJoining': {
    service: 'events.closeJoining',
    prepare: async () => {
      const { eventId } = await event();
      return {
        act: () => events.closeJoining(ctx(admin), { eventId }),
        expect: { actorId: admin.id, action: 'event.close-joining', target: `event:${eventId}` },
      };
    },
  },
  'events.update': {
    service: 'events.updateEvent',
    prepare: async () => {
      const { eventId } = await event();
      return {
        act: () =>
          events.updateEvent(ctx(admin), {
            eventId,
            name: 'Renamed symposium',
            eventDate: addDays(dateIn('UTC'), 2),
            timeZone: 'UTC',
            location: '',
            welcomeMessage: '',
            unlockMinute: 8 * 60,
            firstUnlockDays: 1,
            intervalDays: 2,
            dayOffsets: null,
          }),
        expect: { actorId: admin.id, action: 'event.update', target: `event:${eventId}` },
      };
    },
  },
  'events.reopenJoining': {
    service: 'events.reopenJoining',
    prepare: async () => {
      const { eventId } = await event();
      await events.closeJoining(ctx(admin), { eventId });
      return {
        act: () => events.reopenJoining(ctx(admin), { eventId }),
        expect: { actorId: admin.id, action: 'event.reopen-joining', target: `event:${eventId}` },
      };
    },
  },
  'events.archive': {
    service: 'events.setArchived',
    prepare: async () => {
      const { eventId } = await event();
      return {
        act: () => events.setArchived(ctx(admin), { eventId, archived: true }),
        expect: { actorId: admin.id, action: 'event.archive', target: `event:${eventId}` },
      };
    },
  },
  'events.unarchive': {
    service: 'events.setArchived',
    prepare: async () => {
      const { eventId } = await event();
      await events.setArchived(ctx(admin), { eventId, archived: true });
      return {
        act: () => events.setArchived(ctx(admin), { eventId, archived: false }),
        expect: { actorId: admin.id, action: 'event.unarchive', target: `event:${eventId}` },
      };
    },
  },
  'certificates.revoke': {
    service: 'certificates.revokeCertificate',
    prepare: async () => {
      const { id } = await certificate();
      return {
        act: () =>
          certificates.revokeCertificate({ db: database.db, catalog, user: admin }, { id, reason: 'Issued in error' }),
        expect: { actorId: admin.id, action: 'certificate.revoke', target: `certificate:${id}` },
      };
    },
  },
  'certificates.reissue': {
    service: 'certificates.reissueCertificate',
    prepare: async () => {
      const { id } = await certificate();
      return {
        act: () => certificates.reissueCertificate({ db: database.db, catalog, user: admin }, { id }),
        expect: { actorId: admin.id, action: 'certificate.reissue', target: `certificate:${id}` },
      };
    },
  },
  'credit.saveProvider': {
    service: 'credit.saveCreditProvider',
    prepare: async () => ({
      act: () =>
        credit.saveCreditProvider(
          { db: database.db, catalog, user: admin },
          { name: 'Example CE Office', accreditationStatement: '', approverStatement: '', enabledTypes: [] },
        ),
      expect: { actorId: admin.id, action: 'credit.provider.save', target: 'credit-provider' },
    }),
  },
  // The first account of an install becomes an administrator: a grant like grant-admin.
  'accounts.signUp': {
    service: 'accounts.signUp',
    prepare: async () => {
      const fresh = await freshDatabase();
      extraDatabases.push(fresh);
      let userId = '';
      return {
        db: fresh.db,
        act: async () =>
          ({
            user: { id: userId },
          } = await accounts.signUp(
            fresh.db,
            { name: 'First Person', email: uniqueEmail('first'), password: 'copper meadow violin harbour 77' },
            { ip: '10.1.1.1', userAgent: 'test' },
          )),
        get expect() {
          return { actorId: userId, action: 'admin.first-account', target: `user:${userId}` };
        },
      };
    },
  },
  'people.grantAdmin': {
    service: 'people.grantAdminRole',
    prepare: async () => {
      const someone = await person('Pia Promoted');
      return {
        act: () => people.grantAdminRole(ctx(admin), { userId: someone.id }),
        expect: { actorId: admin.id, action: 'admin.grant', target: `user:${someone.id}` },
      };
    },
  },
  'people.removeAdmin': {
    service: 'people.removeAdminRole',
    prepare: async () => {
      const someone = await person('Rex Removed', { admin: true });
      return {
        act: () => people.removeAdminRole(ctx(admin), { userId: someone.id }),
        expect: { actorId: admin.id, action: 'admin.remove', target: `user:${someone.id}` },
      };
    },
  },
  'people.deactivate': {
    service: 'people.deactivateAccount',
    prepare: async () => {
      const someone = await person('Dan Deactivated');
      return {
        act: () => people.deactivateAccount(ctx(admin), { userId: someone.id }),
        expect: { actorId: admin.id, action: 'account.deactivate', target: `user:${someone.id}` },
      };
    },
  },
  'people.reactivate': {
    service: 'people.reactivateAccount',
    prepare: async () => {
      const someone = await person('Rae Reactivated');
      await people.deactivateAccount(ctx(admin), { userId: someone.id });
      return {
        act: () => people.reactivateAccount(ctx(admin), { userId: someone.id }),
        expect: { actorId: admin.id, action: 'account.reactivate', target: `user:${someone.id}` },
      };
    },
  },
  'organisations.create': {
    service: 'organisations.createOrganisation',
    prepare: async () => {
      let organisationId = '';
      return {
        act: async () =>
          ({ organisationId } = await organisations.createOrganisation(ctx(admin), {
            name: `Audit Health ${Math.random()}`,
            parentId: null,
          })),
        get expect() {
          return { actorId: admin.id, action: 'organisation.create', target: `organisation:${organisationId}` };
        },
      };
    },
  },
  'organisations.addDomain': {
    service: 'organisations.addDomain',
    prepare: async () => {
      const { organisationId } = await organisation();
      return {
        act: () => organisations.addDomain(ctx(admin), { organisationId, domain: `audit-${Date.now()}.org` }),
        expect: { actorId: admin.id, action: 'organisation.add-domain', target: `organisation:${organisationId}` },
      };
    },
  },
  'organisations.removeDomain': {
    service: 'organisations.removeDomain',
    prepare: async () => {
      const { organisationId } = await organisation();
      const domain = `audit-${Date.now()}.org`;
      await organisations.addDomain(ctx(admin), { organisationId, domain });
      return {
        act: () => organisations.removeDomain(ctx(admin), { organisationId, domain }),
        expect: { actorId: admin.id, action: 'organisation.remove-domain', target: `organisation:${organisationId}` },
      };
    },
  },
  'organisations.addAdmin': {
    service: 'organisations.addOrganisationAdmin',
    prepare: async () => {
      const { organisationId } = await organisation();
      const someone = await person('Olga Organiser');
      return {
        act: () => organisations.addOrganisationAdmin(ctx(admin), { organisationId, email: someone.email }),
        expect: { actorId: admin.id, action: 'organisation.add-admin', target: `organisation:${organisationId}` },
      };
    },
  },
  'organisations.removeAdmin': {
    service: 'organisations.removeOrganisationAdmin',
    prepare: async () => {
      const { organisationId } = await organisation();
      const someone = await person('Otis Organiser');
      await organisations.addOrganisationAdmin(ctx(admin), { organisationId, email: someone.email });
      return {
        act: () => organisations.removeOrganisationAdmin(ctx(admin), { organisationId, userId: someone.id }),
        expect: { actorId: admin.id, action: 'organisation.remove-admin', target: `organisation:${organisationId}` },
      };
    },
  },
  'organisations.addTeam': {
    service: 'organisations.addOrganisationTeam',
    prepare: async () => {
      const { organisationId } = await organisation();
      const { teamId } = await team();
      return {
        act: () => organisations.addOrganisationTeam(ctx(admin), { organisationId, teamId }),
        expect: { actorId: admin.id, action: 'organisation.add-team', target: `organisation:${organisationId}` },
      };
    },
  },
  'organisations.publishPath': {
    service: 'organisations.publishPathToOrganisation',
    prepare: async () => {
      const { organisationId } = await organisation();
      const { teamId } = await team();
      await organisations.addOrganisationTeam(ctx(admin), { organisationId, teamId });
      return {
        act: () =>
          organisations.publishPathToOrganisation(ctx(admin), {
            organisationId,
            name: 'Organisation programme',
            startsOn: null,
            inOrder: false,
            steps: [{ courseSlug: 'servant-leadership', offsetDays: 30 }],
          }),
        expect: { actorId: admin.id, action: 'organisation.publish-path', target: `organisation:${organisationId}` },
      };
    },
  },
  'organisations.removeTeam': {
    service: 'organisations.removeOrganisationTeam',
    prepare: async () => {
      const { organisationId } = await organisation();
      const { teamId } = await team();
      await organisations.addOrganisationTeam(ctx(admin), { organisationId, teamId });
      return {
        act: () => organisations.removeOrganisationTeam(ctx(admin), { organisationId, teamId }),
        expect: { actorId: admin.id, action: 'organisation.remove-team', target: `organisation:${organisationId}` },
      };
    },
  },
  'sso.saveSettings': {
    service: 'sso.saveSsoSettings',
    prepare: async () => {
      const { organisationId } = await organisation();
      // Saving discovers the provider first: a real one, started here (tests/support/oidc-op.ts).
      op ??= await startTestOp({ port: await freePort(), redirectUri: sso.redirectUri() });
      const input = { organisationId, issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret };
      return {
        act: () => sso.saveSsoSettings(ctx(admin), { ...input, requireSso: false }),
        expect: { actorId: admin.id, action: 'organisation.save-sso', target: `organisation:${organisationId}` },
      };
    },
  },
  'organisations.rotateScimToken': {
    service: 'organisations.rotateScimToken',
    prepare: async () => {
      const { organisationId } = await organisation();
      return {
        act: () => organisations.rotateScimToken(ctx(admin), { organisationId }),
        expect: {
          actorId: admin.id,
          action: 'organisation.rotate-scim-token',
          target: `organisation:${organisationId}`,
        },
      };
    },
  },
  'organisations.mapScimGroup': {
    service: 'organisations.mapScimGroup',
    prepare: async () => {
      const { organisationId } = await organisation();
      const { teamId } = await team();
      await organisations.addOrganisationTeam(ctx(admin), { organisationId, teamId });
      // A group as the organisation's directory would have made it over SCIM.
      const group = await database.db
        .insertInto('scim_groups')
        .values({ organisation_id: organisationId, display_name: 'Audit ward', external_id: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      return {
        act: () => organisations.mapScimGroup(ctx(admin), { organisationId, groupId: group.id, teamId }),
        expect: { actorId: admin.id, action: 'organisation.map-scim-group', target: `organisation:${organisationId}` },
      };
    },
  },
  // The operator's commands: no signed-in actor.
  'cli.grant-admin': {
    service: 'accounts.grantAdmin',
    prepare: async () => {
      const someone = await person('Gus Granted');
      return {
        act: () => accounts.grantAdmin(database.db, someone.email, null),
        expect: { actorId: null, action: 'grant-admin', target: someone.email },
      };
    },
  },
  'cli.rotate-signing-key': {
    service: 'signing-keys.rotateSigningKey',
    prepare: async () => {
      let kid = '';
      return {
        act: async () => ({ kid } = await rotateSigningKey(database.db, null)),
        get expect() {
          return { actorId: null, action: 'signing-key.rotate', target: `signing-key:${kid}` };
        },
      };
    },
  },
  'cli.seed-demo': {
    service: 'demo.seedDemo',
    prepare: async () => {
      const fresh = await freshDatabase();
      extraDatabases.push(fresh);
      let teamId = '';
      return {
        db: fresh.db,
        act: async () => ({ teamId } = await seedDemo(fresh.db, catalog)),
        get expect() {
          return { actorId: null, action: 'demo.seed', target: `team:${teamId}` };
        },
      };
    },
  },
};

/** Not audited, and why. */
const NOT_AUDITED: Record<string, string> = {
  'accounts.signIn': 'a person’s own session',
  'accounts.signOut': 'a person’s own session',
  'accounts.resendVerification': 'a person’s own account',
  'accounts.verifyEmail': 'a person’s own account',
  'accounts.requestPasswordReset': 'a person’s own account',
  'accounts.resetPassword': 'a person’s own account',
  'accounts.undoEmailChange': 'a person’s own account',
  'accounts.changeName': 'a person’s own account',
  'accounts.changeTimeZone': 'a person’s own account',
  'accounts.changeEmail': 'a person’s own account',
  'accounts.changePassword': 'a person’s own account',
  'accounts.revokeSession': 'a person’s own session',
  'accounts.revokeOtherSessions': 'a person’s own sessions',
  'accounts.deleteAccount': 'a person’s own account (their entries stay, without their name)',
  'progress.open': 'a learner’s own progress',
  'progress.answer': 'a learner’s own progress',
  'progress.complete': 'a learner’s own progress',
  'review.answer': 'a learner’s own review of their own cards',
  'review.answerFromEmail': 'a learner’s own review of their own card (signed link)',
  'reflections.save': 'private to its author',
  'reflections.delete': 'private to its author',
  'reflections.restore': 'private to its author',
  'teams.leave': 'a member leaving by themselves',
  'teams.join': 'a member joining by themselves',
  'teams.savePreferences': 'a member’s own reminder settings',
  'teams.unsubscribe': 'a member’s own reminder settings (signed link)',
  'teams.stopAutomatic': 'a member’s own reminder settings, or a leader’s own digest (signed link)',
  'teams.saveDigest': 'a leader’s own digest setting',
  'events.join': 'an attendee enrolling themselves',
  'events.pause': 'an attendee’s own schedule',
  'events.resume': 'an attendee’s own schedule',
  'events.setNudges': 'an attendee’s own emails',
  'events.unsubscribe': 'an attendee’s own emails (signed link)',
  'certificates.claim': 'a learner asking for their own certificates',
  'credit.submitPostTest': 'a learner’s own post-test attempt (each attempt is its own record)',
  'credit.submitEvaluation': 'a learner’s own evaluation (its receipt is the record)',
  'credit.attest': 'a learner’s own attestation (the claim and the certificate are the record)',
  'notifications.subscribe': 'a person’s own reminders on their own device',
  'notifications.unsubscribe': 'a person’s own reminders on their own device',
  'notifications.status': 'reads whether the asker’s own device gets their reminders',
  'cli.migrate': 'schema changes, also run at every start',
  'cli.run-jobs': 'delivers what leaders queued (their request is the entry)',
  'cli.backup': 'reads only',
  'cli.restore': 'replaces the whole database, its audit log included',
};

/** Guarded service functions that only read. */
const READS = [
  'certificates.findCertificatesForAdmin',
  'certificates.certificateForAdmin',
  'events.listEvents',
  'events.dashboard',
  'events.eventForEditing',
  'teams.manageView',
  'people.listPeople',
  'organisations.listOrganisations',
  'sso.ssoSettings',
  'people.personForAdmin',
  'teams.inviteLink',
  'reminders.planReminders',
  'automatic-reminders.reminderSchedule',
  'reports.activityReport',
  'reports.evaluationSummary',
  'package.selfContainedPackage',
  'event-credit.eventCreditActivities',
];

beforeAll(async () => {
  database = await freshDatabase();
  await person('First user'); // the first account of an install is an administrator; keep roles explicit below
  leader = await person('Lee Leader');
  admin = await person('Ada Admin', { admin: true });
});
afterAll(async () => {
  await op?.close();
  for (const extra of extraDatabases) await extra.close();
  await database?.close();
});

describe('the audit log covers every leader, administrator and operator action', () => {
  it('lists every Action and CLI command as audited or not, and every guarded service function', () => {
    const surface = [...actionNames(), ...cliCommands()].sort();
    expect(surface.length).toBeGreaterThan(40);
    const listed = [...Object.keys(AUDITED), ...Object.keys(NOT_AUDITED)].sort();
    expect(listed, 'a new Action or command needs a line in AUDITED or NOT_AUDITED').toEqual(surface);
    const services = new Set(Object.values(AUDITED).map((entry) => entry.service));
    const unlisted = guardedServices().filter((name) => !services.has(name) && !READS.includes(name));
    expect(unlisted, 'a leader or admin service function that is neither audited nor a read').toEqual([]);
  });

  it.each(Object.keys(AUDITED))('%s writes one entry: actor, action, target', async (name) => {
    const check = await AUDITED[name]!.prepare();
    const db = check.db ?? database.db;
    const before = (await listAuditEntries(db, { limit: 1 }))[0]?.id ?? 0;
    await check.act();
    const written = (await listAuditEntries(db, { limit: 10 })).filter((entry) => entry.id > before);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject(check.expect);
    expect(Date.now() - written[0]!.at.getTime()).toBeLessThan(60_000);
  });
});
