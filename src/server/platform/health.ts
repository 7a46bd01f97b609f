import { sql } from 'kysely';
import type { Executor } from './db.ts';

/** Round-trips to the database; throws when it does not answer. */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}

/** What `/healthz` says when the database does not answer: a fixed reason, never the driver's error (addresses, ports, names). */
export const DATABASE_UNREACHABLE = 'The database did not answer.';
