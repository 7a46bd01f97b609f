import type { Executor } from '#server/platform/db.ts';

// The provider's saved identity and statements (one row, id 1).

export interface CreditProviderRow {
  name: string;
  accreditation_statement: string;
  approver_statement: string;
  enabled_types: string[];
  updated_at: Date;
}

export async function findCreditProvider(db: Executor): Promise<CreditProviderRow | undefined> {
  return db
    .selectFrom('credit_provider')
    .select(['name', 'accreditation_statement', 'approver_statement', 'enabled_types', 'updated_at'])
    .where('id', '=', 1)
    .executeTakeFirst();
}

/** Saves the provider: the whole row, so saving the same form twice leaves the same row. */
export async function saveCreditProvider(
  db: Executor,
  values: {
    name: string;
    accreditationStatement: string;
    approverStatement: string;
    enabledTypes: string[];
    updatedBy: string;
  },
): Promise<void> {
  const row = {
    name: values.name,
    accreditation_statement: values.accreditationStatement,
    approver_statement: values.approverStatement,
    enabled_types: JSON.stringify(values.enabledTypes),
    updated_at: new Date(),
    updated_by: values.updatedBy,
  };
  await db
    .insertInto('credit_provider')
    .values({ id: 1, ...row })
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
}
