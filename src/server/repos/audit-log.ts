import type { Executor } from '../db.ts';

export async function recordAudit(
  db: Executor,
  entry: { actorId: string | null; action: string; target: string; details?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ actor_id: entry.actorId, action: entry.action, target: entry.target, details: JSON.stringify(entry.details ?? {}) })
    .execute();
}
