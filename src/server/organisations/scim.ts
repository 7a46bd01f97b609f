import SCIMMY from 'scimmy';
import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { Executor } from '#server/platform/db.ts';
import { recordAudit } from '#server/audit/index.ts';
import {
  findPersonByEmail,
  peopleByIds,
  provisionAccount,
  setDeactivatedByDirectory,
  updateProvisionedAccount,
  type Person,
} from '#server/accounts/index.ts';
import { addDirectoryMember, removeDirectoryMember } from '#server/teams/index.ts';
import { ConflictError } from '#server/kernel/errors.ts';
import { isDatabaseUnavailable } from '#server/kernel/unavailable.ts';
import { hashSecret } from '#server/kernel/tokens.ts';
import { emailField, nameField } from '#lib/validation.ts';
import { domainOf } from '#lib/organisation-validation.ts';
import { SCIM_BODY_MAX } from '#lib/limits.ts';
import * as orgRepo from './repo.ts';
import * as repo from './scim-repo.ts';

// SCIM 2.0 (RFC 7643/7644) for an organisation's directory (decision 0043). SCIMMY parses
// filters and PATCH operations and checks every attribute against the User and Group
// schemas; the handlers below keep the accounts and groups of the organisation whose
// bearer token came with the request, and nothing of any other.

export const SCIM_BASE = '/scim/v2';
const SCIM_TYPE = 'application/scim+json';
const MAX_RESULTS = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type ScimContext = { db: Executor; organisationId: string };
type Resource = { id?: string };
type Attributes = Record<string, unknown>;

class ScimError extends SCIMMY.Types.Error {}

function scimError(status: number, scimType: string | null, detail: string): ScimError {
  return new ScimError(status, scimType as never, detail);
}

let configured = false;

/** SCIMMY keeps its configuration and handlers on its classes: set once per process. */
function configure(): void {
  if (configured) return;
  configured = true;
  SCIMMY.Config.set({
    patch: { supported: true },
    filter: { supported: true, maxResults: MAX_RESULTS },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: SCIM_BODY_MAX },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'The organisation’s SCIM token, made on its page in Rounds (shown once).',
      },
    ],
  } as never);
  SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser as never, false) as never);
  SCIMMY.Resources.declare(SCIMMY.Resources.Group);
  for (const resource of [
    SCIMMY.Resources.User,
    SCIMMY.Resources.Group,
    SCIMMY.Resources.ResourceType,
    SCIMMY.Resources.Schema,
    SCIMMY.Resources.ServiceProviderConfig,
  ])
    (resource as unknown as { basepath(path: string): void }).basepath(SCIM_BASE);
  SCIMMY.Resources.User.egress(((resource: Resource, ctx: ScimContext) =>
    guarded(() => readUser(ctx, resource.id ?? ''))) as never);
  SCIMMY.Resources.User.ingress(((resource: Resource, instance: Attributes, ctx: ScimContext) =>
    guarded(() => writeUser(ctx, resource.id, instance))) as never);
  SCIMMY.Resources.User.degress(((resource: Resource, ctx: ScimContext) =>
    guarded(() => removeUser(ctx, resource.id ?? ''))) as never);
  SCIMMY.Resources.Group.egress(((resource: Resource, ctx: ScimContext) =>
    guarded(() => readGroup(ctx, resource.id ?? ''))) as never);
  SCIMMY.Resources.Group.ingress(((resource: Resource, instance: Attributes, ctx: ScimContext) =>
    guarded(() => writeGroup(ctx, resource.id, instance))) as never);
  SCIMMY.Resources.Group.degress(((resource: Resource, ctx: ScimContext) =>
    guarded(() => removeGroup(ctx, resource.id ?? ''))) as never);
}

/**
 * SCIMMY turns any error from a handler that is not its own into "404 not found": ours
 * become SCIM errors here, a database outage a 503.
 */
async function guarded<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof SCIMMY.Types.Error) throw error;
    if (error instanceof ConflictError) throw scimError(409, 'uniqueness', error.message);
    if (isDatabaseUnavailable(error)) throw scimError(503, null, 'The database is not answering; try again shortly.');
    throw error;
  }
}

// ---------------------------------------------------------------- Users

function notFound(kind: 'User' | 'Group', id: string): ScimError {
  return scimError(404, null, `${kind} ${id} not found`);
}

function userResource(person: Person, link: repo.ScimUserLink) {
  return {
    id: person.id,
    externalId: link.external_id ?? undefined,
    userName: person.email,
    displayName: person.name,
    name: {
      formatted: person.name,
      givenName: link.given_name ?? undefined,
      familyName: link.family_name ?? undefined,
    },
    emails: [{ value: person.email, type: 'work', primary: true }],
    active: person.deactivated_at === null,
    meta: { created: link.created_at, lastModified: link.updated_at },
  };
}

async function readUser(ctx: ScimContext, id: string) {
  const link = UUID.test(id) ? await repo.findUserLink(ctx.db, id) : undefined;
  if (!link || link.organisation_id !== ctx.organisationId) throw notFound('User', id);
  const [person] = await peopleByIds(ctx.db, [id]);
  if (!person) throw notFound('User', id);
  return userResource(person, link);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The address a userName names, which must be at one of the organisation's verified domains. */
async function addressOf(ctx: ScimContext, userName: unknown): Promise<string> {
  const parsed = emailField.safeParse(userName);
  if (!parsed.success)
    throw scimError(400, 'invalidValue', `userName must be an email address: ${parsed.error.issues[0]?.message}`);
  const domains = await orgRepo.listDomains(ctx.db, ctx.organisationId);
  if (!domains.includes(domainOf(parsed.data)))
    throw scimError(
      400,
      'invalidValue',
      `userName must be an address at one of the organisation’s verified domains (${domains.join(', ') || 'none yet'}).`,
    );
  return parsed.data;
}

/** One name for the account: the display name if it changed, else the given and family names if they changed. */
function nameOf(
  instance: Attributes,
  current: { name: string; given: string | null; family: string | null } | null,
  email: string,
) {
  const name = (instance.name ?? {}) as Attributes;
  const given = text(name.givenName);
  const family = text(name.familyName);
  const display = text(instance.displayName);
  const formatted = text(name.formatted);
  const parts = [given, family].filter(Boolean).join(' ') || null;
  let chosen: string | null;
  // A directory that sends no name at all: the address's local part, until it sends one.
  if (!current) chosen = display ?? formatted ?? parts ?? email.slice(0, email.lastIndexOf('@'));
  else if (display && display !== current.name) chosen = display;
  else if (parts && (given !== current.given || family !== current.family)) chosen = parts;
  else if (formatted && formatted !== current.name) chosen = formatted;
  else chosen = current.name;
  const parsed = nameField.safeParse(chosen ?? '');
  if (!parsed.success) throw scimError(400, 'invalidValue', `The person’s name: ${parsed.error.issues[0]?.message}`);
  return { name: parsed.data, given, family };
}

async function writeUser(ctx: ScimContext, id: string | undefined, instance: Attributes) {
  const email = await addressOf(ctx, instance.userName);
  const active = instance.active !== false;
  const externalId = text(instance.externalId);
  return ctx.db.transaction().execute(async (tx) => {
    const tctx = { ...ctx, db: tx };
    let userId: string;
    if (id === undefined) {
      const { name, given, family } = nameOf(instance, null, email);
      const existing = await findPersonByEmail(tx, email);
      if (existing) {
        // An account at the organisation's domain whose owner confirmed the address joins
        // the directory; anything else with the address is a clash.
        const link = await repo.findUserLink(tx, existing.id);
        if (link || !existing.email_verified_at)
          throw scimError(409, 'uniqueness', `An account with userName ${email} already exists.`);
        userId = existing.id;
      } else {
        const created = await provisionAccount(tx, { email, name });
        if (!created) throw scimError(409, 'uniqueness', `An account with userName ${email} already exists.`);
        userId = created.id;
      }
      await repo.insertUserLink(tx, {
        userId,
        organisationId: ctx.organisationId,
        externalId,
        givenName: given,
        familyName: family,
      });
      await recordAudit(tx, {
        actorId: null,
        action: 'scim.provision',
        target: `user:${userId}`,
        details: { organisationId: ctx.organisationId, adopted: Boolean(existing) },
      });
    } else {
      const current = await readUser(tctx, id);
      userId = id;
      const link = (await repo.findUserLink(tx, id))!;
      const { name, given, family } = nameOf(
        instance,
        {
          name: current.displayName,
          given: link.given_name,
          family: link.family_name,
        },
        email,
      );
      if (!(await updateProvisionedAccount(tx, id, { email, name })))
        throw scimError(409, 'uniqueness', `An account with userName ${email} already exists.`);
      await repo.updateUserLink(tx, id, { externalId, givenName: given, familyName: family });
      if (current.userName !== email || current.displayName !== name)
        await recordAudit(tx, {
          actorId: null,
          action: 'scim.update',
          target: `user:${id}`,
          details: { organisationId: ctx.organisationId, emailChanged: current.userName !== email },
        });
    }
    const change = await setDeactivatedByDirectory(tx, userId, !active);
    if (change.changed)
      await recordAudit(tx, {
        actorId: null,
        action: active ? 'account.reactivate' : 'account.deactivate',
        target: `user:${userId}`,
        details: {
          via: 'scim',
          organisationId: ctx.organisationId,
          ...(active ? {} : { sessionsEnded: change.sessionsEnded }),
        },
      });
    return readUser(tctx, userId);
  });
}

/** DELETE: the account is deactivated (its learning stays) and leaves the directory and its groups' teams. */
async function removeUser(ctx: ScimContext, id: string) {
  await ctx.db.transaction().execute(async (tx) => {
    const tctx = { ...ctx, db: tx };
    await readUser(tctx, id);
    const change = await setDeactivatedByDirectory(tx, id, true);
    const groups = await repo.listGroups(tx, ctx.organisationId, { offset: 0, limit: 10_000 });
    for (const group of groups.groups) await changeMembers(tctx, group, { add: [], remove: [id] });
    await repo.deleteUserLink(tx, ctx.organisationId, id);
    await recordAudit(tx, {
      actorId: null,
      action: 'scim.remove',
      target: `user:${id}`,
      details: { organisationId: ctx.organisationId, sessionsEnded: change.sessionsEnded },
    });
  });
}

// ---------------------------------------------------------------- Groups

async function groupResource(ctx: ScimContext, group: repo.ScimGroupRow) {
  const people = await peopleByIds(ctx.db, await repo.groupMemberIds(ctx.db, group.id));
  return {
    id: group.id,
    externalId: group.external_id ?? undefined,
    displayName: group.display_name,
    members: people.map((person) => ({
      value: person.id,
      display: person.name,
      type: 'User',
      $ref: `${SCIM_BASE}/Users/${person.id}`,
    })),
    meta: { created: group.created_at, lastModified: group.updated_at },
  };
}

async function findGroupOrFail(ctx: ScimContext, id: string) {
  const group = UUID.test(id) ? await repo.findGroup(ctx.db, ctx.organisationId, id) : undefined;
  if (!group) throw notFound('Group', id);
  return group;
}

async function readGroup(ctx: ScimContext, id: string) {
  return groupResource(ctx, await findGroupOrFail(ctx, id));
}

/** The member ids a group names; each must be an account of this organisation's directory. */
async function memberIdsOf(ctx: ScimContext, instance: Attributes): Promise<string[]> {
  const members = Array.isArray(instance.members) ? (instance.members as Attributes[]) : [];
  const ids = [...new Set(members.map((member) => String(member.value ?? '')))];
  for (const id of ids) {
    const link = UUID.test(id) ? await repo.findUserLink(ctx.db, id) : undefined;
    if (!link || link.organisation_id !== ctx.organisationId)
      throw scimError(400, 'invalidValue', `Group member ${id} is not a User of this directory.`);
  }
  return ids;
}

/** Changes a group's members, and the membership of the team it maps to. */
async function changeMembers(ctx: ScimContext, group: repo.ScimGroupRow, change: { add: string[]; remove: string[] }) {
  const added = await repo.addGroupMembers(ctx.db, group.id, change.add);
  const removed = await repo.removeGroupMembers(ctx.db, group.id, change.remove);
  if (group.team_id) {
    for (const userId of added) await addDirectoryMember(ctx.db, group.team_id, userId);
    for (const userId of removed)
      if (!(await repo.inAnotherGroupOfTeam(ctx.db, { teamId: group.team_id, userId, exceptGroupId: group.id })))
        await removeDirectoryMember(ctx.db, group.team_id, userId);
  }
  return { added: added.length, removed: removed.length };
}

async function writeGroup(ctx: ScimContext, id: string | undefined, instance: Attributes) {
  const displayName = text(instance.displayName);
  if (!displayName || displayName.length > 200)
    throw scimError(400, 'invalidValue', 'displayName must be 1 to 200 characters.');
  const externalId = text(instance.externalId);
  return ctx.db.transaction().execute(async (tx) => {
    const tctx = { ...ctx, db: tx };
    const wanted = await memberIdsOf(tctx, instance);
    let group: repo.ScimGroupRow;
    if (id === undefined) {
      const created = await repo.insertGroup(tx, { organisationId: ctx.organisationId, displayName, externalId });
      if (!created) throw scimError(409, 'uniqueness', `A group named ${displayName} already exists.`);
      group = created;
    } else {
      group = await findGroupOrFail(tctx, id);
      if (!(await repo.updateGroup(tx, group.id, { displayName, externalId })))
        throw scimError(409, 'uniqueness', `A group named ${displayName} already exists.`);
    }
    const current = await repo.groupMemberIds(tx, group.id);
    const counts = await changeMembers(tctx, group, {
      add: wanted.filter((userId) => !current.includes(userId)),
      remove: current.filter((userId) => !wanted.includes(userId)),
    });
    await recordAudit(tx, {
      actorId: null,
      action: id === undefined ? 'scim.group-create' : 'scim.group-update',
      target: `organisation:${ctx.organisationId}`,
      details: { groupId: group.id, displayName, membersAdded: counts.added, membersRemoved: counts.removed },
    });
    return groupResource(tctx, (await repo.findGroup(tx, ctx.organisationId, group.id))!);
  });
}

/** DELETE: the group goes, and its members leave the team it mapped to (unless another group keeps them there). */
async function removeGroup(ctx: ScimContext, id: string) {
  await ctx.db.transaction().execute(async (tx) => {
    const tctx = { ...ctx, db: tx };
    const group = await findGroupOrFail(tctx, id);
    await changeMembers(tctx, group, { add: [], remove: await repo.groupMemberIds(tx, group.id) });
    await repo.deleteGroup(tx, group.id);
    await recordAudit(tx, {
      actorId: null,
      action: 'scim.group-delete',
      target: `organisation:${ctx.organisationId}`,
      details: { groupId: group.id, displayName: group.display_name },
    });
  });
}

// ---------------------------------------------------------------- Lists and filters

const FILTERABLE = { Users: ['userName', 'externalId'], Groups: ['displayName', 'externalId'] } as const;

/** The one filter form directories send (`attr eq "value"`), or none; anything else is refused, never guessed at. */
function equalityFilter(resource: 'Users' | 'Groups', filter: unknown): { attribute: string; value: string } | null {
  if (filter === undefined) return null;
  const expressions = (filter as { expression?: unknown }) && Array.from(filter as Iterable<Attributes>);
  const allowed: readonly string[] = FILTERABLE[resource];
  if (expressions.length === 1) {
    const entries = Object.entries(expressions[0]!);
    if (entries.length === 1) {
      const [attribute, comparison] = entries[0]!;
      const match = allowed.find((name) => name.toLowerCase() === attribute.toLowerCase());
      if (
        match &&
        Array.isArray(comparison) &&
        comparison.length === 2 &&
        comparison[0] === 'eq' &&
        typeof comparison[1] === 'string'
      )
        return { attribute: match, value: comparison[1] };
    }
  }
  throw scimError(
    400,
    'invalidFilter',
    `Only ${allowed.map((name) => `${name} eq "…"`).join(' or ')} filters are supported on ${resource}.`,
  );
}

function listResponse(resources: unknown[], total: number, startIndex: number) {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

function pageOf(params: URLSearchParams) {
  const number = (name: string, fallback: number) => {
    const raw = params.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^-?\d{1,9}$/.test(raw)) throw scimError(400, 'invalidValue', `${name} must be a whole number.`);
    return Number(raw);
  };
  // RFC 7644 §3.4.2.4: below 1 means 1; a negative count means 0.
  const startIndex = Math.max(1, number('startIndex', 1));
  const count = Math.min(MAX_RESULTS, Math.max(0, number('count', MAX_RESULTS)));
  return { startIndex, count, offset: startIndex - 1 };
}

async function listUsers(ctx: ScimContext, filter: ReturnType<typeof equalityFilter>, page: ReturnType<typeof pageOf>) {
  let links: repo.ScimUserLink[];
  let total: number;
  if (filter?.attribute === 'userName') {
    const person = await findPersonByEmail(ctx.db, filter.value.trim().toLowerCase());
    const link = person ? await repo.findUserLink(ctx.db, person.id) : undefined;
    const all = link && link.organisation_id === ctx.organisationId ? [link] : [];
    links = all.slice(page.offset, page.offset + page.count);
    total = all.length;
  } else if (filter?.attribute === 'externalId') {
    const all = await repo.userLinksByExternalId(ctx.db, ctx.organisationId, filter.value);
    links = all.slice(page.offset, page.offset + page.count);
    total = all.length;
  } else {
    ({ links, total } = await repo.listUserLinks(ctx.db, ctx.organisationId, {
      offset: page.offset,
      limit: page.count,
    }));
  }
  const people = new Map(
    (
      await peopleByIds(
        ctx.db,
        links.map((link) => link.user_id),
      )
    ).map((p) => [p.id, p]),
  );
  return {
    rows: links.flatMap((link) => {
      const person = people.get(link.user_id);
      return person ? [userResource(person, link)] : [];
    }),
    total,
  };
}

async function listGroups(
  ctx: ScimContext,
  filter: ReturnType<typeof equalityFilter>,
  page: ReturnType<typeof pageOf>,
) {
  const { groups, total } = await repo.listGroups(ctx.db, ctx.organisationId, {
    offset: page.offset,
    limit: page.count,
    ...(filter?.attribute === 'displayName' ? { displayName: filter.value } : {}),
    ...(filter?.attribute === 'externalId' ? { externalId: filter.value } : {}),
  });
  const rows = [];
  for (const group of groups) rows.push(await groupResource(ctx, group));
  return { rows, total };
}

// ---------------------------------------------------------------- HTTP

function scimResponse(status: number, body?: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': SCIM_TYPE, 'cache-control': 'no-store', ...headers },
  });
}

/**
 * An RFC 7644 error body, written here: SCIMMY's ErrorResponse refuses statuses outside
 * its list (405 for a method a resource does not take, 503 for a database outage).
 */
function errorResponse(error: InstanceType<typeof SCIMMY.Types.Error>): Response {
  const status = Number(error.status) || 500;
  const body = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.message,
  };
  return scimResponse(status, body, status === 401 ? { 'www-authenticate': 'Bearer' } : {});
}

/** What a body that is not a JSON object, or does not say it is SCIM, gets. */
async function bodyOf(request: Request): Promise<Attributes> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== SCIM_TYPE && type !== 'application/json')
    throw scimError(400, 'invalidSyntax', `Send the body as ${SCIM_TYPE}.`);
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw scimError(400, 'invalidSyntax', 'The body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw scimError(400, 'invalidSyntax', 'The body must be a JSON object.');
  return body as Attributes;
}

/**
 * Attributes that are in no schema of the resource are refused (SCIMMY would drop them
 * silently, and a mapping that sends them would seem to work while nothing is kept).
 */
function refuseUnknownAttributes(kind: 'Users' | 'Groups', body: Attributes): void {
  const definition =
    kind === 'Users' ? SCIMMY.Resources.User.schema.definition : SCIMMY.Resources.Group.schema.definition;
  const extensions = kind === 'Users' ? [SCIMMY.Schemas.EnterpriseUser.definition.id] : [];
  for (const key of Object.keys(body)) {
    if (key === 'schemas' || key === 'meta' || key === 'id' || extensions.includes(key)) continue;
    try {
      definition.attribute(key);
    } catch {
      throw scimError(400, 'invalidValue', `Unknown attribute “${key}” for ${kind}.`);
    }
  }
}

/**
 * Entra ID sends booleans in PATCH operations as the strings "True" and "False"
 * (its documented behaviour for `active`); they become booleans before SCIMMY checks types.
 */
function entraBooleans(body: Attributes): Attributes {
  if (!Array.isArray(body.Operations)) return body;
  const asBoolean = (value: unknown) =>
    typeof value === 'string' && /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : value;
  return {
    ...body,
    Operations: body.Operations.map((operation: unknown) => {
      if (typeof operation !== 'object' || operation === null) return operation;
      const op = { ...(operation as Attributes) };
      if (typeof op.op === 'string') op.op = op.op.toLowerCase();
      if (typeof op.path === 'string' && op.path.toLowerCase() === 'active') op.value = asBoolean(op.value);
      else if (op.path === undefined && typeof op.value === 'object' && op.value !== null && 'active' in op.value)
        op.value = { ...(op.value as Attributes), active: asBoolean((op.value as Attributes).active) };
      return op;
    }),
  };
}

/** The organisation whose token this request carries, or a 401. */
async function authenticate(db: Kysely<Database>, request: Request): Promise<string> {
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]{16,200}=*)\s*$/i.exec(request.headers.get('authorization') ?? '');
  const organisationId = match ? await repo.organisationOfToken(db, hashSecret(match[1]!)) : undefined;
  if (!organisationId) throw scimError(401, null, 'A valid bearer token is required.');
  return organisationId;
}

/**
 * One SCIM request: `path` is what follows /scim/v2 (e.g. `/Users/…`). Every answer is
 * application/scim+json; every refusal an RFC 7644 error with its status and scimType.
 */
export async function handleScimRequest(db: Kysely<Database>, request: Request, path: string): Promise<Response> {
  configure();
  try {
    const organisationId = await authenticate(db, request);
    const ctx: ScimContext = { db, organisationId };
    const url = new URL(request.url);
    const [kind, id, ...rest] = path.split('/').filter(Boolean);
    const method = request.method.toUpperCase();
    if (rest.length > 0 || (id !== undefined && id.length > 100)) throw scimError(404, null, 'No such resource.');

    if (kind === 'ServiceProviderConfig' && method === 'GET' && !id)
      return scimResponse(200, await new SCIMMY.Resources.ServiceProviderConfig().read());
    if (kind === 'ResourceTypes' && method === 'GET')
      return scimResponse(200, await readWithNotFound(() => new SCIMMY.Resources.ResourceType(id as never).read()));
    if (kind === 'Schemas' && method === 'GET')
      return scimResponse(200, await readWithNotFound(() => new SCIMMY.Resources.Schema(id as never).read()));
    if (kind !== 'Users' && kind !== 'Groups') throw scimError(404, null, 'No such resource.');

    const Resource = (kind === 'Users' ? SCIMMY.Resources.User : SCIMMY.Resources.Group) as unknown as new (
      ...args: unknown[]
    ) => {
      filter?: unknown;
      attributes?: unknown;
      read(ctx: ScimContext): Promise<unknown>;
      write(instance: unknown, ctx: ScimContext): Promise<unknown>;
      patch(message: unknown, ctx: ScimContext): Promise<unknown>;
      dispose(ctx: ScimContext): Promise<void>;
    };
    const params: Record<string, string> = {};
    for (const name of ['attributes', 'excludedAttributes', 'filter'])
      if (url.searchParams.has(name)) params[name] = url.searchParams.get(name)!;
    const schema = kind === 'Users' ? SCIMMY.Schemas.User : SCIMMY.Schemas.Group;
    const location = (resourceId: string) => ({ location: `${url.origin}${SCIM_BASE}/${kind}/${resourceId}` });

    if (method === 'GET' && !id) {
      const resource = new Resource(params);
      const filter = equalityFilter(kind, resource.filter);
      const page = pageOf(url.searchParams);
      const { rows, total } = await guarded<{ rows: unknown[]; total: number }>(() =>
        kind === 'Users' ? listUsers(ctx, filter, page) : listGroups(ctx, filter, page),
      );
      const shaped = rows.map(
        (row) =>
          new (schema as never as new (...a: unknown[]) => unknown)(
            row,
            'out',
            `${SCIM_BASE}/${kind}`,
            resource.attributes,
          ),
      );
      return scimResponse(200, listResponse(shaped, total, page.startIndex));
    }
    if (!id && method === 'POST') {
      const body = await bodyOf(request);
      refuseUnknownAttributes(kind, body);
      const created = (await new Resource(params).write(body, ctx)) as { id: string };
      return scimResponse(201, created, location(created.id));
    }
    if (id && method === 'GET') return scimResponse(200, await new Resource(id, params).read(ctx));
    if (id && method === 'PUT') {
      const body = await bodyOf(request);
      refuseUnknownAttributes(kind, body);
      return scimResponse(200, await new Resource(id, params).write(body, ctx));
    }
    if (id && method === 'PATCH') {
      const body = entraBooleans(await bodyOf(request));
      if (!Array.isArray(body.schemas) || !body.schemas.includes(PATCH_OP))
        throw scimError(400, 'invalidSyntax', `A PATCH body's schemas must be ["${PATCH_OP}"].`);
      const patched = await new Resource(id, params).patch(body, ctx);
      // SCIMMY answers nothing when the operations changed nothing; the resource as it is, then.
      return scimResponse(200, patched ?? (await new Resource(id, params).read(ctx)));
    }
    if (id && method === 'DELETE') {
      await new Resource(id).dispose(ctx);
      return new Response(null, { status: 204 });
    }
    throw scimError(405, null, `${method} is not supported here.`);
  } catch (error) {
    if (error instanceof SCIMMY.Types.Error) return errorResponse(error);
    if (isDatabaseUnavailable(error))
      return errorResponse(scimError(503, null, 'The database is not answering; try again shortly.'));
    // SCIMMY reports a bad query parameter or schema value as a TypeError.
    if (error instanceof TypeError) return errorResponse(scimError(400, 'invalidValue', error.message));
    throw error;
  }
}

async function readWithNotFound(read: () => Promise<unknown>) {
  try {
    return await read();
  } catch (error) {
    if (error instanceof SCIMMY.Types.Error) throw error;
    throw scimError(404, null, 'No such resource.');
  }
}
