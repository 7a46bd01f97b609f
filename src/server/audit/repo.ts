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
  /** What the target is called now ("Team “4 West”"), or undefined when it is gone or has no name. */
  targetLabel: string | undefined;
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
  const labels = await targetLabels(
    db,
    rows.map((row) => row.target),
  );
  return rows.map((row) => {
    const details =
      typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : (row.details ?? {});
    // A certificate's code is in its entries' details (the certificate itself may be erased).
    const code = row.target.startsWith('certificate:') && typeof details.code === 'string' ? details.code : undefined;
    return {
      id: Number(row.id),
      at: row.at,
      action: row.action,
      target: row.target,
      details,
      actorId: row.actor_id,
      actorName: row.name,
      actorEmail: row.email,
      targetLabel: labels.get(row.target) ?? (code ? `Certificate ${code}` : undefined),
    };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Names for targets written as "team:<id>", "event:<id>", "user:<id>": one query per kind
 * for the whole page. The log keeps ids (names change, and a deleted account's must go);
 * the names are looked up as they are now.
 */
async function targetLabels(db: Executor, targets: string[]): Promise<Map<string, string>> {
  const idsOf = (kind: string) =>
    [...new Set(targets.filter((t) => t.startsWith(`${kind}:`)).map((t) => t.slice(kind.length + 1)))].filter((id) =>
      UUID.test(id),
    );
  const [teamIds, eventIds, userIds] = [idsOf('team'), idsOf('event'), idsOf('user')];
  const [teams, events, users] = await Promise.all([
    teamIds.length ? db.selectFrom('teams').select(['id', 'name']).where('id', 'in', teamIds).execute() : [],
    eventIds.length ? db.selectFrom('events').select(['id', 'name']).where('id', 'in', eventIds).execute() : [],
    userIds.length
      ? db.selectFrom('users').select(['id', 'name', 'email', 'deleted_at']).where('id', 'in', userIds).execute()
      : [],
  ]);
  const labels = new Map<string, string>();
  for (const team of teams) labels.set(`team:${team.id}`, `Team “${team.name}”`);
  for (const event of events) labels.set(`event:${event.id}`, `Event “${event.name}”`);
  for (const user of users)
    labels.set(`user:${user.id}`, user.deleted_at ? 'A deleted account' : `${user.name} (${user.email})`);
  return labels;
}
