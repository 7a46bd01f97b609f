// The audit log as the admin page reads it: newest first, with the actor's name,
// paged with `before`, filtered by action prefix; CLI entries have no actor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { listAuditEntries, recordAudit } from '#server/audit/repo.ts';
import { createUser, eraseAccount } from '#server/accounts/users-repo.ts';
import { insertTeam } from '#server/teams/repo.ts';
import { freshDatabase, uniqueEmail } from '../support/database.ts';

let database: RoundsDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database.close();
});

describe('audit log', () => {
  it('lists entries newest first with who, what, when and target; pages and filters', async () => {
    const leader = (await createUser(database.db, {
      email: uniqueEmail('leader'),
      name: 'Lee Leader',
      passwordHash: 'x',
    }))!;
    await recordAudit(database.db, {
      actorId: null,
      action: 'grant-admin',
      target: 'someone@example.org',
      details: { via: 'cli' },
    });
    for (let i = 0; i < 5; i += 1)
      await recordAudit(database.db, {
        actorId: leader.id,
        action: 'team.assign',
        target: `team:${i}`,
        details: { course: 'patient-connection', dueOn: '2031-01-15' },
      });
    await recordAudit(database.db, { actorId: leader.id, action: 'event.create', target: 'event:1' });

    const all = await listAuditEntries(database.db);
    expect(all.map((e) => e.action)).toEqual([
      'event.create',
      'team.assign',
      'team.assign',
      'team.assign',
      'team.assign',
      'team.assign',
      'grant-admin',
    ]);
    expect(all[0]).toMatchObject({
      actorId: leader.id,
      actorName: 'Lee Leader',
      actorEmail: leader.email,
      target: 'event:1',
    });
    expect(all[0]!.at).toBeInstanceOf(Date);
    expect(all[1]!.details).toEqual({ course: 'patient-connection', dueOn: '2031-01-15' });
    expect(all.at(-1)).toMatchObject({ actorId: null, actorName: null, details: { via: 'cli' } });

    const firstPage = await listAuditEntries(database.db, { limit: 3 });
    const secondPage = await listAuditEntries(database.db, { limit: 3, before: firstPage.at(-1)!.id });
    expect([...firstPage, ...secondPage].map((e) => e.id)).toEqual(all.slice(0, 6).map((e) => e.id));

    expect((await listAuditEntries(database.db, { action: 'team.' })).every((e) => e.action === 'team.assign')).toBe(
      true,
    );
    expect(await listAuditEntries(database.db, { action: 'team%' })).toEqual([]);
  });

  it('names the target as it is called now, keeping the id; a deleted account is named as such', async () => {
    const actor = (await createUser(database.db, { email: uniqueEmail('actor'), name: 'Ada', passwordHash: 'x' }))!;
    const member = (await createUser(database.db, { email: uniqueEmail('m'), name: 'Mo Member', passwordHash: 'x' }))!;
    const gone = (await createUser(database.db, { email: uniqueEmail('gone'), name: 'Gone', passwordHash: 'x' }))!;
    await eraseAccount(database.db, gone.id);
    const team = await insertTeam(database.db, { name: '4 West', description: '', createdBy: actor.id });
    for (const target of [`team:${team.id}`, `user:${member.id}`, `user:${gone.id}`, 'certificate:AAAA', 'team:nope'])
      await recordAudit(database.db, {
        actorId: actor.id,
        action: 'label.test',
        target,
        details: target.startsWith('certificate:') ? { code: 'RND-7K4Q-2M9X' } : {},
      });
    const entries = await listAuditEntries(database.db, { action: 'label.test' });
    expect(new Map(entries.map((e) => [e.target, e.targetLabel]))).toEqual(
      new Map<string, string | undefined>([
        ['team:nope', undefined],
        ['certificate:AAAA', 'Certificate RND-7K4Q-2M9X'],
        [`user:${gone.id}`, 'A deleted account'],
        [`user:${member.id}`, `Mo Member (${member.email})`],
        [`team:${team.id}`, 'Team “4 West”'],
      ]),
    );
  });
});
