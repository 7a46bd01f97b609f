// Organisations: site administrators create them and verify their domains; people whose
// confirmed address is at a verified domain belong to it; an organisation's
// administrators (and its parent's) manage its administrators and teams and see nothing
// of any other organisation. An install with no organisation works as before.
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
import { listAuditEntries } from '#server/audit/repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as progressRepo from '#server/progress/repo.ts';
import * as organisations from '#server/organisations/organisations.ts';
import * as certificates from '#server/certificates/certificates.ts';

const catalog = testCatalog();
let database: RoundsDatabase;
let siteAdmin: PublicUser;
let counter = 0;

/** A domain no other test uses. */
function domain(label: string): string {
  counter += 1;
  return `${label}-${counter}-${Math.random().toString(36).slice(2, 6)}.org`;
}

async function person(
  name: string,
  options: { email?: string; admin?: boolean; confirmed?: boolean } = {},
): Promise<PublicUser> {
  const created = await createUser(database.db, {
    email: options.email ?? uniqueEmail(name.toLowerCase().replace(/\W+/g, '-')),
    name,
    passwordHash: 'x',
  });
  if (options.confirmed !== false) await markEmailVerified(database.db, created!.id, created!.email);
  await database.db
    .updateTable('users')
    .set({ is_admin: options.admin ?? false })
    .where('id', '=', created!.id)
    .execute();
  return (await findUserById(database.db, created!.id))!;
}

const ctx = (user: PublicUser) => ({ db: database.db, catalog, user });

/** An organisation with one verified domain and an administrator of it (a person at that domain). */
async function organisation(name: string, parentId: string | null = null) {
  const at = domain(name.toLowerCase().replace(/\W+/g, '-'));
  const { organisationId } = await organisations.createOrganisation(ctx(siteAdmin), {
    name: `${name} ${counter}-${Math.random().toString(36).slice(2, 6)}`,
    parentId,
  });
  await organisations.addDomain(ctx(siteAdmin), { organisationId, domain: at });
  const admin = await person(`${name} Admin`, { email: `admin-${counter}@${at}` });
  await organisations.addOrganisationAdmin(ctx(siteAdmin), { organisationId, email: admin.email });
  return { organisationId, domain: at, admin };
}

async function auditActions(target: string): Promise<string[]> {
  const entries = await listAuditEntries(database.db, { limit: 200 });
  return entries.filter((entry) => entry.target === target).map((entry) => entry.action);
}

beforeAll(async () => {
  database = await freshDatabase();
  siteAdmin = await person('Site Admin', { admin: true });
});
afterAll(async () => {
  await database?.close();
});

describe('an install with no organisation', () => {
  it('signs people up and in as before: nobody belongs to an organisation', async () => {
    const fresh = await freshDatabase();
    try {
      const email = uniqueEmail('plain');
      const request = { ip: '203.0.113.9', userAgent: 'test' };
      const { user } = await accounts.signUp(
        fresh.db,
        { name: 'Plain Person', email, password: 'violet harbour tractor quilt 92' },
        request,
      );
      expect(await organisations.organisationForEmail(fresh.db, user.email)).toBeUndefined();
      expect(await organisations.myOrganisations({ db: fresh.db, catalog, user })).toEqual([]);
      await accounts.signIn(fresh.db, { email, password: 'violet harbour tractor quilt 92' }, request);
      // The first account is the site administrator; it sees no organisation yet.
      expect(await organisations.listOrganisations({ db: fresh.db, catalog, user })).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

describe('creating organisations', () => {
  it('is for site administrators, with unique names and one level of parents', async () => {
    const learner = await person('Lena Learner');
    expect(
      await caught(organisations.createOrganisation(ctx(learner), { name: 'Rogue Health', parentId: null })),
    ).toBeInstanceOf(ForbiddenError);
    expect(await caught(organisations.listOrganisations(ctx(learner)))).toBeInstanceOf(ForbiddenError);

    const name = `Northside Health ${Date.now()}`;
    const { organisationId: system } = await organisations.createOrganisation(ctx(siteAdmin), {
      name,
      parentId: null,
    });
    const twice = await caught(
      organisations.createOrganisation(ctx(siteAdmin), { name: name.toUpperCase(), parentId: null }),
    );
    expect(twice).toBeInstanceOf(FieldError);
    expect((twice as FieldError).field).toBe('name');

    const { organisationId: hospital } = await organisations.createOrganisation(ctx(siteAdmin), {
      name: `${name} — St Mary’s`,
      parentId: system,
    });
    const grandchild = await caught(
      organisations.createOrganisation(ctx(siteAdmin), { name: `${name} — Ward block`, parentId: hospital }),
    );
    expect(grandchild).toBeInstanceOf(FieldError);
    expect((grandchild as FieldError).field).toBe('parentId');
    const unknownParent = await caught(
      organisations.createOrganisation(ctx(siteAdmin), {
        name: `${name} — Nowhere`,
        parentId: '00000000-0000-4000-8000-000000000000',
      }),
    );
    expect((unknownParent as FieldError).field).toBe('parentId');

    const listed = await organisations.listOrganisations(ctx(siteAdmin));
    expect(listed.find((row) => row.id === hospital)).toMatchObject({ parent_id: system, parent_name: name });
    expect(await auditActions(`organisation:${system}`)).toEqual(['organisation.create']);
  });
});

describe('verified domains and membership', () => {
  it('a person who signs up at a verified domain joins once the address is confirmed', async () => {
    const org = await organisation('Riverside');
    const email = `nurse.${counter}@${org.domain.toUpperCase()}`.toLowerCase();
    const { user } = await accounts.signUp(
      database.db,
      { name: 'Nia Nurse', email, password: 'violet harbour tractor quilt 92' },
      { ip: '203.0.113.10', userAgent: 'test' },
    );
    // The notice: this address is at a domain of the organisation.
    expect(await organisations.organisationForEmail(database.db, user.email)).toMatchObject({
      id: org.organisationId,
    });
    const before = await organisations.organisationPage(ctx(org.admin), org.organisationId);
    expect(before.people.people.map((p) => p.id)).not.toContain(user.id);

    await markEmailVerified(database.db, user.id, user.email);
    const after = await organisations.organisationPage(ctx(org.admin), org.organisationId);
    expect(after.people.people.map((p) => p.id)).toContain(user.id);
    // Someone at another domain is not listed.
    const outsider = await person('Otto Outsider');
    expect(after.people.people.map((p) => p.id)).not.toContain(outsider.id);
  });

  it('a domain belongs to one organisation; adding it twice changes nothing; only site administrators verify', async () => {
    const a = await organisation('Hillcrest');
    const b = await organisation('Lakeside');
    await organisations.addDomain(ctx(siteAdmin), { organisationId: a.organisationId, domain: a.domain });
    expect(
      (await auditActions(`organisation:${a.organisationId}`)).filter((x) => x === 'organisation.add-domain'),
    ).toHaveLength(1);
    const taken = await caught(
      organisations.addDomain(ctx(siteAdmin), { organisationId: b.organisationId, domain: a.domain }),
    );
    expect((taken as FieldError).field).toBe('domain');
    expect(
      await caught(organisations.addDomain(ctx(a.admin), { organisationId: a.organisationId, domain: domain('x') })),
    ).toBeInstanceOf(ForbiddenError);

    const extra = domain('hillcrest-clinics');
    await organisations.addDomain(ctx(siteAdmin), { organisationId: a.organisationId, domain: extra });
    await organisations.removeDomain(ctx(siteAdmin), { organisationId: a.organisationId, domain: extra });
    expect((await organisations.organisationPage(ctx(a.admin), a.organisationId)).domains).toEqual([a.domain]);
  });
});

describe('who may manage an organisation', () => {
  it('authorisation matrix: site admin, its admins, its parent’s admins — and nobody else', async () => {
    const system = await organisation('Eastern System');
    const hospital = await organisation('Eastern Hospital', system.organisationId);
    const other = await organisation('Western');
    const leader = await person('Leo Leader', { email: `leo-${counter}@${hospital.domain}` });
    await teams.createTeam(ctx(leader), { name: 'Ward 5', description: '' });
    const learner = await person('Lou Learner', { email: `lou-${counter}@${hospital.domain}` });
    // The page is the read every other function shares: it decides what anyone sees.
    const sees = async (who: PublicUser, organisationId: string) => {
      const error = await organisations.organisationPage(ctx(who), organisationId).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error === undefined) return 'sees';
      expect(error).toBeInstanceOf(NotFoundError);
      return 'not found';
    };
    const matrix = {
      'site admin → hospital': await sees(siteAdmin, hospital.organisationId),
      'hospital admin → hospital': await sees(hospital.admin, hospital.organisationId),
      'system admin → hospital (its child)': await sees(system.admin, hospital.organisationId),
      'hospital admin → system (its parent)': await sees(hospital.admin, system.organisationId),
      'other admin → hospital': await sees(other.admin, hospital.organisationId),
      'hospital admin → other': await sees(hospital.admin, other.organisationId),
      'team leader at the domain → hospital': await sees(leader, hospital.organisationId),
      'member at the domain → hospital': await sees(learner, hospital.organisationId),
      'site admin → no such id': await sees(siteAdmin, 'not-a-uuid'),
    };
    expect(matrix).toEqual({
      'site admin → hospital': 'sees',
      'hospital admin → hospital': 'sees',
      'system admin → hospital (its child)': 'sees',
      'hospital admin → system (its parent)': 'not found',
      'other admin → hospital': 'not found',
      'hospital admin → other': 'not found',
      'team leader at the domain → hospital': 'not found',
      'member at the domain → hospital': 'not found',
      'site admin → no such id': 'not found',
    });
    expect(await organisations.myOrganisations(ctx(system.admin))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: system.organisationId }),
        expect.objectContaining({ id: hospital.organisationId }),
      ]),
    );
    expect((await organisations.myOrganisations(ctx(other.admin))).map((o) => o.id)).toEqual([other.organisationId]);

    // Every change is refused to those who cannot see, and leaves nothing behind.
    const id = hospital.organisationId;
    const before = await auditActions(`organisation:${id}`);
    for (const outsider of [other.admin, leader, learner]) {
      // Those that name the organisation say it does not exist; domains are for site administrators only.
      const hidden = [
        () => organisations.addOrganisationAdmin(ctx(outsider), { organisationId: id, email: outsider.email }),
        () => organisations.removeOrganisationAdmin(ctx(outsider), { organisationId: id, userId: hospital.admin.id }),
        () => organisations.addOrganisationTeam(ctx(outsider), { organisationId: id, teamId: crypto.randomUUID() }),
        () => organisations.removeOrganisationTeam(ctx(outsider), { organisationId: id, teamId: crypto.randomUUID() }),
      ];
      for (const attempt of hidden) expect(await caught(attempt())).toBeInstanceOf(NotFoundError);
      const siteOnly = [
        () => organisations.removeDomain(ctx(outsider), { organisationId: id, domain: hospital.domain }),
        () => organisations.addDomain(ctx(outsider), { organisationId: id, domain: domain('grab') }),
      ];
      for (const attempt of siteOnly) expect(await caught(attempt())).toBeInstanceOf(ForbiddenError);
    }
    expect(await auditActions(`organisation:${id}`)).toEqual(before);
    expect((await organisations.organisationPage(ctx(siteAdmin), id)).admins.map((a) => a.id)).toEqual([
      hospital.admin.id,
    ]);
  });

  it('its administrators name only its own people as administrators; a site administrator anyone', async () => {
    const org = await organisation('Meadow');
    const colleague = await person('Cara Colleague', { email: `cara-${counter}@${org.domain}` });
    const unconfirmed = await person('Una Unconfirmed', { email: `una-${counter}@${org.domain}`, confirmed: false });
    const outsider = await person('Oscar Outsider');
    const deactivated = await person('Dee Deactivated', { email: `dee-${counter}@${org.domain}` });
    await people.deactivateAccount(ctx(siteAdmin), { userId: deactivated.id });
    const id = org.organisationId;

    for (const who of [unconfirmed, outsider, deactivated]) {
      const refused = await caught(
        organisations.addOrganisationAdmin(ctx(org.admin), { organisationId: id, email: who.email }),
      );
      expect((refused as FieldError).field).toBe('email');
    }
    const nobody = await caught(
      organisations.addOrganisationAdmin(ctx(org.admin), { organisationId: id, email: uniqueEmail('nobody') }),
    );
    expect((nobody as FieldError).message).toContain('No account');

    await organisations.addOrganisationAdmin(ctx(org.admin), { organisationId: id, email: colleague.email });
    await organisations.addOrganisationAdmin(ctx(org.admin), { organisationId: id, email: colleague.email }); // a double submit
    await organisations.addOrganisationAdmin(ctx(siteAdmin), { organisationId: id, email: outsider.email });
    const page = await organisations.organisationPage(ctx(colleague), id);
    expect(page.admins.map((a) => a.id).sort()).toEqual([org.admin.id, colleague.id, outsider.id].sort());
    expect(page.isSiteAdmin).toBe(false);

    await organisations.removeOrganisationAdmin(ctx(colleague), { organisationId: id, userId: outsider.id });
    await organisations.removeOrganisationAdmin(ctx(colleague), { organisationId: id, userId: outsider.id });
    expect(await caught(organisations.organisationPage(ctx(outsider), id))).toBeInstanceOf(NotFoundError);
    expect(await auditActions(`organisation:${id}`)).toEqual([
      'organisation.remove-admin',
      'organisation.add-admin',
      'organisation.add-admin',
      'organisation.add-admin',
      'organisation.add-domain',
      'organisation.create',
    ]);
  });

  it('teams: its administrators add teams they lead; a team belongs to one organisation at most', async () => {
    const org = await organisation('Harbour');
    const other = await organisation('Cliffside');
    const { teamId: ownTeam } = await teams.createTeam(ctx(org.admin), { name: 'Harbour ICU', description: '' });
    const stranger = await person('Sam Stranger');
    const { teamId: strangersTeam } = await teams.createTeam(ctx(stranger), { name: 'Elsewhere', description: '' });
    const id = org.organisationId;

    const notLed = await caught(
      organisations.addOrganisationTeam(ctx(org.admin), { organisationId: id, teamId: strangersTeam }),
    );
    expect((notLed as FieldError).field).toBe('team');
    const missing = await caught(
      organisations.addOrganisationTeam(ctx(org.admin), { organisationId: id, teamId: crypto.randomUUID() }),
    );
    expect((missing as FieldError).field).toBe('team');

    await organisations.addOrganisationTeam(ctx(org.admin), { organisationId: id, teamId: ownTeam });
    await organisations.addOrganisationTeam(ctx(org.admin), { organisationId: id, teamId: ownTeam });
    await organisations.addOrganisationTeam(ctx(siteAdmin), { organisationId: id, teamId: strangersTeam });
    expect(
      await caught(
        organisations.addOrganisationTeam(ctx(siteAdmin), { organisationId: other.organisationId, teamId: ownTeam }),
      ),
    ).toBeInstanceOf(ConflictError);
    const page = await organisations.organisationPage(ctx(org.admin), id);
    expect(page.teams.map((t) => [t.name, t.member_count])).toEqual([
      ['Elsewhere', 1],
      ['Harbour ICU', 1],
    ]);

    await organisations.removeOrganisationTeam(ctx(org.admin), { organisationId: id, teamId: strangersTeam });
    // Removing it from the organisation leaves the team itself as it was.
    expect(await teams.isMemberOf(ctx(stranger), strangersTeam)).toBe(true);
    expect((await organisations.organisationPage(ctx(org.admin), id)).teams.map((t) => t.id)).toEqual([ownTeam]);
    expect((await auditActions(`organisation:${id}`)).filter((action) => action.includes('team'))).toEqual([
      'organisation.remove-team',
      'organisation.add-team',
      'organisation.add-team',
    ]);
  });
});

describe('the organisation report', () => {
  it('counts each team’s assigned courses (done, overdue) and exports them as safe CSV, for its managers only', async () => {
    const org = await organisation('Report');
    const other = await organisation('Elsewhere Report');
    // A formula-looking team name: the CSV must show it, not run it.
    const { teamId } = await teams.createTeam(ctx(org.admin), { name: '=HYPERLINK("x") Ward', description: '' });
    const { code } = await teams.createInvite(ctx(org.admin), { teamId, days: 7, maxUses: null });
    const done = await person('Dora Done');
    const late = await person('Lars Late');
    for (const member of [done, late]) await teams.joinTeam({ ...ctx(member), clientIp: '127.0.0.1' }, { code });
    const course = catalog.courses[0]!;
    const today = teams.teamToday();
    await teams.assignCourse(ctx(org.admin), {
      teamId,
      courseSlug: course.slug,
      dueOn: today,
      note: '',
    });
    for (const lesson of course.lessons)
      await progressRepo.completeLesson(
        database.db,
        { userId: done.id, courseSlug: course.slug, lessonSlug: lesson.slug },
        course.version,
      );
    await organisations.addOrganisationTeam(ctx(org.admin), { organisationId: org.organisationId, teamId });
    // Done's certificate expires within 60 days; one expiring later is not counted.
    const issued = await certificates.issueCourseCertificate(ctx(done), course, new Date());
    const certificate = 'certificate' in issued ? issued.certificate : expect.unreachable('no certificate issued');
    await database.db
      .updateTable('certificates')
      .set({ expires_at: new Date(Date.now() + 30 * 86_400_000) })
      .where('id', '=', certificate.id)
      .execute();
    const lateCourse = catalog.courses[1]!;
    const issuedLater = await certificates.issueCourseCertificate(ctx(late), lateCourse, new Date());
    const later = 'certificate' in issuedLater ? issuedLater.certificate : expect.unreachable('no certificate issued');
    await database.db
      .updateTable('certificates')
      .set({ expires_at: new Date(Date.now() + 90 * 86_400_000) })
      .where('id', '=', later.id)
      .execute();

    // A day after the due date: the one who has not finished is overdue.
    const tomorrow = new Date(Date.now() + 36 * 3600_000);
    const report = await organisations.organisationReport({ ...ctx(org.admin), now: tomorrow }, org.organisationId);
    expect(report.teams).toHaveLength(1);
    expect(report.teams[0]!.expiringCertificates).toBe(1);
    expect(report.teams[0]!.assignments).toEqual([
      expect.objectContaining({ courseSlug: course.slug, people: 2, completed: 1, overdue: 1, notStarted: 0 }),
    ]);

    const csv = await organisations.organisationReportCsv({ ...ctx(org.admin), now: tomorrow }, org.organisationId);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'organisation,team,course,course_slug,due_date,people,completed,in_progress,not_started,overdue,team_certificates_expiring_60_days',
    );
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"") Ward"`);
    expect(lines[1]!.endsWith(',2,1,0,0,1,1')).toBe(true);

    expect(await caught(organisations.organisationReport(ctx(other.admin), org.organisationId))).toBeInstanceOf(
      NotFoundError,
    );
    expect(await caught(organisations.organisationReportCsv(ctx(done), org.organisationId))).toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('a learning path published to an organisation', () => {
  it('reaches the teams of the organisation and of those under it, no other team, and only its managers may publish', async () => {
    const system = await organisation('Health System');
    const hospital = await organisation('Hospital', system.organisationId);
    const other = await organisation('Elsewhere Paths');
    const teamIn = async (name: string, organisationId: string) => {
      const { teamId } = await teams.createTeam(ctx(siteAdmin), { name, description: '' });
      await organisations.addOrganisationTeam(ctx(siteAdmin), { organisationId, teamId });
      return teamId;
    };
    const ward = await teamIn('System ward', system.organisationId);
    const clinic = await teamIn('Hospital clinic', hospital.organisationId);
    const archived = await teamIn('Closed ward', system.organisationId);
    await teams.setTeamArchived(ctx(siteAdmin), { teamId: archived, archived: true });
    const elsewhere = await teamIn('Elsewhere ward', other.organisationId);
    const input = {
      organisationId: system.organisationId,
      name: 'Welcome programme',
      startsOn: null,
      inOrder: true,
      steps: [{ courseSlug: catalog.courses[0]!.slug, offsetDays: 14 }],
    };

    // Someone who does not manage it (another organisation's administrator, a team leader) is told it does not exist.
    expect(await caught(organisations.publishPathToOrganisation(ctx(other.admin), input))).toBeInstanceOf(
      NotFoundError,
    );
    const leader = await person('Team Leader');
    const { teamId: led } = await teams.createTeam(ctx(leader), { name: 'Led ward', description: '' });
    await organisations.addOrganisationTeam(ctx(siteAdmin), { organisationId: system.organisationId, teamId: led });
    expect(await caught(organisations.publishPathToOrganisation(ctx(leader), input))).toBeInstanceOf(NotFoundError);

    expect(await organisations.publishPathToOrganisation(ctx(system.admin), input)).toEqual({
      published: 3,
      leftOut: [],
    });
    const pathNames = async (teamId: string) =>
      (await database.db.selectFrom('team_paths').select('name').where('team_id', '=', teamId).execute()).map(
        (p) => p.name,
      );
    expect(await pathNames(ward)).toEqual(['Welcome programme']);
    expect(await pathNames(clinic)).toEqual(['Welcome programme']);
    expect(await pathNames(archived)).toEqual([]);
    expect(await pathNames(elsewhere)).toEqual([]);
    expect(await auditActions(`organisation:${system.organisationId}`)).toContain('organisation.publish-path');

    // Published again: every team already has it, so nothing is written twice.
    const again = await caught(organisations.publishPathToOrganisation(ctx(system.admin), input));
    expect(again).toBeInstanceOf(FieldError);
    expect(await pathNames(ward)).toEqual(['Welcome programme']);
  });
});

describe('an erased account', () => {
  it('administers no organisation any more', async () => {
    const org = await organisation('Erase');
    const colleague = await person('Cleo Colleague', { email: `cleo-${counter}@${org.domain}` });
    await organisations.addOrganisationAdmin(ctx(org.admin), {
      organisationId: org.organisationId,
      email: colleague.email,
    });
    await eraseAccount(database.db, colleague.id);
    const left = await database.db
      .selectFrom('organisation_admins')
      .select('user_id')
      .where('organisation_id', '=', org.organisationId)
      .execute();
    expect(left.map((row) => row.user_id)).toEqual([org.admin.id]);
  });
});
