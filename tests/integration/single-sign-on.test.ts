// OpenID Connect single sign-on per organisation (decision 0042), against a real OpenID
// Provider started here (oidc-provider): settings with the secret encrypted and never shown
// back, who may change them, the sign-in with just-in-time accounts and linking, every
// refusal the issue lists (wrong state, replayed code, wrong audience, expired token, nonce
// mismatch, unverified email), "require SSO" with the administrators' audited break-glass,
// and the provider's sign-out.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PublicUser } from '#server/kernel/context.ts';
import { FieldError, NotFoundError } from '#server/kernel/errors.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import * as accounts from '#server/accounts/accounts.ts';
import { hashPassword } from '#server/accounts/passwords.ts';
import { createUser, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import { validateSessionToken } from '#server/accounts/sessions.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import * as organisations from '#server/organisations/organisations.ts';
import * as teams from '#server/teams/teams.ts';
import * as sso from '#server/sso/sso.ts';
import { caught } from '../support/caught.ts';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { freePort } from '../support/ports.ts';
import { startTestOp, subjectOf, UNVERIFIED_PREFIX, type TestOp } from '../support/oidc-op.ts';

// Read lazily by settings(): set before the first test.
process.env.SECRETS_KEY ??= randomBytes(32).toString('base64');

const catalog = testCatalog();
const PASSWORD = 'violet harbour tractor quilt 92';
const request = { ip: '203.0.113.40', userAgent: 'test' };
let database: RoundsDatabase;
let op: TestOp;
let siteAdmin: PublicUser;
let counter = 0;

const ctx = (user: PublicUser) => ({ db: database.db, catalog, user });

async function person(email: string, options: { admin?: boolean; confirmed?: boolean } = {}): Promise<PublicUser> {
  const created = await createUser(database.db, {
    email,
    name: email.split('@')[0]!,
    passwordHash: await hashPassword(PASSWORD),
  });
  if (options.confirmed !== false) await markEmailVerified(database.db, created!.id, email);
  await database.db
    .updateTable('users')
    .set({ is_admin: options.admin ?? false })
    .where('id', '=', created!.id)
    .execute();
  return (await findUserById(database.db, created!.id))!;
}

/** An organisation with a verified domain, an administrator at it, and the test provider connected. */
async function organisation(options: { connect?: boolean; requireSso?: boolean } = {}) {
  counter += 1;
  const domain = `hospital-${counter}-${Math.random().toString(36).slice(2, 6)}.org`;
  const { organisationId } = await organisations.createOrganisation(ctx(siteAdmin), {
    name: `Hospital ${domain}`,
    parentId: null,
  });
  await organisations.addDomain(ctx(siteAdmin), { organisationId, domain });
  const admin = await person(`admin@${domain}`);
  await organisations.addOrganisationAdmin(ctx(siteAdmin), { organisationId, email: admin.email });
  if (options.connect !== false)
    await sso.saveSsoSettings(ctx(admin), {
      organisationId,
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: op.clientSecret,
      requireSso: options.requireSso ?? false,
    });
  return { organisationId, domain, admin };
}

/** The whole round trip: Rounds sends the browser to the provider, `login` signs in there, the browser comes back. */
async function signInThroughProvider(organisationId: string, login: string) {
  const { url, state } = await sso.beginSsoSignIn(database.db, { organisationId, email: login, next: '/courses' });
  const callbackUrl = await op.signInAt(url, login);
  return { callbackUrl, state };
}

function finish(callbackUrl: URL, stateCookie: string | undefined) {
  return sso.finishSsoSignIn(database.db, { callbackUrl, stateCookie, userAgent: 'test' });
}

async function userIdsWithEmail(email: string) {
  const rows = await database.db.selectFrom('users').select('id').where('email', '=', email).execute();
  return rows.map((row) => row.id);
}

beforeAll(async () => {
  database = await freshDatabase();
  siteAdmin = await person(uniqueEmail('site-admin'), { admin: true });
  op = await startTestOp({ port: await freePort(), redirectUri: sso.redirectUri() });
});
afterAll(async () => {
  await op?.close();
  await database?.close();
});
beforeEach(() => op.tamperIdTokens(undefined));

describe('settings', () => {
  it('stores the client secret encrypted, never shows it back, and audits the change without it', async () => {
    const { organisationId, admin, domain } = await organisation();
    const row = await database.db
      .selectFrom('sso_providers')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow();
    expect(row.client_secret_encrypted).not.toContain(op.clientSecret);
    expect(row.client_secret_encrypted).toMatch(/^v1\./);
    const shown = await sso.ssoSettings(ctx(admin), organisationId);
    expect(shown).toMatchObject({ issuer: op.issuer, clientId: op.clientId, hasSecret: true, requireSso: false });
    expect(JSON.stringify(shown)).not.toContain(op.clientSecret);
    const entries = (await listAuditEntries(database.db, { limit: 200 })).filter(
      (entry) => entry.target === `organisation:${organisationId}` && entry.action === 'organisation.save-sso',
    );
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries[0])).not.toContain(op.clientSecret);

    // An empty secret keeps the stored one: the next sign-in still works.
    await sso.saveSsoSettings(ctx(admin), {
      organisationId,
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: '',
      requireSso: false,
    });
    const { callbackUrl, state } = await signInThroughProvider(organisationId, `kept@${domain}`);
    expect((await finish(callbackUrl, state)).token).toBeTruthy();
  });

  it('refuses an issuer that is not an OpenID Provider, beside the field', async () => {
    const { organisationId, admin } = await organisation({ connect: false });
    const error = await caught(
      sso.saveSsoSettings(ctx(admin), {
        organisationId,
        issuer: `http://127.0.0.1:${await freePort()}`,
        clientId: 'x',
        clientSecret: 'y',
        requireSso: false,
      }),
    );
    expect(error).toBeInstanceOf(FieldError);
    expect((error as FieldError).field).toBe('issuer');
  });

  it('cannot be read or changed by a team leader, another organisation’s administrator or anyone else', async () => {
    const { organisationId } = await organisation();
    const other = await organisation();
    const leader = await person(uniqueEmail('leader'));
    const { teamId } = await teams.createTeam(ctx(leader), { name: `Ward ${counter}`, description: '' });
    await organisations.addOrganisationTeam(ctx(siteAdmin), { organisationId, teamId });
    const change = { organisationId, issuer: op.issuer, clientId: 'evil', clientSecret: 'evil', requireSso: true };
    for (const stranger of [leader, other.admin, await person(uniqueEmail('nobody'))]) {
      expect(await caught(sso.ssoSettings(ctx(stranger), organisationId))).toBeInstanceOf(NotFoundError);
      expect(await caught(sso.saveSsoSettings(ctx(stranger), change))).toBeInstanceOf(NotFoundError);
    }
    const row = await database.db
      .selectFrom('sso_providers')
      .select(['client_id', 'require_sso'])
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ client_id: op.clientId, require_sso: false });
    // A site administrator may.
    await sso.saveSsoSettings(ctx(siteAdmin), { ...change, clientId: op.clientId, clientSecret: '' });
  });
});

describe('signing in through the provider', () => {
  it('creates the account on the first sign-in (name and confirmed email from the claims), and finds it again on the second', async () => {
    const { organisationId, domain } = await organisation();
    const email = `nia@${domain}`;
    expect(await sso.ssoForEmail(database.db, email)).toMatchObject({ organisationId, required: false });
    const first = await signInThroughProvider(organisationId, email);
    expect(first.callbackUrl.href.startsWith(sso.redirectUri())).toBe(true);
    const signedIn = await finish(first.callbackUrl, first.state);
    expect(signedIn.next).toBe('/courses');
    const session = await validateSessionToken(database.db, signedIn.token);
    expect(session?.user).toMatchObject({ email, name: 'Nurse nia' });
    expect(session?.user.email_verified_at).not.toBeNull();

    const second = await signInThroughProvider(organisationId, email);
    const again = await validateSessionToken(database.db, (await finish(second.callbackUrl, second.state)).token);
    expect(again?.user.id).toBe(session?.user.id);
    expect(await userIdsWithEmail(email)).toHaveLength(1);
  });

  it('links an existing password account with the same confirmed address instead of making a second one', async () => {
    const { organisationId, domain } = await organisation();
    const existing = await person(`omar@${domain}`);
    const { callbackUrl, state } = await signInThroughProvider(organisationId, existing.email);
    const session = await validateSessionToken(database.db, (await finish(callbackUrl, state)).token);
    expect(session?.user.id).toBe(existing.id);
    expect(await userIdsWithEmail(existing.email)).toEqual([existing.id]);
    const link = await database.db
      .selectFrom('sso_identities')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .executeTakeFirstOrThrow();
    expect(link).toMatchObject({ subject: subjectOf(existing.email), user_id: existing.id });
    // The password still works: linking changes nothing else.
    await accounts.signIn(database.db, { email: existing.email, password: PASSWORD }, request);
  });

  it('refuses an answer whose state is not the one this browser was given', async () => {
    const { organisationId, domain } = await organisation();
    const { callbackUrl, state } = await signInThroughProvider(organisationId, `state@${domain}`);
    expect(await caught(finish(callbackUrl, `${state}x`))).toBeInstanceOf(sso.SsoRefusal);
    expect(await caught(finish(callbackUrl, undefined))).toBeInstanceOf(sso.SsoRefusal);
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'made-up');
    expect(await caught(finish(forged, 'made-up'))).toBeInstanceOf(sso.SsoRefusal);
    expect(await userIdsWithEmail(`state@${domain}`)).toEqual([]);
  });

  it('refuses a replayed answer (the same code and state twice)', async () => {
    const { organisationId, domain } = await organisation();
    const { callbackUrl, state } = await signInThroughProvider(organisationId, `replay@${domain}`);
    await finish(callbackUrl, state);
    expect(await caught(finish(callbackUrl, state))).toBeInstanceOf(sso.SsoRefusal);
  });

  it.each([
    ['a wrong audience', (claims: Record<string, unknown>) => ({ ...claims, aud: 'someone-else' })],
    [
      'an expired ID token',
      (claims: Record<string, unknown>) => ({
        ...claims,
        iat: Math.floor(Date.now() / 1000) - 7200,
        exp: Math.floor(Date.now() / 1000) - 3600,
      }),
    ],
    ['a nonce mismatch', (claims: Record<string, unknown>) => ({ ...claims, nonce: 'not-the-one-sent' })],
    ['another issuer', (claims: Record<string, unknown>) => ({ ...claims, iss: 'https://idp.example' })],
  ])('refuses an ID token with %s (signed with the provider’s own key)', async (_what, change) => {
    const { organisationId, domain } = await organisation();
    const email = `tampered-${counter}@${domain}`;
    op.tamperIdTokens(change);
    const { callbackUrl, state } = await signInThroughProvider(organisationId, email);
    expect(await caught(finish(callbackUrl, state))).toBeInstanceOf(sso.SsoRefusal);
    expect(await userIdsWithEmail(email)).toEqual([]);
    // The same provider untouched: the sign-in works (the refusal was the claim, not the set-up).
    op.tamperIdTokens(undefined);
    const retry = await signInThroughProvider(organisationId, email);
    expect((await finish(retry.callbackUrl, retry.state)).token).toBeTruthy();
  });

  it('an unverified email claim neither links an existing account nor confirms a new one', async () => {
    const { organisationId, domain } = await organisation();
    const existing = await person(`ruth@${domain}`);
    const refused = await signInThroughProvider(organisationId, `${UNVERIFIED_PREFIX}${existing.email}`);
    expect(await caught(finish(refused.callbackUrl, refused.state))).toBeInstanceOf(sso.SsoRefusal);
    expect(
      await database.db.selectFrom('sso_identities').select('user_id').where('user_id', '=', existing.id).execute(),
    ).toEqual([]);

    const fresh = await signInThroughProvider(organisationId, `${UNVERIFIED_PREFIX}sam@${domain}`);
    const session = await validateSessionToken(database.db, (await finish(fresh.callbackUrl, fresh.state)).token);
    expect(session?.user.email).toBe(`sam@${domain}`);
    expect(session?.user.email_verified_at).toBeNull();
  });

  it('refuses an address outside the organisation’s verified domains', async () => {
    const { organisationId } = await organisation();
    const victim = await person(uniqueEmail('victim'));
    const { callbackUrl, state } = await signInThroughProvider(organisationId, victim.email);
    expect(await caught(finish(callbackUrl, state))).toBeInstanceOf(sso.SsoRefusal);
    expect(
      await database.db.selectFrom('sso_identities').select('user_id').where('user_id', '=', victim.id).execute(),
    ).toEqual([]);
  });
});

describe('require single sign-on', () => {
  it('turns password sign-in off for the domain; a site administrator’s break-glass sign-in is audit-logged', async () => {
    const { organisationId, domain } = await organisation({ requireSso: true });
    expect(await sso.ssoForEmail(database.db, `x@${domain}`)).toMatchObject({ organisationId, required: true });
    const nurse = await person(`tired@${domain}`);
    const required = { ssoRequired: { organisationId } };
    expect(
      await caught(accounts.signIn(database.db, { email: nurse.email, password: PASSWORD }, request, required)),
    ).toBeInstanceOf(accounts.UseSingleSignOn);
    // A wrong password is still just a wrong password.
    expect(
      await caught(accounts.signIn(database.db, { email: nurse.email, password: 'wrong' }, request, required)),
    ).toBeInstanceOf(FieldError);

    const admin = await person(`it-desk@${domain}`, { admin: true });
    const { token } = await accounts.signIn(database.db, { email: admin.email, password: PASSWORD }, request, required);
    expect(await validateSessionToken(database.db, token)).not.toBeNull();
    const entries = await listAuditEntries(database.db, { limit: 200 });
    expect(entries.find((entry) => entry.target === `user:${admin.id}`)?.action).toBe('account.sso-break-glass');
  });
});

describe('signing out', () => {
  it('offers the provider’s own sign-out (RP-initiated) for a session that began there, and nothing for a password session', async () => {
    const { organisationId, domain } = await organisation();
    const { callbackUrl, state } = await signInThroughProvider(organisationId, `leaving@${domain}`);
    const { session } = await finish(callbackUrl, state);
    const url = new URL((await sso.providerSignOutUrl(database.db, session.id))!);
    expect(url.origin).toBe(op.issuer);
    expect(url.searchParams.get('id_token_hint')).toBeTruthy();
    const other = await person(uniqueEmail('password'));
    const passwordSession = await accounts.signIn(database.db, { email: other.email, password: PASSWORD }, request);
    expect(await sso.providerSignOutUrl(database.db, passwordSession.session.id)).toBeUndefined();
  });
});
