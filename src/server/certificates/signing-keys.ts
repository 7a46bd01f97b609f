import type { Kysely } from 'kysely';
import type { Database } from '#db/schema.ts';
import * as repo from './repo.ts';
import { recordAudit } from '#server/audit/index.ts';
import { generateSigningKey, publicJwks } from './credentials.ts';

// The Ed25519 keys that sign certificate credentials, kept in the database so every app
// process signs with the same key and publishes the same JWKS. (Apart from the
// certificates service so that start-up and the CLI need not load the PDF code.)

/** The key that signs new credentials; the first call on a new install creates and stores it. */
export async function signingKey(db: Kysely<Database>): Promise<repo.StoredSigningKey> {
  const active = await repo.activeSigningKey(db);
  if (active) return active;
  return db.transaction().execute(async (tx) => {
    await repo.lockSigningKeys(tx);
    const created = await repo.activeSigningKey(tx);
    if (created) return created; // another process made it while we waited
    await repo.insertSigningKey(tx, await generateSigningKey());
    return (await repo.activeSigningKey(tx))!;
  });
}

/** A new signing key; the old ones stop signing but stay published, so what they signed still verifies. */
export async function rotateSigningKey(
  db: Kysely<Database>,
  actorId: string | null,
): Promise<{ kid: string; published: number }> {
  return db.transaction().execute(async (tx) => {
    await repo.lockSigningKeys(tx);
    const key = await generateSigningKey();
    await repo.insertSigningKey(tx, key);
    const retired = await repo.retireSigningKeysExcept(tx, key.kid);
    await recordAudit(tx, {
      actorId,
      action: 'signing-key.rotate',
      target: `signing-key:${key.kid}`,
      details: { retired },
    });
    return { kid: key.kid, published: (await repo.allSigningKeys(tx)).length };
  });
}

/** The JWKS at /.well-known/jwks.json: the public half of every key ever used. */
export async function publishedKeys(db: Kysely<Database>): Promise<ReturnType<typeof publicJwks>> {
  let keys = await repo.allSigningKeys(db);
  if (keys.length === 0) keys = [await signingKey(db)];
  return publicJwks(keys);
}
