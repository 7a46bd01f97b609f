import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';

// Single sign-on: each organisation's provider, sign-ins on their way, linked provider
// accounts and the sessions that began at a provider (decision 0042).

export interface ProviderRow {
  organisation_id: string;
  issuer: string;
  client_id: string;
  client_secret_encrypted: string;
  require_sso: boolean;
  updated_at: Date;
}

const PROVIDER_COLUMNS = [
  'organisation_id',
  'issuer',
  'client_id',
  'client_secret_encrypted',
  'require_sso',
  'updated_at',
] as const;

export function findProvider(db: Executor, organisationId: string): Promise<ProviderRow | undefined> {
  return db
    .selectFrom('sso_providers')
    .select(PROVIDER_COLUMNS)
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
}

/** The provider of the organisation whose verified domain this is, with the organisation's name. */
export function providerForDomain(db: Executor, domain: string) {
  return db
    .selectFrom('organisation_domains as d')
    .innerJoin('sso_providers as p', 'p.organisation_id', 'd.organisation_id')
    .innerJoin('organisations as o', 'o.id', 'd.organisation_id')
    .select(['p.organisation_id', 'p.require_sso', 'o.name'])
    .where('d.domain', '=', domain)
    .executeTakeFirst();
}

export async function upsertProvider(
  db: Executor,
  values: {
    organisationId: string;
    issuer: string;
    clientId: string;
    clientSecretEncrypted: string;
    requireSso: boolean;
    updatedBy: string;
  },
): Promise<void> {
  const row = {
    issuer: values.issuer,
    client_id: values.clientId,
    client_secret_encrypted: values.clientSecretEncrypted,
    require_sso: values.requireSso,
    updated_by: values.updatedBy,
    updated_at: sql<Date>`now()`,
  };
  await db
    .insertInto('sso_providers')
    .values({ organisation_id: values.organisationId, ...row })
    .onConflict((oc) => oc.column('organisation_id').doUpdateSet(row))
    .execute();
}

export async function insertPendingSignIn(
  db: Executor,
  values: {
    stateHash: string;
    organisationId: string;
    codeVerifier: string;
    nonce: string;
    next: string | null;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('sso_pending_sign_ins')
    .values({
      state_hash: values.stateHash,
      organisation_id: values.organisationId,
      code_verifier: values.codeVerifier,
      nonce: values.nonce,
      next_path: values.next,
      expires_at: values.expiresAt,
    })
    .execute();
}

/** Takes a pending sign-in (deletes it and returns it): a second take of the same state finds nothing. */
export function takePendingSignIn(db: Executor, stateHash: string) {
  return db
    .deleteFrom('sso_pending_sign_ins')
    .where('state_hash', '=', stateHash)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['organisation_id', 'code_verifier', 'nonce', 'next_path'])
    .executeTakeFirst();
}

export async function deleteExpiredPendingSignIns(db: Executor): Promise<void> {
  await db
    .deleteFrom('sso_pending_sign_ins')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
}

export async function linkedUser(db: Executor, organisationId: string, subject: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('sso_identities')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return row?.user_id;
}

export async function insertIdentity(
  db: Executor,
  values: { organisationId: string; subject: string; userId: string },
) {
  await db
    .insertInto('sso_identities')
    .values({ organisation_id: values.organisationId, subject: values.subject, user_id: values.userId })
    .onConflict((oc) => oc.columns(['organisation_id', 'subject']).doNothing())
    .execute();
}

export async function insertSsoSession(
  db: Executor,
  values: { sessionId: string; organisationId: string; idToken: string },
): Promise<void> {
  await db
    .insertInto('sso_sessions')
    .values({ session_id: values.sessionId, organisation_id: values.organisationId, id_token: values.idToken })
    .execute();
}

export function findSsoSession(db: Executor, sessionId: string) {
  return db
    .selectFrom('sso_sessions')
    .select(['organisation_id', 'id_token'])
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
}
