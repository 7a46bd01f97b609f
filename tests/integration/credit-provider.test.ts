// The continuing-education provider on a real database (decision 0035): first-run
// defaults claim no credit; only an administrator saves it, each save audit-logged; a
// course offers only the kinds of credit the provider enabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { createUser, findUserById, setAdmin } from '#server/accounts/users-repo.ts';
import { listAuditEntries } from '#server/audit/repo.ts';
import { ForbiddenError, FieldError } from '#server/kernel/errors.ts';
import { settings } from '#server/platform/settings.ts';
import * as credit from '#server/credit/credit.ts';

const catalog = testCatalog();
const creditCourse = catalog.courses.find((course) => course.credit)!;
let database: RoundsDatabase;

async function person(admin: boolean) {
  const user = (await createUser(database.db, { email: uniqueEmail('ce'), name: 'Pat Provider', passwordHash: 'x' }))!;
  if (admin) await setAdmin(database.db, user.email);
  return (await findUserById(database.db, user.id))!;
}

beforeAll(async () => {
  database = await freshDatabase();
  await person(false); // the first account of an install is an administrator; keep roles explicit below
});
afterAll(async () => {
  await database?.close();
});

describe('the continuing-education provider', () => {
  it('starts from the settings with no credit enabled, so no course offers any', async () => {
    const provider = await credit.creditProvider(database.db);
    expect(provider).toMatchObject({
      name: settings().ORGANIZATION_NAME,
      accreditationStatement: settings().ACCREDITATION_STATEMENT,
      enabledTypes: [],
      savedAt: null,
    });
    expect(creditCourse, 'a seed course states credit').toBeDefined();
    expect(await credit.courseCreditOffer(database.db, creditCourse, new Date('2027-01-01'))).toBeUndefined();
  });

  it('refuses anyone but an administrator, and changes nothing', async () => {
    const learner = await person(false);
    await expect(
      credit.saveCreditProvider(
        { db: database.db, catalog, user: learner },
        { name: 'Mine', accreditationStatement: '', approverStatement: '', enabledTypes: ['participation'] },
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await credit.creditProvider(database.db)).savedAt).toBeNull();
  });

  it('refuses accredited credit without an accreditation statement, beside that field', async () => {
    const admin = await person(true);
    const refusal = await credit
      .saveCreditProvider(
        { db: database.db, catalog, user: admin },
        {
          name: 'Example CE',
          accreditationStatement: '',
          approverStatement: '',
          enabledTypes: ['nursing-contact-hours'],
        },
      )
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(FieldError);
    expect((refusal as FieldError).field).toBe('accreditationStatement');
    expect((await credit.creditProvider(database.db)).savedAt).toBeNull();
  });

  it('saves, audit-logs the change, and courses then offer only the enabled kinds inside their dates', async () => {
    const admin = await person(true);
    const ctx = { db: database.db, catalog, user: admin };
    const statement = 'Example Health Education (a demonstration, not an accredited provider).';
    await credit.saveCreditProvider(ctx, {
      name: 'Example Health Education',
      accreditationStatement: statement,
      approverStatement: '',
      enabledTypes: ['participation', 'nursing-contact-hours'],
    });
    // Saving the same form again (a double submit) leaves one row with the same values.
    await credit.saveCreditProvider(ctx, {
      name: 'Example Health Education',
      accreditationStatement: statement,
      approverStatement: '',
      enabledTypes: ['nursing-contact-hours', 'participation'],
    });
    expect(await database.db.selectFrom('credit_provider').selectAll().execute()).toHaveLength(1);
    const provider = await credit.creditProvider(database.db);
    expect(provider).toMatchObject({
      name: 'Example Health Education',
      accreditationStatement: statement,
      enabledTypes: ['nursing-contact-hours', 'participation'],
    });
    expect(provider.savedAt).toBeInstanceOf(Date);

    const entries = (await listAuditEntries(database.db, { limit: 5 })).filter(
      (e) => e.action === 'credit.provider.save',
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actorId: admin.id, target: 'credit-provider' });

    const during = new Date(creditCourse.credit!.starts.getTime() + 86_400_000);
    const offer = (await credit.courseCreditOffer(database.db, creditCourse, during))!;
    expect(offer.types.map((t) => t.type).sort()).toEqual(
      creditCourse
        .credit!.types.map((t) => t.type)
        .filter((t) => provider.enabledTypes.includes(t))
        .sort(),
    );
    expect(offer).toMatchObject({ open: true, activityId: creditCourse.credit!.activityId });
    const after = new Date(creditCourse.credit!.expires.getTime() + 2 * 86_400_000);
    expect((await credit.courseCreditOffer(database.db, creditCourse, after))!.open).toBe(false);

    // Turning a kind off withdraws it from the course page at once.
    await credit.saveCreditProvider(ctx, { ...provider, enabledTypes: [] });
    expect(await credit.courseCreditOffer(database.db, creditCourse, during)).toBeUndefined();
  });
});
