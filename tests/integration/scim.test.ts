// SCIM 2.0 provisioning (decision 0043): the request sequences Microsoft Entra ID and Okta
// send, as HTTP requests to the handler behind /scim/v2 (shapes after their published
// examples, our own data); RFC 7644 errors for what is malformed; and who may do what.
import { NotFoundError } from '#server/kernel/errors.ts';
import type { PublicUser } from '#server/kernel/context.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught } from '../support/caught.ts';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { createUser, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import { insertSession, listSessions } from '#server/accounts/sessions-repo.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import * as teams from '#server/teams/teams.ts';
import * as progressRepo from '#server/progress/repo.ts';
import * as organisations from '#server/organisations/organisations.ts';
import { handleScimRequest } from '#server/organisations/scim.ts';

const catalog = testCatalog();
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
let database: RoundsDatabase;
let siteAdmin: PublicUser;
let counter = 0;

async function person(name: string, options: { email?: string; admin?: boolean } = {}): Promise<PublicUser> {
  const created = await createUser(database.db, {
    email: options.email ?? uniqueEmail(name.toLowerCase().replace(/\W+/g, '-')),
    name,
    passwordHash: 'x',
  });
  await markEmailVerified(database.db, created!.id, created!.email);
  if (options.admin)
    await database.db.updateTable('users').set({ is_admin: true }).where('id', '=', created!.id).execute();
  return (await findUserById(database.db, created!.id))!;
}

const ctx = (user: PublicUser) => ({ db: database.db, catalog, user });

/** An organisation with a verified domain, an administrator, and a SCIM token. */
async function organisation(label: string) {
  counter += 1;
  const domain = `${label}-${counter}-${Math.random().toString(36).slice(2, 6)}.org`;
  const { organisationId } = await organisations.createOrganisation(ctx(siteAdmin), {
    name: `${label} ${domain}`,
    parentId: null,
  });
  await organisations.addDomain(ctx(siteAdmin), { organisationId, domain });
  const admin = await person(`${label} Admin`, { email: `admin@${domain}` });
  await organisations.addOrganisationAdmin(ctx(siteAdmin), { organisationId, email: admin.email });
  const { token } = await organisations.rotateScimToken(ctx(admin), { organisationId });
  return { organisationId, domain, admin, token };
}

interface ScimAnswer {
  status: number;
  type: string | null;
  // SCIM JSON, read by path in the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** One request as a directory sends it (bearer token, application/scim+json). */
async function scim(token: string | null, method: string, path: string, body?: unknown): Promise<ScimAnswer> {
  const headers: Record<string, string> = { accept: 'application/scim+json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/scim+json; charset=utf-8';
  const url = new URL(`http://rounds.test/scim/v2${path}`);
  const request = new Request(url, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const response = await handleScimRequest(database.db, request, url.pathname.slice('/scim/v2'.length));
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), body: text ? JSON.parse(text) : null };
}

function expectScimError(answer: ScimAnswer, status: number, scimType?: string) {
  expect(answer.status).toBe(status);
  expect(answer.type).toBe('application/scim+json');
  expect(answer.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(answer.body.status).toBe(String(status));
  if (scimType) expect(answer.body.scimType).toBe(scimType);
}

async function auditActions(target: string): Promise<string[]> {
  const entries = await listAuditEntries(database.db, { limit: 500 });
  return entries.filter((entry) => entry.target === target).map((entry) => entry.action);
}

async function signedInSession(userId: string) {
  await insertSession(database.db, {
    id: `s-${Math.random().toString(36).slice(2)}`,
    secretHash: new Uint8Array(32),
    userId,
    expiresAt: new Date(Date.now() + 3600_000),
    userAgent: 'test',
  });
}

const filterPath = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

beforeAll(async () => {
  database = await freshDatabase();
  siteAdmin = await person('Site Admin', { admin: true });
});
afterAll(async () => {
  await database?.close();
});

describe('Microsoft Entra ID’s sequence', () => {
  it('looks up, creates, updates, deactivates (sessions end, progress stays) and reactivates a user', async () => {
    const org = await organisation('entra');
    const userName = `nia.okafor@${org.domain}`;

    // Entra first asks whether the user exists (by its matching attribute), then creates it.
    const lookup = await scim(org.token, 'GET', filterPath(userName));
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim(org.token, 'POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      externalId: 'nia.okafor',
      userName,
      active: true,
      displayName: 'Nia Okafor',
      emails: [{ primary: true, type: 'work', value: userName }],
      name: { formatted: 'Nia Okafor', familyName: 'Okafor', givenName: 'Nia' },
      [ENTERPRISE]: { department: 'Ward 7', employeeNumber: '40117' },
    });
    expect(created.status).toBe(201);
    expect(created.type).toBe('application/scim+json');
    expect(created.body).toMatchObject({ userName, active: true, externalId: 'nia.okafor', displayName: 'Nia Okafor' });
    const id: string = created.body.id;
    const account = (await findUserById(database.db, id))!;
    expect(account).toMatchObject({ email: userName, name: 'Nia Okafor' });
    expect(account.email_verified_at).not.toBeNull();

    const found = await scim(org.token, 'GET', filterPath(userName));
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(id);

    // Entra's PATCH: capitalised ops, a path per attribute.
    const renamed = await scim(org.token, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Nia Okafor-Reyes' },
        { op: 'Add', path: 'name.familyName', value: 'Okafor-Reyes' },
      ],
    });
    expect(renamed.status).toBe(200);
    expect((await findUserById(database.db, id))!.name).toBe('Nia Okafor-Reyes');

    // Progress to keep, and a signed-in session to end.
    const course = catalog.courses[0]!;
    const lesson = course.lessons[0]!;
    await progressRepo.completeLesson(
      database.db,
      { userId: id, courseSlug: course.slug, lessonSlug: lesson.slug },
      course.version,
    );
    await signedInSession(id);
    expect(await listSessions(database.db, id)).toHaveLength(1);

    // Entra deactivates with the string "False".
    const deactivated = await scim(org.token, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    expect(await listSessions(database.db, id)).toHaveLength(0);
    const row = await database.db
      .selectFrom('users')
      .select('deactivated_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.deactivated_at).not.toBeNull();
    const kept = await database.db
      .selectFrom('lesson_progress')
      .select('lesson_slug')
      .where('user_id', '=', id)
      .execute();
    expect(kept).toHaveLength(1);
    expect(await auditActions(`user:${id}`)).toContain('account.deactivate');

    const reactivated = await scim(org.token, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    });
    expect(reactivated.body.active).toBe(true);
    const again = await database.db
      .selectFrom('users')
      .select('deactivated_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(again.deactivated_at).toBeNull();
    expect(await auditActions(`user:${id}`)).toEqual(
      expect.arrayContaining(['scim.provision', 'scim.update', 'account.deactivate', 'account.reactivate']),
    );
  });

  it('creates a group and adds and removes members with value lists; a mapped team follows', async () => {
    const org = await organisation('entra-groups');
    const ids: string[] = [];
    for (const name of ['ama', 'ben']) {
      const answer = await scim(org.token, 'POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: `${name}@${org.domain}`,
        active: true,
        displayName: name.toUpperCase(),
      });
      ids.push(answer.body.id);
    }
    const group = await scim(org.token, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      externalId: '8a1c2f0e',
      displayName: 'Ward 7 nurses',
      members: [],
    });
    expect(group.status).toBe(201);
    const groupId: string = group.body.id;

    // The organisation's administrator maps the group to one of its teams.
    const { teamId } = await teams.createTeam(ctx(org.admin), { name: 'Ward 7', description: '' });
    await organisations.addOrganisationTeam(ctx(org.admin), { organisationId: org.organisationId, teamId });
    await organisations.mapScimGroup(ctx(org.admin), { organisationId: org.organisationId, groupId, teamId });

    const added = await scim(org.token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'members', value: ids.map((value) => ({ value })) }],
    });
    expect(added.status).toBe(200);
    const members = async () =>
      (await database.db.selectFrom('team_members').select(['user_id', 'role']).where('team_id', '=', teamId).execute())
        .filter((member) => member.role === 'member')
        .map((member) => member.user_id)
        .sort();
    expect(await members()).toEqual([...ids].sort());

    const removed = await scim(org.token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: ids[0] }] }],
    });
    expect(removed.status).toBe(200);
    expect(await members()).toEqual([ids[1]]);
    const read = await scim(org.token, 'GET', `/Groups/${groupId}`);
    expect(read.body.members.map((member: { value: string }) => member.value)).toEqual([ids[1]]);

    // Entra checks a group by its display name.
    const byName = await scim(
      org.token,
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "Ward 7 nurses"')}&excludedAttributes=members`,
    );
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].members).toBeUndefined();

    // Deleting the group takes its members out of the team it mapped to.
    expect((await scim(org.token, 'DELETE', `/Groups/${groupId}`)).status).toBe(204);
    expect(await members()).toEqual([]);
    expect((await scim(org.token, 'GET', `/Groups/${groupId}`)).status).toBe(404);
  });
});

describe('Okta’s sequence', () => {
  it('creates, reads, replaces and deactivates a user with a PATCH without path', async () => {
    const org = await organisation('okta');
    const userName = `lars.lind@${org.domain}`;
    const lookup = await scim(
      org.token,
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
    );
    expect(lookup.body).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0 });

    const created = await scim(org.token, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'Lars', familyName: 'Lind' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Lars Lind',
      locale: 'en-GB',
      externalId: '00u1ab2cd3EF4gh5i6',
      groups: [],
      password: 'ignored-by-rounds-1',
      active: true,
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(created.body.password).toBeUndefined();
    await signedInSession(id);

    const read = await scim(org.token, 'GET', `/Users/${id}`);
    expect(read.body).toMatchObject({ id, userName, name: { givenName: 'Lars', familyName: 'Lind' } });

    // Okta's profile push is a PUT of the whole user.
    const replaced = await scim(org.token, 'PUT', `/Users/${id}`, {
      schemas: [USER_SCHEMA],
      id,
      userName,
      name: { givenName: 'Lars', familyName: 'Lindqvist' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Lars Lind',
      active: true,
    });
    expect(replaced.status).toBe(200);
    expect((await findUserById(database.db, id))!.name).toBe('Lars Lindqvist');

    // Okta deactivates with a real boolean and no path.
    const deactivated = await scim(org.token, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(deactivated.body.active).toBe(false);
    expect(await listSessions(database.db, id)).toHaveLength(0);
  });

  it('pushes a group: create with members, rename, add, and remove by a filtered path', async () => {
    const org = await organisation('okta-groups');
    const ids: string[] = [];
    for (const name of ['cy', 'di', 'ed']) {
      const answer = await scim(org.token, 'POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: `${name}@${org.domain}`,
        name: { givenName: name, familyName: 'Test' },
        active: true,
      });
      expect(answer.status).toBe(201);
      ids.push(answer.body.id);
    }
    const created = await scim(org.token, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'ICU',
      members: [{ value: ids[0], display: `cy@${org.domain}` }],
    });
    expect(created.status).toBe(201);
    const groupId: string = created.body.id;

    const renamed = await scim(org.token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: groupId, displayName: 'ICU nurses' } }],
    });
    expect(renamed.body.displayName).toBe('ICU nurses');

    await scim(org.token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ids[1] }, { value: ids[2] }] }],
    });
    const removed = await scim(org.token, 'PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${ids[0]}"]` }],
    });
    expect(removed.status).toBe(200);
    const read = await scim(org.token, 'GET', `/Groups/${groupId}`);
    expect(read.body.members.map((member: { value: string }) => member.value).sort()).toEqual([ids[1], ids[2]].sort());
    expect(await auditActions(`organisation:${org.organisationId}`)).toEqual(
      expect.arrayContaining(['scim.group-create', 'scim.group-update']),
    );
  });

  it('pages through users with startIndex and count', async () => {
    const org = await organisation('paging');
    for (const name of ['p1', 'p2', 'p3'])
      await scim(org.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: `${name}@${org.domain}` });
    const page = await scim(org.token, 'GET', '/Users?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(page.body.Resources[0].userName).toBe(`p2@${org.domain}`);
    const past = await scim(org.token, 'GET', '/Users?startIndex=9&count=5');
    expect(past.body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
  });
});

describe('RFC 7644 errors, never a 500', () => {
  it('answers malformed and unsupported requests with 400 and a scimType, clashes with 409', async () => {
    const org = await organisation('errors');
    const post = (body: unknown) => scim(org.token, 'POST', '/Users', body);

    expectScimError(
      await scim(org.token, 'GET', `/Users?filter=${encodeURIComponent('userName eq')}`),
      400,
      'invalidFilter',
    );
    expectScimError(await scim(org.token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "a" and (')}`), 400);
    expectScimError(
      await scim(org.token, 'GET', `/Users?filter=${encodeURIComponent('title co "x"')}`),
      400,
      'invalidFilter',
    );
    expectScimError(await scim(org.token, 'GET', '/Users?count=lots'), 400, 'invalidValue');
    expectScimError(
      await post({ schemas: [USER_SCHEMA], userName: `a@${org.domain}`, shoeSize: 9 }),
      400,
      'invalidValue',
    );
    expectScimError(await post({ schemas: [USER_SCHEMA], userName: 42 }), 400, 'invalidValue');
    expectScimError(
      await post({ schemas: [USER_SCHEMA], userName: `b@${org.domain}`, active: 'maybe' }),
      400,
      'invalidValue',
    );
    expectScimError(await post({ schemas: [USER_SCHEMA], userName: 'someone@elsewhere.example' }), 400, 'invalidValue');
    expectScimError(await post('{"schemas": ['), 400, 'invalidSyntax');
    expectScimError(await post([1, 2]), 400, 'invalidSyntax');

    const created = await post({ schemas: [USER_SCHEMA], userName: `c@${org.domain}` });
    expect(created.status).toBe(201);
    expectScimError(await post({ schemas: [USER_SCHEMA], userName: `C@${org.domain}` }), 409, 'uniqueness');
    // An account at the domain whose address nobody confirmed is not adopted.
    await createUser(database.db, { email: `d@${org.domain}`, name: 'Unconfirmed', passwordHash: 'x' });
    expectScimError(await post({ schemas: [USER_SCHEMA], userName: `d@${org.domain}` }), 409, 'uniqueness');

    const id = created.body.id;
    expectScimError(
      await scim(org.token, 'PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'shoeSize', value: 9 }],
      }),
      400,
      'invalidPath',
    );
    expectScimError(
      await scim(org.token, 'PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'explode', path: 'active' }],
      }),
      400,
    );
    expectScimError(
      await scim(org.token, 'PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] }),
      400,
      'invalidSyntax',
    );
    expectScimError(await scim(org.token, 'GET', '/Users/not-a-uuid'), 404);
    expectScimError(await scim(org.token, 'GET', '/Nothing'), 404);
    expectScimError(await scim(org.token, 'PUT', '/Users', { schemas: [USER_SCHEMA] }), 405);
    expectScimError(await scim(org.token, 'POST', '/ServiceProviderConfig', {}), 404);

    await scim(org.token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Theatre' });
    expectScimError(
      await scim(org.token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'theatre' }),
      409,
      'uniqueness',
    );
    expectScimError(
      await scim(org.token, 'POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'X',
        members: [{ value: siteAdmin.id }],
      }),
      400,
      'invalidValue',
    );
  });

  it('refuses a request without a valid bearer token (401), and an old token once rotated', async () => {
    const org = await organisation('tokens');
    expectScimError(await scim(null, 'GET', '/Users'), 401);
    expectScimError(await scim('scim_not-a-real-token-at-all', 'GET', '/Users'), 401);
    const { token } = await organisations.rotateScimToken(ctx(org.admin), { organisationId: org.organisationId });
    expectScimError(await scim(org.token, 'GET', '/Users'), 401);
    expect((await scim(token, 'GET', '/Users')).status).toBe(200);
    // Only a hash is kept.
    const stored = await database.db
      .selectFrom('scim_tokens')
      .selectAll()
      .where('organisation_id', '=', org.organisationId)
      .executeTakeFirstOrThrow();
    expect(Buffer.from(stored.token_hash).toString('utf8')).not.toContain(token);
    expect(JSON.stringify(await listAuditEntries(database.db, { limit: 500 }))).not.toContain(token);
    expect(await auditActions(`organisation:${org.organisationId}`)).toContain('organisation.rotate-scim-token');
  });

  it('describes itself: ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    const org = await organisation('discovery');
    const config = await scim(org.token, 'GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      bulk: { supported: false },
    });
    const types = await scim(org.token, 'GET', '/ResourceTypes');
    expect(types.body.Resources.map((type: { name: string }) => type.name).sort()).toEqual(['Group', 'User']);
    const schemas = await scim(org.token, 'GET', '/Schemas');
    expect(schemas.body.Resources.map((schema: { id: string }) => schema.id)).toContain(ENTERPRISE);
    expectScimError(await scim(org.token, 'GET', '/Schemas/urn:nothing'), 404);
  });
});

describe('who may do what', () => {
  it('another organisation’s token neither sees nor changes this organisation’s users and groups', async () => {
    const mine = await organisation('mine');
    const theirs = await organisation('theirs');
    const userName = `private@${mine.domain}`;
    const user = await scim(mine.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName });
    const group = await scim(mine.token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Mine only' });
    const id = user.body.id;

    expect((await scim(theirs.token, 'GET', '/Users')).body.totalResults).toBe(0);
    expect((await scim(theirs.token, 'GET', filterPath(userName))).body.totalResults).toBe(0);
    expectScimError(await scim(theirs.token, 'GET', `/Users/${id}`), 404);
    expectScimError(
      await scim(theirs.token, 'PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }),
      404,
    );
    expectScimError(await scim(theirs.token, 'DELETE', `/Users/${id}`), 404);
    expectScimError(await scim(theirs.token, 'GET', `/Groups/${group.body.id}`), 404);
    expectScimError(
      await scim(theirs.token, 'POST', '/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Steal',
        members: [{ value: id }],
      }),
      400,
      'invalidValue',
    );
    // Nor can it provision an address at this organisation's domain.
    expectScimError(
      await scim(theirs.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: `new@${mine.domain}` }),
      400,
      'invalidValue',
    );
    const row = await database.db
      .selectFrom('users')
      .select('deactivated_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.deactivated_at).toBeNull();

    // Nor can its administrator see or change this organisation's SCIM settings.
    for (const attempt of [
      () => organisations.scimSettings(ctx(theirs.admin), mine.organisationId),
      () => organisations.rotateScimToken(ctx(theirs.admin), { organisationId: mine.organisationId }),
      () =>
        organisations.mapScimGroup(ctx(theirs.admin), {
          organisationId: mine.organisationId,
          groupId: group.body.id,
          teamId: null,
        }),
    ])
      expect(await caught(attempt())).toBeInstanceOf(NotFoundError);
  });

  it('a team leader cannot manage SCIM; an administrator maps only to the organisation’s own teams', async () => {
    const org = await organisation('leaders');
    const leader = await person('Lee Leader');
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'Leader’s ward', description: '' });
    await organisations.addOrganisationTeam(ctx(siteAdmin), { organisationId: org.organisationId, teamId });
    const group = await scim(org.token, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ward' });
    // Each started only when awaited: a refusal waiting in an array would be an unhandled rejection.
    for (const attempt of [
      () => organisations.scimSettings(ctx(leader), org.organisationId),
      () => organisations.rotateScimToken(ctx(leader), { organisationId: org.organisationId }),
      () =>
        organisations.mapScimGroup(ctx(leader), { organisationId: org.organisationId, groupId: group.body.id, teamId }),
    ])
      expect(await caught(attempt())).toBeInstanceOf(NotFoundError);
    expect((await scim(org.token, 'GET', '/Users')).status).toBe(200); // the leader's attempt changed no token

    const { teamId: elsewhere } = await teams.createTeam(ctx(org.admin), {
      name: 'Not in the organisation',
      description: '',
    });
    const refused = await caught(
      organisations.mapScimGroup(ctx(org.admin), {
        organisationId: org.organisationId,
        groupId: group.body.id,
        teamId: elsewhere,
      }),
    );
    expect(refused).toMatchObject({ field: 'teamId' });
    const settings = await organisations.scimSettings(ctx(org.admin), org.organisationId);
    expect(settings.token).not.toBeNull();
    expect(JSON.stringify(settings)).not.toContain(org.token);
  });

  it('DELETE deactivates the account and takes it out of the directory; its learning stays', async () => {
    const org = await organisation('delete');
    const user = await scim(org.token, 'POST', '/Users', { schemas: [USER_SCHEMA], userName: `gone@${org.domain}` });
    await signedInSession(user.body.id);
    expect((await scim(org.token, 'DELETE', `/Users/${user.body.id}`)).status).toBe(204);
    expectScimError(await scim(org.token, 'GET', `/Users/${user.body.id}`), 404);
    expect(await listSessions(database.db, user.body.id)).toHaveLength(0);
    const row = await database.db
      .selectFrom('users')
      .select('deactivated_at')
      .where('id', '=', user.body.id)
      .executeTakeFirstOrThrow();
    expect(row.deactivated_at).not.toBeNull();
    expect(await auditActions(`user:${user.body.id}`)).toContain('scim.remove');
  });
});
