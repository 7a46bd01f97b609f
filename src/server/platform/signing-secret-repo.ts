import type { Executor } from './db.ts';

/** The secret that signs links, made once on first use (the first of racing processes wins). */
export async function signingSecret(db: Executor, fresh: string): Promise<string> {
  await db
    .insertInto('reminder_signing_key')
    .values({ id: 1, secret: fresh })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await db
    .selectFrom('reminder_signing_key')
    .select('secret')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return row.secret;
}
