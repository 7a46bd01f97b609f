import { sql } from 'kysely';
import type { Executor } from '#server/platform/db.ts';
import type { Certificate, CertificatesTable } from '#db/schema.ts';
import type { Insertable } from 'kysely';
import type { JWK } from 'jose';

export type NewCertificate = Omit<
  Insertable<CertificatesTable>,
  'revoked_at' | 'revoke_reason' | 'replaced_by' | 'holder_erased_at'
>;

/**
 * Inserts the learner's current certificate for a course, or nothing when they already
 * have one: the partial unique index decides, so concurrent completions and retries
 * give exactly one. Returns the row when this call inserted it.
 */
export function insertCurrentCertificate(db: Executor, values: NewCertificate): Promise<Certificate | undefined> {
  return db
    .insertInto('certificates')
    .values(values)
    .onConflict((oc) => oc.columns(['user_id', 'course_slug', 'term']).where('replaced_by', 'is', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Inserts a certificate that replaces another (the old row must already point at it). */
export async function insertReplacement(db: Executor, values: NewCertificate): Promise<Certificate> {
  return db.insertInto('certificates').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findCertificate(db: Executor, id: string): Promise<Certificate | undefined> {
  return db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The learner's current (not replaced) certificate for a course, revoked or not: of one
 * term, or of the latest term they hold one for.
 */
export function currentCertificate(
  db: Executor,
  userId: string,
  courseSlug: string,
  term?: number,
): Promise<Certificate | undefined> {
  let select = db
    .selectFrom('certificates')
    .selectAll()
    .where('user_id', '=', userId)
    .where('course_slug', '=', courseSlug)
    .where('replaced_by', 'is', null);
  if (term !== undefined) select = select.where('term', '=', term);
  return select.orderBy('term', 'desc').limit(1).executeTakeFirst();
}

/** The current (not replaced) certificates of a learner, newest first; revoked ones included. */
export function currentCertificatesOfUser(db: Executor, userId: string): Promise<Certificate[]> {
  return db
    .selectFrom('certificates')
    .selectAll()
    .where('user_id', '=', userId)
    .where('replaced_by', 'is', null)
    .orderBy('issued_at', 'desc')
    .execute();
}

export interface CertificateWithHolder extends Certificate {
  holder_email: string;
  holder_current_name: string;
  holder_email_verified_at: Date | null;
}

/** For administrators: by exact code, or by part of the holder's name (as issued or now) or email. Newest first. */
export function searchCertificates(
  db: Executor,
  query: { code?: string; text?: string },
  limit = 50,
): Promise<CertificateWithHolder[]> {
  let select = db
    .selectFrom('certificates')
    .innerJoin('users', 'users.id', 'certificates.user_id')
    .selectAll('certificates')
    .select([
      'users.email as holder_email',
      'users.name as holder_current_name',
      'users.email_verified_at as holder_email_verified_at',
    ])
    .orderBy('certificates.issued_at', 'desc')
    .limit(limit);
  if (query.code) select = select.where('certificates.code', '=', query.code);
  else if (query.text) {
    const pattern = `%${query.text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    select = select.where((eb) =>
      eb.or([
        eb('certificates.holder_name', 'ilike', pattern),
        eb('users.name', 'ilike', pattern),
        eb('users.email', 'ilike', pattern),
      ]),
    );
  }
  return select.execute();
}

export function findCertificateWithHolder(db: Executor, id: string): Promise<CertificateWithHolder | undefined> {
  return db
    .selectFrom('certificates')
    .innerJoin('users', 'users.id', 'certificates.user_id')
    .selectAll('certificates')
    .select([
      'users.email as holder_email',
      'users.name as holder_current_name',
      'users.email_verified_at as holder_email_verified_at',
    ])
    .where('certificates.id', '=', id)
    .executeTakeFirst();
}

/**
 * A certificate's renewal links (decision 0041): the previous term's certificate it renews,
 * and the current certificate of the next term that renews it.
 */
export async function renewalLinks(db: Executor, row: Pick<Certificate, 'id' | 'renews'>) {
  const [renews, renewedBy] = await Promise.all([
    row.renews
      ? db.selectFrom('certificates').select(['id', 'code']).where('id', '=', row.renews).executeTakeFirst()
      : undefined,
    db
      .selectFrom('certificates')
      .select(['id', 'code'])
      .where('renews', '=', row.id)
      .where('replaced_by', 'is', null)
      .orderBy('issued_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return { renews: renews ?? null, renewedBy: renewedBy ?? null };
}

/** Revokes a current, not yet revoked certificate; undefined when it is not one. */
export function markRevoked(db: Executor, id: string, reason: string): Promise<Certificate | undefined> {
  return db
    .updateTable('certificates')
    .set({ revoked_at: sql<Date>`now()`, revoke_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('replaced_by', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Points a current certificate at its replacement; undefined when it was replaced already. */
export function markReplaced(db: Executor, id: string, replacementId: string): Promise<Certificate | undefined> {
  return db
    .updateTable('certificates')
    .set({ replaced_by: replacementId })
    .where('id', '=', id)
    .where('replaced_by', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Current, unrevoked certificates per course held by the event's enrolled people, earned since they enrolled. */
export async function certificatesIssuedForEvent(
  db: Executor,
  eventId: string,
  courseSlugs: string[],
): Promise<Map<string, number>> {
  if (courseSlugs.length === 0) return new Map();
  const rows = await db
    .selectFrom('certificates')
    .innerJoin('event_enrollments', 'event_enrollments.user_id', 'certificates.user_id')
    .select(['certificates.course_slug', (eb) => eb.fn.countAll<number>().as('issued')])
    .where('event_enrollments.event_id', '=', eventId)
    .where('certificates.course_slug', 'in', courseSlugs)
    .where('certificates.replaced_by', 'is', null)
    .where('certificates.revoked_at', 'is', null)
    // Earned since joining: no certificate for the course (a reissued one's first included) before enrolment.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('certificates as earlier')
            .select('earlier.id')
            .whereRef('earlier.user_id', '=', 'certificates.user_id')
            .whereRef('earlier.course_slug', '=', 'certificates.course_slug')
            .whereRef('earlier.issued_at', '<', 'event_enrollments.enrolled_at'),
        ),
      ),
    )
    .groupBy('certificates.course_slug')
    .execute();
  return new Map(rows.map((row) => [row.course_slug, Number(row.issued)]));
}

// ---------------------------------------------------------------- revocation status lists

/** Every certificate ever issued, erased holders' included: it decides which list a new one joins. */
export async function countCertificates(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('certificates')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The newest list any certificate points at (0 when none was issued). */
export async function lastStatusList(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('certificates')
    .select((eb) => eb.fn.max('status_list').as('list'))
    .executeTakeFirst();
  return Number(row?.list ?? 0);
}

export async function revokedIndexes(db: Executor, list: number): Promise<number[]> {
  const rows = await db
    .selectFrom('certificates')
    .select('status_index')
    .where('status_list', '=', list)
    .where('revoked_at', 'is not', null)
    .execute();
  return rows.map((row) => row.status_index);
}

/** Serialises re-signing one list, so two revocations at once both end up in it (inside a transaction). */
export async function lockStatusList(db: Executor, list: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('rounds.status-list'), ${list})`.execute(db);
}

export function findStatusList(db: Executor, list: number) {
  return db.selectFrom('certificate_status_lists').selectAll().where('list', '=', list).executeTakeFirst();
}

/** Stores a freshly signed list; `replace` false keeps one stored meanwhile (a revocation's is newer). */
export async function saveStatusList(db: Executor, list: number, jwt: string, replace: boolean): Promise<void> {
  await db
    .insertInto('certificate_status_lists')
    .values({ list, credential_jwt: jwt, signed_at: sql<Date>`now()` })
    .onConflict((oc) =>
      replace
        ? oc.column('list').doUpdateSet({ credential_jwt: jwt, signed_at: sql<Date>`now()` })
        : oc.column('list').doNothing(),
    )
    .execute();
}

/** Revoked certificates of a course whose holder deleted their account: their salted email hashes. */
export function revokedErasedHolders(db: Executor, courseSlug: string) {
  return db
    .selectFrom('certificates')
    .select(['holder_email_hash', 'holder_email_salt'])
    .where('course_slug', '=', courseSlug)
    .where('holder_erased_at', 'is not', null)
    .where('revoked_at', 'is not', null)
    .where('replaced_by', 'is', null)
    .where('holder_email_hash', 'is not', null)
    .execute();
}

// ---------------------------------------------------------------- signing keys

export interface StoredSigningKey {
  kid: string;
  publicJwk: JWK;
  privateJwk: JWK;
  createdAt: Date;
  retiredAt: Date | null;
}

// jsonb arrives parsed from pg and PGlite alike; a string only if a driver changes its mind.
const jwk = (value: unknown): JWK => (typeof value === 'string' ? (JSON.parse(value) as JWK) : (value as JWK));

function toKey(row: {
  kid: string;
  public_jwk: unknown;
  private_jwk: unknown;
  created_at: Date;
  retired_at: Date | null;
}): StoredSigningKey {
  return {
    kid: row.kid,
    publicJwk: jwk(row.public_jwk),
    privateJwk: jwk(row.private_jwk),
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}

/** Serialises key creation and rotation across processes (inside a transaction). */
export async function lockSigningKeys(db: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('rounds.signing-keys'))`.execute(db);
}

/** The newest key that still signs. */
export async function activeSigningKey(db: Executor): Promise<StoredSigningKey | undefined> {
  const row = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .limit(1)
    .executeTakeFirst();
  return row ? toKey(row) : undefined;
}

/** Every key, oldest first: all of them verify. */
export async function allSigningKeys(db: Executor): Promise<StoredSigningKey[]> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
  return rows.map(toKey);
}

export async function insertSigningKey(
  db: Executor,
  key: { kid: string; publicJwk: JWK; privateJwk: JWK },
): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({ kid: key.kid, public_jwk: JSON.stringify(key.publicJwk), private_jwk: JSON.stringify(key.privateJwk) })
    .execute();
}

/** Stops every key but `kid` from signing; their public halves stay published. */
export async function retireSigningKeysExcept(db: Executor, kid: string): Promise<number> {
  const result = await db
    .updateTable('signing_keys')
    .set({ retired_at: sql<Date>`now()` })
    .where('kid', '!=', kid)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * For the organisation report: per team, how many current certificates (not revoked, not
 * replaced) of the people it counts (members, and leaders who learn with it) expire
 * in [from, to). Teams with none are left out.
 */
export async function expiringCertificatesByTeam(
  db: Executor,
  teamIds: string[],
  window: { from: Date; to: Date },
): Promise<Map<string, number>> {
  if (teamIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('certificates as c', 'c.user_id', 'm.user_id')
    .select(['m.team_id', (eb) => eb.fn.count<string>('c.id').distinct().as('n')])
    .where('m.team_id', 'in', teamIds)
    .where((eb) => eb.or([eb('m.role', '=', 'member'), eb('m.learns_with_team', '=', true)]))
    .where('c.revoked_at', 'is', null)
    .where('c.replaced_by', 'is', null)
    .where('c.expires_at', '>=', window.from)
    .where('c.expires_at', '<', window.to)
    .groupBy('m.team_id')
    .execute();
  return new Map(rows.map((row) => [row.team_id, Number(row.n)]));
}
