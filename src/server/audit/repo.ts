import type { Executor } from '#server/platform/db.ts';

export async function recordAudit(
  db: Executor,
  entry: { actorId: string | null; action: string; target: string; details?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      target: entry.target,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export interface AuditEntry {
  id: number;
  at: Date;
  action: string;
  target: string;
  details: Record<string, unknown>;
  actorId: string | null;
  /** The actor's name and email now; null for the CLI or a deleted account. */
  actorName: string | null;
  actorEmail: string | null;
}

/**
 * Newest first, for the admin page. `before` (an entry id) pages back; `action` filters
 * by an action name or its prefix ("team." for every team action).
 */
export async function listAuditEntries(
  db: Executor,
  options: { limit?: number; before?: number; action?: string } = {},
): Promise<AuditEntry[]> {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.action',
      'audit_log.target',
      'audit_log.details',
      'audit_log.actor_id',
      'users.name',
      'users.email',
    ])
    .orderBy('audit_log.id', 'desc')
    .limit(Math.min(Math.max(options.limit ?? 100, 1), 500));
  if (options.before !== undefined) query = query.where('audit_log.id', '<', options.before);
  if (options.action) {
    const escaped = options.action.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    query = query.where((eb) =>
      eb.or([eb('audit_log.action', '=', options.action!), eb('audit_log.action', 'like', `${escaped}%`)]),
    );
  }
  const rows = await query.execute();
  return rows.map((row) => ({
    id: Number(row.id),
    at: row.at,
    action: row.action,
    target: row.target,
    details:
      typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : (row.details ?? {}),
    actorId: row.actor_id,
    actorName: row.name,
    actorEmail: row.email,
  }));
}
