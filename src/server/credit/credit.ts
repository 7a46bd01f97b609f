import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import type { CatalogCourse } from '#lib/catalog.ts';
import {
  activityOpen,
  creditRequirements,
  CREDIT_TYPES,
  offeredCredit,
  type CourseCredit,
  type CreditProviderSettings,
  type CreditRequirements,
  type CreditType,
} from '#lib/credit-rules.ts';
import { requireAdmin, type RequestContext } from '#server/kernel/context.ts';
import { FieldError } from '#server/kernel/errors.ts';
import { recordAudit } from '#server/audit/index.ts';
import { settings } from '#server/platform/settings.ts';
import * as repo from './repo.ts';

// The continuing-education provider (decision 0035): its identity and statements as an
// administrator saved them, else the first-run defaults from the settings, with no kind
// of credit enabled — Rounds claims no credit until someone who holds it says so.

export interface CreditProvider extends CreditProviderSettings {
  /** When an administrator last saved it; null while the first-run defaults apply. */
  savedAt: Date | null;
}

const isCreditType = (value: string): value is CreditType => (CREDIT_TYPES as readonly string[]).includes(value);

export async function creditProvider(db: Kysely<Database>): Promise<CreditProvider> {
  const row = await repo.findCreditProvider(db);
  if (!row) {
    const config = settings();
    return {
      name: config.ORGANIZATION_NAME,
      accreditationStatement: config.ACCREDITATION_STATEMENT,
      approverStatement: '',
      enabledTypes: [],
      savedAt: null,
    };
  }
  return {
    name: row.name,
    accreditationStatement: row.accreditation_statement,
    approverStatement: row.approver_statement,
    // A kind no longer known to this version is dropped rather than claimed.
    enabledTypes: row.enabled_types.filter(isCreditType),
    savedAt: row.updated_at,
  };
}

/** Kinds of credit an accreditor stands behind: offering one needs the provider's accreditation statement. */
const ACCREDITED: readonly CreditType[] = ['nursing-contact-hours', 'ama-pra-category-1'];

export async function saveCreditProvider(
  ctx: RequestContext,
  input: { name: string; accreditationStatement: string; approverStatement: string; enabledTypes: CreditType[] },
): Promise<void> {
  requireAdmin(ctx, 'Only administrators can set the continuing-education provider.');
  const enabledTypes = CREDIT_TYPES.filter((type) => input.enabledTypes.includes(type));
  if (enabledTypes.some((type) => ACCREDITED.includes(type)) && !input.accreditationStatement)
    throw new FieldError(
      'accreditationStatement',
      'Give the accreditation statement your accreditor approved: nursing contact hours and AMA PRA credit cannot be offered without it.',
    );
  await ctx.db.transaction().execute(async (tx) => {
    const before = await repo.findCreditProvider(tx);
    await repo.saveCreditProvider(tx, { ...input, enabledTypes, updatedBy: ctx.user.id });
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'credit.provider.save',
      target: 'credit-provider',
      details: {
        before: before
          ? {
              name: before.name,
              accreditationStatement: before.accreditation_statement,
              approverStatement: before.approver_statement,
              enabledTypes: before.enabled_types,
            }
          : null,
        after: { ...input, enabledTypes },
      },
    });
  });
}

export interface CourseCreditOffer {
  provider: CreditProvider;
  activityId: string;
  types: { type: CreditType; hours: number }[];
  disclosures: CourseCredit['disclosures'];
  starts: Date;
  expires: Date;
  passMark: number;
  /** Which optional requirements apply (every lesson and the attestation always do). */
  requires: CreditRequirements;
  /** False before the start day and after the expiry day: no credit is awarded then. */
  open: boolean;
}

/** What a course offers here, for its page; undefined when it offers no credit the provider has enabled. */
export function courseCreditOffer(
  db: Kysely<Database>,
  course: CatalogCourse,
  now = new Date(),
): Promise<CourseCreditOffer | undefined> {
  return creditOffer(db, course.credit, now);
}

/** What a course's or an event's stated credit offers here; undefined when nothing the provider has enabled. */
export async function creditOffer(
  db: Kysely<Database>,
  credit: CourseCredit | undefined,
  now = new Date(),
): Promise<CourseCreditOffer | undefined> {
  if (!credit) return undefined;
  const provider = await creditProvider(db);
  const types = offeredCredit(credit, provider);
  if (types.length === 0) return undefined;
  const { activityId, disclosures, starts, expires, passMark } = credit;
  const requires = creditRequirements(credit.requires);
  return {
    provider,
    activityId,
    types,
    disclosures,
    starts,
    expires,
    passMark,
    requires,
    open: activityOpen(credit, now),
  };
}
