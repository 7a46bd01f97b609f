import { summarizeCourse } from '#lib/course-progress.ts';
import { requireAdmin, type PublicUser, type RequestContext } from '#server/kernel/context.ts';
import type { Kysely } from 'kysely';
import type { Certificate, Database, LessonProgress } from '#db/schema.ts';
import type { CatalogCourse } from '#lib/catalog.ts';
import * as repo from './repo.ts';
import { findUserById } from '#server/accounts/index.ts';
import { latestTerms, progressOfUser, progressOnce } from '#server/progress/index.ts';
import { renewedCertificateExpiry } from '#lib/renewal-rules.ts';
import { recordAudit } from '#server/audit/index.ts';
import { certificateCredit, recordAttestation, type CreditActivity } from '#server/credit/index.ts';
import { CREDIT_TYPE_LABELS, isEventActivityKey, type CreditType } from '#lib/credit-rules.ts';
import { settings } from '#server/platform/settings.ts';

import { formatCertificateDate, formatContactHours, renderCertificatePdf, unsupportedCharacters } from './pdf.ts';
import { buildOpenBadgeCredential, emailIdentityHash, generateIdentitySalt, signCredential } from './credentials.ts';
import { signingKey } from './signing-keys.ts';
import { buildStatusListCredential, drawStatusEntry, signStatusList, statusListUrl } from './status-list.ts';
import { lessonsNeedingTime, listTitles } from '#lib/lesson-time.ts';
import {
  addMonths,
  certificateStatus,
  CERTIFICATE_ID,
  linkedInAddUrl,
  newCertificateCode,
  newCertificateId,
  normalizeCertificateCode,
  type CertificateStatus,
} from '#lib/certificate-rules.ts';
import { dateIn, serverTimeZone } from '#lib/team-rules.ts';
import { ConflictError, NotFoundError } from '#server/kernel/errors.ts';

// Certificates: issued when a course is complete, one current per learner and course
// (db/migrations/2026-11-26T1930-certificates.ts), each with a PDF, a public
// verification page and an Open Badges 3.0 credential signed at issuance.

// ---------------------------------------------------------------- issuance

type Blocker = { kind: 'unconfirmed-email' } | { kind: 'unprintable-name'; characters: string[] };

/**
 * What stops a certificate being issued to this person now. The credential identifies the
 * holder by email, so the address must be confirmed theirs; the PDF prints the name, so
 * the certificate font must have every character of it.
 */
function issueBlocker(user: Pick<PublicUser, 'name' | 'email_verified_at'>): Blocker | undefined {
  if (!user.email_verified_at) return { kind: 'unconfirmed-email' };
  const characters = unsupportedCharacters(user.name);
  return characters.length > 0 ? { kind: 'unprintable-name', characters } : undefined;
}

const quoted = (characters: string[]) => characters.map((c) => `“${c}”`).join(' ');

/** Why a learner who completed a course has no certificate yet, in their words; undefined when nothing stops it. */
export function heldReason(user: Pick<PublicUser, 'name' | 'email_verified_at'>): string | undefined {
  const blocker = issueBlocker(user);
  if (blocker?.kind === 'unconfirmed-email') {
    return 'Your certificate is waiting for you to confirm your email address: open the link we sent you (Account can send it again), then press “Issue my certificate” under Certificates.';
  }
  if (blocker?.kind === 'unprintable-name') {
    return `Your certificate is waiting: your name as entered, “${user.name}”, has characters the certificate cannot print (${quoted(blocker.characters)}). Under Account, write your name in Latin, Greek or Cyrillic letters as it should appear on the certificate, then press “Issue my certificate” under Certificates.`;
  }
  return undefined;
}

/** The same, in an administrator's words (for a reissue). */
function reissueBlocked(holder: Pick<PublicUser, 'name' | 'email_verified_at'>): string | undefined {
  const blocker = issueBlocker(holder);
  if (blocker?.kind === 'unconfirmed-email')
    return 'The holder has not confirmed their email address; a new credential needs a confirmed address.';
  if (blocker?.kind === 'unprintable-name')
    return `The holder's name “${holder.name}” has characters the certificate cannot print (${quoted(blocker.characters)}); they need to change it under Account first.`;
  return undefined;
}

/**
 * The completed lessons of a course whose recorded time is too short for the contact
 * hours the certificate states (decision 0024). A course without contact hours has none.
 */
function lessonsTooQuick(course: CatalogCourse, progress: LessonProgress[]) {
  if (course.contactHours <= 0) return [];
  const seconds = new Map(
    progress.filter((row) => row.course_slug === course.slug).map((row) => [row.lesson_slug, row.seconds_spent]),
  );
  return lessonsNeedingTime(course.lessons, seconds, settings().LESSON_TIME_FLOOR);
}

/** A revoked certificate of this course, issued to this address under an account since deleted. */
async function revokedUnderDeletedAccount(db: Kysely<Database>, email: string, courseSlug: string) {
  const rows = await repo.revokedErasedHolders(db, courseSlug);
  return rows.some((row) => row.holder_email_hash === emailIdentityHash(email, row.holder_email_salt));
}

/** Why this learner's certificate for a completed course waits, in their words; undefined when nothing stops it. */
async function courseHeldReason(
  db: Kysely<Database>,
  user: PublicUser,
  course: CatalogCourse,
  progress: LessonProgress[],
): Promise<string | undefined> {
  const personal = heldReason(user);
  if (personal) return personal;
  if (await revokedUnderDeletedAccount(db, user.email, course.slug)) {
    const contact = settings().ORGANIZATION_EMAIL ? ` at ${settings().ORGANIZATION_EMAIL}` : '';
    return `A certificate for “${course.title}” issued to this email address was revoked, so we cannot issue a new one here. If you think this is a mistake, please contact ${settings().ORGANIZATION_NAME}${contact}.`;
  }
  const quick = lessonsTooQuick(course, progress);
  if (quick.length === 0) {
    // A credit activity's certificate waits for the post-test, the evaluation and the attestation.
    const credit = await certificateCredit(db, user.id, course);
    return credit.state === 'pending' ? credit.reason : undefined;
  }
  const one = quick.length === 1;
  return `Your certificate for “${course.title}” is waiting, and your completion is saved. The certificate states ${formatContactHours(course.contactHours)} contact hours, and the time we recorded in ${one ? 'the lesson' : 'the lessons'} ${listTitles(quick.map((l) => l.title))} is shorter than ${one ? 'it takes' : 'they take'} to work through. Please spend a little more time with ${one ? 'it' : 'each of them'}: open ${one ? 'it' : 'each'} again, read it through, and press “Mark complete” again at the end. The certificate follows.`;
}

export type IssueOutcome =
  { course: CatalogCourse; certificate: Certificate } | { course: CatalogCourse; held: string };

/**
 * Issues a certificate for every course the learner has completed and has none for.
 * Safe to call at any time, concurrently and repeatedly: the database keeps one
 * current certificate per learner and course. Returns each completed course's state.
 */
export async function issueEarnedCertificates({
  db,
  catalog,
  user: { id: userId },
}: RequestContext): Promise<IssueOutcome[]> {
  // The account is read afresh: the name printed is the one saved now, not when the session began.
  const [user, progress, current, terms] = await Promise.all([
    findUserById(db, userId),
    progressOfUser(db, userId),
    repo.currentCertificatesOfUser(db, userId),
    latestTerms(db, userId),
  ]);
  if (!user) return [];
  const completed = catalog.courses.map((course) => summarizeCourse(course, progress)).filter((p) => p.complete);
  const outcomes: IssueOutcome[] = [];
  for (const { course, completedAt } of completed) {
    // A renewal is a new term of the course, with a certificate of its own (decision 0041).
    const term = terms.find((t) => t.course_slug === course.slug)?.term ?? 1;
    const existing = current.find((row) => row.course_slug === course.slug && row.term === term);
    const held = existing ? undefined : await courseHeldReason(db, user, course, progress);
    if (existing) outcomes.push({ course, certificate: existing });
    else if (held) outcomes.push({ course, held });
    else outcomes.push({ course, certificate: await issue(db, user, course, completedAt!, term) });
  }
  return outcomes;
}

/** The certificate of one completed course: the current one, else issued now (once). */
export async function issueCourseCertificate(
  { db, user: { id: userId } }: RequestContext,
  course: CatalogCourse,
  completedAt: Date,
): Promise<IssueOutcome> {
  const term = (await latestTerms(db, userId)).find((t) => t.course_slug === course.slug)?.term ?? 1;
  const existing = await repo.currentCertificate(db, userId, course.slug, term);
  if (existing) return { course, certificate: existing };
  const user = await findUserById(db, userId);
  if (!user) throw new Error(`No user ${userId}`);
  const held = await courseHeldReason(db, user, course, await progressOfUser(db, userId));
  return held ? { course, held } : { course, certificate: await issue(db, user, course, completedAt, term) };
}

interface Completion {
  courseSlug: string;
  courseTitle: string;
  courseVersion: string;
  courseDescription: string;
  /** 'YYYY-MM-DD', the deployment's calendar date. */
  completedOn: string;
  contactHours: number;
  expiresAt: Date | null;
  /** Continuing-education credit the learner attested to; null on a completion certificate. */
  credit: IssuedCredit | null;
  /** The course term (1, then 2, 3, ... for renewals) and the previous term's certificate it renews. */
  term: number;
  renews: string | null;
}

interface IssuedCredit {
  type: string;
  typeLabel: string;
  hours: number;
  activityId: string;
  statement: string;
  /** The continuing-education provider that awards it, printed as the certificate's provider. */
  providerName: string;
}

async function issue(
  db: Kysely<Database>,
  user: PublicUser,
  course: CatalogCourse,
  completedAt: Date,
  term: number,
): Promise<Certificate> {
  // A renewal names the previous term's certificate, and its term runs on from that one's
  // expiry when it came by then (decision 0041).
  const previous = term > 1 ? await repo.currentCertificate(db, user.id, course.slug, term - 1) : undefined;
  return issueCompletion(db, user, {
    courseSlug: course.slug,
    courseTitle: course.title,
    courseVersion: course.version,
    courseDescription: course.description,
    completedOn: dateIn(serverTimeZone(), completedAt),
    contactHours: course.contactHours,
    expiresAt: course.recertifyMonths
      ? previous
        ? renewedCertificateExpiry(completedAt, course.recertifyMonths, previous.expires_at)
        : addMonths(completedAt, course.recertifyMonths)
      : null,
    credit: await issuedCredit(db, user.id, course),
    term,
    renews: previous?.id ?? null,
  });
}

async function issueCompletion(db: Kysely<Database>, user: PublicUser, completion: Completion): Promise<Certificate> {
  for (let attempt = 0; ; attempt++) {
    const values = await newCertificate(db, user, completion);
    try {
      const inserted = await repo.insertCurrentCertificate(db, values);
      // Nothing inserted: a concurrent completion or a retry issued it first; that one stands.
      return inserted ?? (await repo.currentCertificate(db, user.id, completion.courseSlug, completion.term))!;
    } catch (error) {
      // Else the random code or status-list index was taken: draw again.
      if (!isUniqueViolation(error) || attempt >= 9) throw error;
    }
  }
}

async function issuedCredit(db: Kysely<Database>, userId: string, of: Parameters<typeof certificateCredit>[2]) {
  const credit = await certificateCredit(db, userId, of);
  return credit.state === 'claimed' ? credit : null;
}

/** The credit a certificate row carries, as issued. */
function creditOfRow(row: Certificate): IssuedCredit | null {
  if (!row.credit_type || row.credit_hours === null || !row.credit_activity_id) return null;
  return {
    type: row.credit_type,
    typeLabel: CREDIT_TYPE_LABELS[row.credit_type as CreditType] ?? row.credit_type,
    hours: Number(row.credit_hours),
    activityId: row.credit_activity_id,
    statement: row.accreditation_statement ?? '',
    providerName: row.issuer_name,
  };
}

/** A certificate row for `holder`, with its credential signed by the current key. */
async function newCertificate(
  db: Kysely<Database>,
  holder: Pick<PublicUser, 'id' | 'name' | 'email'>,
  completion: Completion,
): Promise<repo.NewCertificate> {
  const config = settings();
  const id = newCertificateId();
  const salt = generateIdentitySalt();
  const issuedAt = new Date();
  const entry = drawStatusEntry(await repo.countCertificates(db));
  const credential = buildOpenBadgeCredential({
    baseUrl: config.PUBLIC_URL,
    certificateId: id,
    issuerName: config.ORGANIZATION_NAME,
    issuerEmail: config.ORGANIZATION_EMAIL,
    holderEmail: holder.email,
    holderName: holder.name,
    salt,
    courseSlug: completion.courseSlug,
    courseTitle: completion.courseTitle,
    courseDescription: completion.courseDescription.replace(/\s+/g, ' ').trim(),
    criteriaNarrative: completion.credit
      ? `Completed every lesson of “${completion.courseTitle}”, passed its post-test, completed its evaluation and attested to ${completion.credit.hours} hours of ${completion.credit.typeLabel}.${completion.credit.statement ? ` ${completion.credit.statement}` : ''}`
      : `Completed every lesson of “${completion.courseTitle}” and answered each knowledge-check question correctly.`,
    issuedAt,
    completedOn: new Date(`${completion.completedOn}T00:00:00Z`),
    expiresAt: completion.expiresAt,
    status: { listUrl: statusListUrl(config.PUBLIC_URL, entry.list), index: entry.index },
    ...(completion.credit
      ? {
          credit: {
            typeLabel: completion.credit.typeLabel,
            hours: completion.credit.hours,
            available: completion.contactHours,
            activityId: completion.credit.activityId,
          },
        }
      : {}),
  });
  return {
    id,
    code: newCertificateCode(),
    user_id: holder.id,
    holder_name: holder.name,
    holder_email_salt: salt,
    holder_email_hash: emailIdentityHash(holder.email, salt),
    course_slug: completion.courseSlug,
    course_title: completion.courseTitle,
    course_version: completion.courseVersion,
    completed_on: completion.completedOn,
    contact_hours: completion.contactHours,
    // A certificate with credit names the provider that awards it (Administration → Credit).
    issuer_name: completion.credit?.providerName ?? config.ORGANIZATION_NAME,
    issued_at: issuedAt,
    expires_at: completion.expiresAt,
    credential_jwt: await signCredential(credential, await signingKey(db)),
    status_list: entry.list,
    status_index: entry.index,
    credit_type: completion.credit?.type ?? null,
    credit_hours: completion.credit?.hours ?? null,
    credit_activity_id: completion.credit?.activityId ?? null,
    accreditation_statement: completion.credit?.statement ?? null,
    term: completion.term,
    renews: completion.renews,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/**
 * The learner's attestation for a credit course or event, then its certificate with the
 * credit (issue 21). A retry finds the claim and the certificate already there. An event's
 * activity has no completion certificate to fall back on, so its attestation waits for
 * whatever would hold the certificate (decision 0045).
 */
export async function attestAndIssue(
  ctx: RequestContext,
  input: Parameters<typeof recordAttestation>[1],
): Promise<{ certificate: Certificate } | { held: string }> {
  if ('activity' in input && input.activity.kind === 'event') {
    const user = await findUserById(ctx.db, ctx.user.id);
    const held = user ? heldReason(user) : 'Sign in again.';
    if (held) throw new ConflictError(held);
  }
  const { activity, completedAt } = await recordAttestation(ctx, input);
  if (activity.kind === 'event') return { certificate: await issueActivityCertificate(ctx, activity, completedAt) };
  const outcome = await issueCourseCertificate(ctx, activity.courses[0]!, completedAt);
  return 'certificate' in outcome ? { certificate: outcome.certificate } : { held: outcome.held };
}

/** An event activity's certificate (its key, title and hours), with the credit attested; once. */
async function issueActivityCertificate(
  { db, user: { id: userId } }: RequestContext,
  activity: CreditActivity,
  completedAt: Date,
): Promise<Certificate> {
  const existing = await repo.currentCertificate(db, userId, activity.key);
  if (existing) return existing;
  const user = await findUserById(db, userId);
  if (!user) throw new Error(`No user ${userId}`);
  return issueCompletion(db, user, {
    courseSlug: activity.key,
    courseTitle: activity.title,
    courseVersion: activity.version,
    courseDescription: activity.description,
    completedOn: dateIn(serverTimeZone(), completedAt),
    contactHours: activity.contactHours,
    expiresAt: null,
    credit: await issuedCredit(db, user.id, activity),
    // An event's activity is not renewed: one term.
    term: 1,
    renews: null,
  });
}

// ---------------------------------------------------------------- what people see

export interface CertificateView {
  id: string;
  code: string;
  status: CertificateStatus;
  /** Null once the holder deleted their account (holderErased): the status stays public, the name does not. */
  holderName: string | null;
  holderErased: boolean;
  courseSlug: string;
  courseTitle: string;
  courseVersion: string;
  contactHours: string;
  issuerName: string;
  /** 'YYYY-MM-DD' calendar dates in the deployment's time zone. */
  completedOn: string;
  issuedOn: string;
  expiresOn: string | null;
  revokedOn: string | null;
  revokeReason: string | null;
  url: string;
  pdfUrl: string;
  credentialUrl: string;
  /** The certificate that replaced this one, when reissued. */
  replacedById: string | null;
  linkedInUrl: string;
  holderId: string;
  /** Where a verifier reads its revocation bit (also for certificates signed before credentials carried it). */
  statusListUrl: string;
  statusListIndex: number;
  /** Continuing-education credit as issued; null on a completion certificate. */
  credit: IssuedCredit | null;
  /** Recurring training (decision 0041): the previous term's certificate this one renews, and the one renewing it. */
  renews: { id: string; code: string } | null;
  renewedBy: { id: string; code: string } | null;
  /** The course term it was earned in: 1, then 2, 3, ... for renewals. */
  term: number;
  renewsId: string | null;
}

const localDay = (date: Date) => dateIn(serverTimeZone(), date);

export function describeCertificate(row: Certificate, now = new Date()): CertificateView {
  const base = settings().PUBLIC_URL;
  const url = `${base}/certificates/${row.id}`;
  const issuedOn = localDay(row.issued_at);
  return {
    id: row.id,
    code: row.code,
    status: certificateStatus(row, now),
    holderName: row.holder_name,
    holderErased: row.holder_erased_at !== null,
    courseSlug: row.course_slug,
    courseTitle: row.course_title,
    courseVersion: row.course_version,
    contactHours: formatContactHours(row.contact_hours),
    issuerName: row.issuer_name,
    completedOn: row.completed_on,
    issuedOn,
    expiresOn: row.expires_at ? localDay(row.expires_at) : null,
    revokedOn: row.revoked_at ? localDay(row.revoked_at) : null,
    revokeReason: row.revoke_reason,
    url,
    pdfUrl: `${url}.pdf`,
    credentialUrl: `${url}.jwt`,
    replacedById: row.replaced_by,
    linkedInUrl: linkedInAddUrl({
      courseTitle: row.course_title,
      issuerName: row.issuer_name,
      issuedOn,
      url,
      code: row.code,
    }),
    holderId: row.user_id,
    statusListUrl: statusListUrl(base, row.status_list),
    statusListIndex: row.status_index,
    credit: creditOfRow(row),
    renews: null,
    renewedBy: null,
    term: row.term,
    renewsId: row.renews,
  };
}

/** "26 November 2026" for a 'YYYY-MM-DD' calendar date. */
export function formatDay(day: string): string {
  return formatCertificateDate(new Date(`${day}T00:00:00Z`), 'UTC');
}

/** A certificate by its public id, or undefined (also for ids that cannot be one). */
export async function findCertificateView(
  db: Kysely<Database>,
  id: string,
  now = new Date(),
): Promise<CertificateView | undefined> {
  if (!CERTIFICATE_ID.test(id)) return undefined;
  const row = await repo.findCertificate(db, id);
  if (!row) return undefined;
  const links = await repo.renewalLinks(db, row);
  return { ...describeCertificate(row, now), ...links };
}

/** The machine-readable answer of the verification page (Accept: application/json). */
export function verificationJson(view: CertificateView) {
  return {
    id: view.url,
    code: view.code,
    status: view.status,
    valid: view.status === 'valid',
    holder: view.holderErased ? null : { name: view.holderName },
    holderDeletedAccount: view.holderErased,
    course: { slug: view.courseSlug, title: view.courseTitle, version: view.courseVersion },
    completedOn: view.completedOn,
    renews: view.renews && { code: view.renews.code, id: `${settings().PUBLIC_URL}/certificates/${view.renews.id}` },
    renewedBy: view.renewedBy && {
      code: view.renewedBy.code,
      id: `${settings().PUBLIC_URL}/certificates/${view.renewedBy.id}`,
    },
    contactHours: Number(view.contactHours),
    learningFormat: learningFormat(view.courseSlug),
    credit: view.credit && {
      type: view.credit.type,
      name: view.credit.typeLabel,
      hoursClaimed: view.credit.hours,
      activityId: view.credit.activityId,
      accreditationStatement: view.credit.statement || null,
    },
    issuer: { id: `${settings().PUBLIC_URL}/issuer`, name: view.issuerName },
    issuedOn: view.issuedOn,
    expiresOn: view.expiresOn,
    revokedOn: view.revokedOn,
    revocationReason: view.revokeReason,
    replacedBy: view.replacedById && `${settings().PUBLIC_URL}/certificates/${view.replacedById}`,
    pdf: view.holderErased ? null : view.pdfUrl,
    credential: view.holderErased ? null : view.credentialUrl,
    credentialStatus: {
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(view.statusListIndex),
      statusListCredential: view.statusListUrl,
    },
  };
}

/** An event's own activity (decision 0045) is an event with its follow-up lessons; a course is enduring material. */
const learningFormat = (key: string) =>
  isEventActivityKey(key) ? 'event activity with follow-up lessons' : 'enduring material';

/**
 * The PDF as it stands now: a revoked, reissued or expired certificate carries a banner
 * saying so. `pdf` is null once the holder deleted their account (it would print the name).
 */
export async function certificatePdf(
  db: Kysely<Database>,
  id: string,
): Promise<{ pdf: Uint8Array | null; view: CertificateView } | undefined> {
  const view = await findCertificateView(db, id);
  if (!view) return undefined;
  if (view.holderName === null) return { pdf: null, view };
  const config = settings();
  const day = (value: string) => new Date(`${value}T00:00:00Z`);
  const pdf = await renderCertificatePdf({
    holderName: view.holderName,
    courseTitle: view.courseTitle,
    completedOn: day(view.completedOn),
    contactHours: Number(view.contactHours),
    certificateCode: view.code,
    verifyUrl: view.url,
    issuedAt: day(view.issuedOn),
    expiresAt: view.expiresOn ? day(view.expiresOn) : null,
    providerName: view.issuerName,
    providerAddress: config.ORGANIZATION_ADDRESS,
    // A certificate with credit prints the statement it was issued under; others the current setting.
    accreditationStatement: view.credit ? view.credit.statement : config.ACCREDITATION_STATEMENT,
    credit: view.credit && {
      typeLabel: view.credit.typeLabel,
      hours: formatContactHours(view.credit.hours),
      activityId: view.credit.activityId,
    },
    format: learningFormat(view.courseSlug),
    status: view.status,
  });
  return { pdf, view };
}

/** The credential exactly as signed at issuance; `jwt` is null once the holder deleted their account. */
export async function signedCredential(db: Kysely<Database>, id: string): Promise<{ jwt: string | null } | undefined> {
  if (!CERTIFICATE_ID.test(id)) return undefined;
  const row = await repo.findCertificate(db, id);
  return row && { jwt: row.credential_jwt };
}

// ---------------------------------------------------------------- revocation status lists

async function signedStatusList(db: Kysely<Database>, list: number): Promise<string> {
  const vc = buildStatusListCredential({
    baseUrl: settings().PUBLIC_URL,
    list,
    issuerName: settings().ORGANIZATION_NAME,
    revokedIndexes: await repo.revokedIndexes(db, list),
    signedAt: new Date(),
  });
  return signStatusList(vc, await signingKey(db));
}

/** Signs a list again after one of its certificates was revoked (inside the revoking transaction). */
async function resignStatusList(tx: Kysely<Database>, list: number): Promise<void> {
  await repo.lockStatusList(tx, list);
  await repo.saveStatusList(tx, list, await signedStatusList(tx, list), true);
}

/**
 * The signed BitstringStatusListCredential at /certificates/status/<list>: as stored, or
 * signed now the first time it is asked for. Undefined for a list no certificate uses.
 */
export async function statusListCredential(db: Kysely<Database>, list: number): Promise<string | undefined> {
  if (!Number.isSafeInteger(list) || list < 1) return undefined;
  const stored = await repo.findStatusList(db, list);
  if (stored) return stored.credential_jwt;
  if (list > Math.max(1, await repo.lastStatusList(db))) return undefined;
  // A revocation signing it meanwhile wins: its copy is stored, this one is not.
  await repo.saveStatusList(db, list, await signedStatusList(db, list), false);
  return (await repo.findStatusList(db, list))!.credential_jwt;
}

/** The issuer's Open Badges Profile, served at /issuer. */
export function issuerProfile() {
  const config = settings();
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: `${config.PUBLIC_URL}/issuer`,
    type: 'Profile',
    name: config.ORGANIZATION_NAME,
    url: config.PUBLIC_URL,
    ...(config.ORGANIZATION_EMAIL ? { email: config.ORGANIZATION_EMAIL } : {}),
    ...(config.ORGANIZATION_ADDRESS ? { description: config.ORGANIZATION_ADDRESS } : {}),
  };
}

export interface MyCertificates {
  certificates: CertificateView[];
  /** Valid certificates issued in the last two weeks: Today says they are ready. */
  recent: CertificateView[];
  /** Completed courses without a certificate, and why. */
  waiting: { course: CatalogCourse; reason: string | undefined }[];
}

/** The learner's certificates, and completed courses still waiting for one (read only). */
export async function myCertificates(ctx: RequestContext): Promise<MyCertificates> {
  const { db, catalog, user, now = new Date() } = ctx;
  const [rows, progress] = await Promise.all([repo.currentCertificatesOfUser(db, user.id), progressOnce(ctx)]);
  const waitingCourses = catalog.courses.filter(
    (course) => summarizeCourse(course, progress).complete && !rows.some((row) => row.course_slug === course.slug),
  );
  const waiting = await Promise.all(
    waitingCourses.map(async (course) => ({ course, reason: await courseHeldReason(db, user, course, progress) })),
  );
  const certificates = rows.map((row) => describeCertificate(row, now));
  const recent = certificates.filter(
    (c, i) => c.status === 'valid' && now.getTime() - rows[i]!.issued_at.getTime() < RECENT_MS,
  );
  return { certificates, recent, waiting };
}

const RECENT_MS = 14 * 86_400_000;

/** What the lesson page shows once its course is complete: the certificate, or why it waits. */
export async function certificateMoment({ db, catalog, user }: RequestContext, courseSlug: string) {
  const row = await repo.currentCertificate(db, user.id, courseSlug);
  if (row?.revoked_at)
    return { status: 'held' as const, message: 'The certificate for this course was revoked; Certificates shows why.' };
  if (row) return { status: 'issued' as const, url: `/certificates/${row.id}`, code: row.code };
  const course = catalog.course(courseSlug);
  const held = course && (await courseHeldReason(db, user, course, await progressOfUser(db, user.id)));
  return {
    status: 'held' as const,
    message: held ?? 'Your certificate is not issued yet: press “Issue my certificate” under Certificates.',
  };
}

// ---------------------------------------------------------------- administrators

const NO_SUCH_CERTIFICATE = 'There is no certificate with this address.';
const ADMINS_ONLY = 'Only administrators can revoke or reissue certificates.';

/** Finds certificates by code ("RND-7K4Q-2M9X", any case or spacing) or by part of a name or email. */
export async function findCertificatesForAdmin(ctx: RequestContext, query: string) {
  requireAdmin(ctx, ADMINS_ONLY);
  const text = query.trim();
  if (text.length < 2) return [];
  const code = normalizeCertificateCode(text);
  const rows = await repo.searchCertificates(ctx.db, code ? { code } : { text });
  return rows.map((row) => ({
    ...describeCertificate(row),
    holderEmail: row.holder_email,
    holderCurrentName: row.holder_current_name,
  }));
}

export async function certificateForAdmin(ctx: RequestContext, id: string) {
  requireAdmin(ctx, ADMINS_ONLY);
  const row = CERTIFICATE_ID.test(id) ? await repo.findCertificateWithHolder(ctx.db, id) : undefined;
  if (!row) throw new NotFoundError(NO_SUCH_CERTIFICATE);
  const holder = { name: row.holder_current_name, email_verified_at: row.holder_email_verified_at };
  return {
    ...describeCertificate(row),
    holderEmail: row.holder_email,
    holderCurrentName: row.holder_current_name,
    reissueBlocked: reissueBlocked(holder),
  };
}

export async function revokeCertificate(
  ctx: RequestContext,
  input: { id: string; reason: string },
): Promise<Certificate> {
  requireAdmin(ctx, ADMINS_ONLY);
  return ctx.db.transaction().execute(async (tx) => {
    const revoked = await repo.markRevoked(tx, input.id, input.reason);
    if (revoked) await resignStatusList(tx, revoked.status_list);
    if (!revoked) {
      const row = await repo.findCertificate(tx, input.id);
      if (!row) throw new NotFoundError(NO_SUCH_CERTIFICATE);
      throw new ConflictError(
        row.revoked_at
          ? 'This certificate is already revoked.'
          : 'This certificate was reissued; revoke the certificate that replaced it instead.',
      );
    }
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'certificate.revoke',
      target: `certificate:${revoked.id}`,
      details: { code: revoked.code, reason: input.reason },
    });
    return revoked;
  });
}

/**
 * Replaces a current certificate (revoked or not) with a new one carrying the holder's
 * name as it is now — after a legal name change, or to undo a revocation made in error.
 * The old one is marked reissued and points at the new one.
 */
export async function reissueCertificate(ctx: RequestContext, input: { id: string }): Promise<Certificate> {
  requireAdmin(ctx, ADMINS_ONLY);
  const old = CERTIFICATE_ID.test(input.id) ? await repo.findCertificate(ctx.db, input.id) : undefined;
  if (!old) throw new NotFoundError(NO_SUCH_CERTIFICATE);
  if (old.replaced_by) throw new ConflictError('This certificate was already reissued.');
  if (old.holder_erased_at)
    throw new ConflictError('The holder deleted their account: there is nobody to reissue this certificate to.');
  const holder = await findUserById(ctx.db, old.user_id);
  if (!holder) throw new NotFoundError(NO_SUCH_CERTIFICATE);
  const blocked = reissueBlocked(holder);
  if (blocked) throw new ConflictError(blocked);
  const completion: Completion = {
    courseSlug: old.course_slug,
    courseTitle: old.course_title,
    courseVersion: old.course_version,
    courseDescription: ctx.catalog.course(old.course_slug)?.description ?? old.course_title,
    completedOn: old.completed_on,
    contactHours: old.contact_hours,
    expiresAt: old.expires_at,
    credit: creditOfRow(old),
    term: old.term,
    renews: old.renews,
  };
  for (let attempt = 0; ; attempt++) {
    const values = await newCertificate(ctx.db, holder, completion);
    try {
      return await ctx.db.transaction().execute(async (tx) => {
        // The old row stops being current first (the foreign key is checked at commit).
        if (!(await repo.markReplaced(tx, old.id, values.id)))
          throw new ConflictError('This certificate was already reissued.');
        const replacement = await repo.insertReplacement(tx, values);
        await recordAudit(tx, {
          actorId: ctx.user.id,
          action: 'certificate.reissue',
          target: `certificate:${old.id}`,
          details: {
            code: old.code,
            replacement: replacement.id,
            replacementCode: replacement.code,
            previousName: old.holder_name,
            name: replacement.holder_name,
          },
        });
        return replacement;
      });
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 9) throw error;
    }
  }
}
