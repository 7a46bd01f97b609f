// The authorization matrix: every team page, the export and every team Action,
// for each persona. Routes and Actions are enumerated from the source, so a new
// one without a rule here fails the first test.
import type { PublicUser } from '#server/kernel/context.ts';
import { FieldError, ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, findUserById, markEmailVerified, setAdmin } from '#server/accounts/users-repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as reminders from '#server/teams/reminders.ts';
import * as renewals from '#server/teams/renewals.ts';
import * as automatic from '#server/teams/automatic-reminders.ts';
import * as invitations from '#server/teams/invitations.ts';
import * as paths from '#server/teams/paths.ts';
import { trainingRecord } from '#server/teams/record.ts';

import { addDays } from '#lib/team-rules.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

type Persona = 'signedOut' | 'member' | 'otherLeader' | 'leader' | 'admin';
const PERSONAS: Persona[] = ['signedOut', 'member', 'otherLeader', 'leader', 'admin'];
/** allowed | not-found (the team is hidden) | forbidden (a member asking for a leader's power) | sign-in */
type Outcome = 'allowed' | 'not-found' | 'forbidden' | 'sign-in';

let database: RoundsDatabase;
const catalog = testCatalog();
let people: Record<Exclude<Persona, 'signedOut'>, PublicUser>;
let teamId: string;
let assignmentId: string;
let inviteId: string;
let code: string;

async function person(name: string) {
  const user = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  await markEmailVerified(database.db, user!.id, user!.email);
  return user!;
}

const ctxOf = (user: PublicUser) => ({ db: database.db, catalog, user, clientIp: '127.0.0.1' });

// What each page, the export and each Action calls to decide who may see or do it,
// and what each persona must get. Signed-out visitors never reach the service
// (pages redirect to sign-in, the export answers 401, Actions answer UNAUTHORIZED),
// except the public invite page and the signed unsubscribe link.
const LEADER_ONLY: Record<Persona, Outcome> = {
  signedOut: 'sign-in',
  member: 'forbidden',
  otherLeader: 'not-found',
  leader: 'allowed',
  admin: 'forbidden',
};
const MEMBERS_ONLY: Record<Persona, Outcome> = {
  signedOut: 'sign-in',
  member: 'allowed',
  otherLeader: 'not-found',
  leader: 'allowed',
  admin: 'not-found',
};
const LEADER_OR_ADMIN: Record<Persona, Outcome> = {
  signedOut: 'sign-in',
  member: 'forbidden',
  otherLeader: 'not-found',
  leader: 'allowed',
  admin: 'allowed',
};
const ANY_MEMBER: Record<Persona, Outcome> = {
  signedOut: 'sign-in',
  member: 'allowed',
  otherLeader: 'not-found',
  leader: 'allowed',
  admin: 'allowed',
};
const ANY_SIGNED_IN: Record<Persona, Outcome> = {
  signedOut: 'sign-in',
  member: 'allowed',
  otherLeader: 'allowed',
  leader: 'allowed',
  admin: 'allowed',
};
const PUBLIC: Record<Persona, Outcome> = {
  signedOut: 'allowed',
  member: 'allowed',
  otherLeader: 'allowed',
  leader: 'allowed',
  admin: 'allowed',
};

interface Rule {
  expect: Record<Persona, Outcome>;
  run: (user: PublicUser | null) => Promise<unknown>;
}

const signedIn = (body: (user: PublicUser) => Promise<unknown>) => async (user: PublicUser | null) => {
  if (!user) throw new Error('sign-in');
  return body(user);
};

const PAGE_RULES: Record<string, Rule> = {
  'teams/index.astro': { expect: ANY_SIGNED_IN, run: signedIn((u) => teams.myTeams(ctxOf(u))) },
  // Members get their own view; leaders and admins the dashboard.
  'teams/[id]/index.astro': {
    expect: ANY_MEMBER,
    run: signedIn(async (u) =>
      (await teams.teamAccess(database.db, u, teamId)).canView
        ? teams.dashboard(ctxOf(u), teamId)
        : teams.memberView(ctxOf(u), teamId),
    ),
  },
  'teams/[id]/manage.astro': { expect: LEADER_ONLY, run: signedIn((u) => teams.manageView(ctxOf(u), teamId)) },
  'teams/[id]/remind/[assignment].astro': {
    expect: LEADER_ONLY,
    run: signedIn((u) => reminders.planReminders(ctxOf(u), { teamId, assignmentId })),
  },
  'teams/[id]/huddle.astro': { expect: ANY_MEMBER, run: signedIn((u) => teams.memberView(ctxOf(u), teamId)) },
  'teams/[id]/qr/[invite].svg.ts': {
    expect: LEADER_ONLY,
    run: signedIn((u) => teams.inviteLink(ctxOf(u), { teamId, inviteId })),
  },
  'teams/[id]/record.astro': { expect: LEADER_OR_ADMIN, run: signedIn((u) => trainingRecord(ctxOf(u), teamId)) },
  'teams/[id]/record.csv.ts': { expect: LEADER_OR_ADMIN, run: signedIn((u) => trainingRecord(ctxOf(u), teamId)) },
  'teams/reminders/unsubscribe.astro': {
    expect: PUBLIC,
    run: async () =>
      reminders.unsubscribeWithToken(database.db, await reminders.unsubscribeToken(database.db, people.member.id)),
  },
  'join/index.astro': { expect: PUBLIC, run: async () => undefined },
  'join/[code].astro': { expect: PUBLIC, run: () => teams.lookUpInvite(database.db, code, '127.0.0.1') },
};

// Actions that change the team are checked on a scratch copy where needed so the
// matrix's team stays intact; each returns the outcome for the persona.
const ACTION_RULES: Record<string, Rule> = {
  create: {
    expect: ANY_SIGNED_IN,
    run: signedIn((u) => teams.createTeam(ctxOf(u), { name: 'Scratch', description: '' })),
  },
  update: {
    expect: LEADER_ONLY,
    run: signedIn((u) => teams.updateTeam(ctxOf(u), { teamId, name: 'Matrix team', description: '' })),
  },
  setRole: {
    expect: LEADER_ONLY,
    run: signedIn((u) => teams.setMemberRole(ctxOf(u), { teamId, userId: people.member.id, role: 'member' })),
  },
  learnWithTeam: {
    expect: LEADER_ONLY,
    run: signedIn((u) => teams.learnWithTeam(ctxOf(u), { teamId, learns: true })),
  },
  removeMember: {
    expect: LEADER_ONLY,
    run: signedIn((u) => teams.removeMember(ctxOf(u), { teamId, userId: '00000000-0000-4000-8000-000000000000' })),
  },
  leave: { expect: MEMBERS_ONLY, run: signedIn((u) => teams.leaveTeam(ctxOf(u), { teamId })) },
  createInvite: {
    expect: LEADER_ONLY,
    run: signedIn((u) => teams.createInvite(ctxOf(u), { teamId, days: 1, maxUses: 1 })),
  },
  inviteByEmail: {
    expect: LEADER_ONLY,
    run: signedIn((u) => invitations.inviteByEmail(ctxOf(u), { teamId, addresses: [uniqueEmail()], repeated: 0 })),
  },
  // Administrators may archive any team (and bring it back); members may not.
  archive: {
    expect: LEADER_OR_ADMIN,
    run: signedIn((u) => teams.setTeamArchived(ctxOf(u), { teamId, archived: true })),
  },
  // Archived, the team is hidden from its members altogether.
  unarchive: {
    expect: { ...LEADER_OR_ADMIN, member: 'not-found' },
    run: signedIn(async (u) => {
      await teams.setTeamArchived(ctxOf(people.leader), { teamId, archived: true });
      return teams.setTeamArchived(ctxOf(u), { teamId, archived: false });
    }),
  },
  revokeInvite: { expect: LEADER_ONLY, run: signedIn((u) => teams.revokeInvite(ctxOf(u), { teamId, inviteId })) },
  join: { expect: ANY_SIGNED_IN, run: signedIn((u) => teams.joinTeam(ctxOf(u), { code })) },
  assign: {
    expect: LEADER_ONLY,
    run: signedIn((u) =>
      teams.assignCourse(ctxOf(u), {
        teamId,
        courseSlug: 'team-huddles',
        dueOn: addDays(teams.teamToday(), 3),
        note: '',
      }),
    ),
  },
  changeDueDate: {
    expect: LEADER_ONLY,
    run: signedIn((u) => teams.changeDueDate(ctxOf(u), { teamId, assignmentId, dueOn: addDays(teams.teamToday(), 9) })),
  },
  setMemberDueDate: {
    expect: LEADER_ONLY,
    run: signedIn((u) =>
      teams.setMemberDueDate(ctxOf(u), { teamId, assignmentId, userId: people.member.id, dueOn: null }),
    ),
  },
  removeAssignment: {
    expect: LEADER_ONLY,
    run: signedIn((u) =>
      teams.removeAssignment(ctxOf(u), { teamId, assignmentId: '00000000-0000-4000-8000-000000000000' }),
    ),
  },
  createPath: {
    expect: LEADER_ONLY,
    run: signedIn((u) =>
      paths.createPath(ctxOf(u), {
        teamId,
        name: 'Onboarding',
        startsOn: null,
        inOrder: false,
        steps: [{ courseSlug: 'team-huddles', offsetDays: 7 }],
      }),
    ),
  },
  removePath: {
    expect: LEADER_ONLY,
    run: signedIn((u) => paths.removePath(ctxOf(u), { teamId, pathId: '00000000-0000-4000-8000-000000000000' })),
  },
  // An organisation-wide programme: administrators only. (The matrix's leader is the install's
  // first account, so an administrator too; the other leader is not.)
  publishPath: {
    expect: {
      signedOut: 'sign-in',
      member: 'forbidden',
      otherLeader: 'forbidden',
      leader: 'allowed',
      admin: 'allowed',
    },
    run: signedIn((u) =>
      paths.publishPathToEveryTeam(ctxOf(u), {
        name: 'Programme',
        startsOn: null,
        inOrder: false,
        steps: [{ courseSlug: 'servant-leadership', offsetDays: 30 }],
      }),
    ),
  },
  sendReminders: {
    expect: LEADER_ONLY,
    run: signedIn((u) => reminders.sendReminders(ctxOf(u), { teamId, assignmentId })),
  },
  // Only ever the asker's own renewal: nobody else's term can be named.
  startRenewal: {
    expect: ANY_SIGNED_IN,
    run: signedIn((u) => renewals.startRenewal(ctxOf(u), { courseSlug: 'team-huddles' })),
  },
  savePreferences: {
    expect: ANY_SIGNED_IN,
    run: signedIn((u) => reminders.savePreferences(ctxOf(u), { quietStart: 0, quietEnd: 0, remindersOn: true })),
  },
  unsubscribe: {
    expect: PUBLIC,
    run: async () =>
      reminders.unsubscribeWithToken(database.db, await reminders.unsubscribeToken(database.db, people.member.id)),
  },
  saveReminderSchedule: {
    expect: LEADER_ONLY,
    run: signedIn((u) => automatic.saveReminderSchedule(ctxOf(u), { teamId, automatic: true, daysBefore: 3 })),
  },
  stopAutomatic: {
    expect: PUBLIC,
    run: async () => {
      const link = new URL(await automatic.teamUnsubscribeUrl(database.db, people.member.id, [teamId]));
      return automatic.unsubscribeFromTeamsWithToken(
        database.db,
        link.searchParams.get('token')!,
        link.searchParams.get('teams')!,
      );
    },
  },
  saveDigest: {
    expect: ANY_SIGNED_IN,
    run: signedIn((u) => automatic.saveDigestOn(ctxOf(u), true)),
  },
};

function pageFiles(dir: string): string[] {
  const root = path.join('src/pages', dir);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative('src/pages', path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

function actionNames(): string[] {
  const source = readFileSync('src/actions/teams.ts', 'utf8');
  return [...source.matchAll(/^ {2}(\w+): defineAction\(/gm)].map((m) => m[1]!).sort();
}

async function outcome(rule: Rule, persona: Persona): Promise<Outcome> {
  const user = persona === 'signedOut' ? null : people[persona];
  try {
    await rule.run(user);
    return 'allowed';
  } catch (error) {
    if (error instanceof NotFoundError) return 'not-found';
    if (error instanceof ForbiddenError) return 'forbidden';
    if ((error as Error).message === 'sign-in') return 'sign-in';
    // A leader's request that the rules of the team refuse (e.g. "already assigned") got past authorization.
    if (error instanceof FieldError) return 'allowed';
    throw error;
  }
}

beforeAll(async () => {
  database = await freshDatabase();
  const leader = await person('Leader');
  const member = await person('Member');
  const otherLeader = await person('Other leader');
  const admin = await person('Admin');
  await setAdmin(database.db, admin.email);
  people = {
    leader: (await findUserById(database.db, leader.id))!,
    member: (await findUserById(database.db, member.id))!,
    otherLeader: (await findUserById(database.db, otherLeader.id))!,
    admin: (await findUserById(database.db, admin.id))!,
  };
});
afterAll(async () => {
  await database?.close();
});

/** A fresh team per check, so a persona leaving or a role change never affects the next one. */
async function freshTeam() {
  ({ teamId } = await teams.createTeam(ctxOf(people.leader), { name: 'Matrix team', description: '' }));
  ({ code } = await teams.createInvite(ctxOf(people.leader), { teamId, days: 7, maxUses: null }));
  await teams.joinTeam(ctxOf(people.member), { code });
  ({ assignmentId } = await teams.assignCourse(ctxOf(people.leader), {
    teamId,
    courseSlug: 'patient-connection',
    dueOn: addDays(teams.teamToday(), 5),
    note: '',
  }));
  inviteId = (await teams.manageView(ctxOf(people.leader), teamId)).invites[0]!.id;
  await teams.createTeam(ctxOf(people.otherLeader), { name: 'Another team', description: '' });
}

describe('team authorization matrix', () => {
  it('has a rule for every team page, export and Action', () => {
    expect(pageFiles('teams').concat(pageFiles('join')).sort()).toEqual(Object.keys(PAGE_RULES).sort());
    expect(actionNames()).toEqual(Object.keys(ACTION_RULES).sort());
  });

  for (const [name, rule] of [
    ...Object.entries(PAGE_RULES).map(([n, r]) => [`page ${n}`, r] as const),
    ...Object.entries(ACTION_RULES).map(([n, r]) => [`action ${n}`, r] as const),
  ]) {
    it(`${name}: ${PERSONAS.map((p) => `${p} → ${rule.expect[p]}`).join(', ')}`, async () => {
      const got: Record<string, Outcome> = {};
      for (const persona of PERSONAS) {
        await freshTeam();
        got[persona] = await outcome(rule, persona);
      }
      expect(got).toEqual(rule.expect);
    });
  }

  it('admins see every dashboard but change nothing', async () => {
    await freshTeam();
    const view = await teams.dashboard(ctxOf(people.admin), teamId);
    expect(view.access).toMatchObject({ canView: true, canManage: false });
    await expect(
      teams.assignCourse(ctxOf(people.admin), {
        teamId,
        courseSlug: 'team-huddles',
        dueOn: addDays(teams.teamToday(), 3),
        note: '',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});
