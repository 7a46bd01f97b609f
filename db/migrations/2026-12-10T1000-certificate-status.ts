import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

// Frozen once landed: add a new migration instead of editing this one.
// Certificates keep their public status after the holder deletes their account (a
// tombstone without name or credential), and each has an entry in a signed W3C
// Bitstring Status List, so verifiers can check revocation from the credential itself.

// Entries per list (16 KB of bits, the standard's minimum), and how many certificates a
// list takes before the next one opens: a quarter, so a random free index is found in a
// few draws (decision 0023).
const LIST_ENTRIES = 131_072;
const LIST_FILL = LIST_ENTRIES / 4;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('certificates')
    .addColumn('status_list', 'integer')
    .addColumn('status_index', 'integer')
    // Set when the holder deleted their account: name and credential are gone, the status stays.
    .addColumn('holder_erased_at', 'timestamptz')
    // The salted email hash signed into the credential (its `sub`), kept after erasure only
    // for revoked certificates, so the same address cannot quietly earn the course again.
    .addColumn('holder_email_hash', 'text')
    .execute();
  await sql`alter table certificates alter column holder_name drop not null`.execute(db);
  await sql`alter table certificates alter column credential_jwt drop not null`.execute(db);

  // Certificates issued before this change: a random, distinct index each, and the email
  // hash their credential already carries.
  const rows = await db
    .selectFrom('certificates')
    .select(['id', 'credential_jwt'])
    .orderBy('issued_at')
    .orderBy('id')
    .execute();
  const taken = new Set<string>();
  for (const [n, row] of rows.entries()) {
    const list = Math.floor(n / LIST_FILL) + 1;
    let index: number;
    do index = randomInt(LIST_ENTRIES);
    while (taken.has(`${list}:${index}`));
    taken.add(`${list}:${index}`);
    const payload = JSON.parse(Buffer.from(String(row.credential_jwt).split('.')[1] ?? '', 'base64url').toString());
    await db
      .updateTable('certificates')
      .set({
        status_list: list,
        status_index: index,
        holder_email_hash: typeof payload.sub === 'string' ? payload.sub : null,
      })
      .where('id', '=', row.id)
      .execute();
  }
  await sql`alter table certificates alter column status_list set not null`.execute(db);
  await sql`alter table certificates alter column status_index set not null`.execute(db);
  await sql`
    alter table certificates
      add constraint certificates_status_entry unique (status_list, status_index),
      add constraint certificates_status_entry_range
        check (status_list >= 1 and status_index >= 0 and status_index < ${sql.lit(LIST_ENTRIES)}),
      -- An erased holder leaves no name and no credential behind.
      add constraint certificates_erased_holder
        check ((holder_erased_at is null) = (holder_name is not null and credential_jwt is not null))
  `.execute(db);

  // Each list as last signed: re-signed when one of its certificates is revoked.
  await db.schema
    .createTable('certificate_status_lists')
    .addColumn('list', 'integer', (c) => c.primaryKey())
    .addColumn('credential_jwt', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('certificate_status_lists').execute();
  await db.deleteFrom('certificates').where('holder_erased_at', 'is not', null).execute();
  await sql`
    alter table certificates
      drop constraint certificates_erased_holder,
      drop constraint certificates_status_entry_range,
      drop constraint certificates_status_entry
  `.execute(db);
  await sql`alter table certificates alter column holder_name set not null`.execute(db);
  await sql`alter table certificates alter column credential_jwt set not null`.execute(db);
  await db.schema
    .alterTable('certificates')
    .dropColumn('status_list')
    .dropColumn('status_index')
    .dropColumn('holder_erased_at')
    .dropColumn('holder_email_hash')
    .execute();
}
