import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { DEMO_DOMAIN, DemoRefusedError, seedDemo } from '#server/demo/demo.ts';
import * as teams from '#server/teams/teams.ts';
import { findUserByEmail, createUser } from '#server/accounts/users-repo.ts';
import { hashPassword, verifyPassword } from '#server/accounts/passwords.ts';
import { deleteMyAccount } from '#server/my-data/my-data.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

const catalog = testCatalog();
let database: RoundsDatabase | undefined;

afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe('seed-demo', () => {
  it('fills a fresh database with a team at every stage, reflections, certificates and working sign-ins', async () => {
    database = await freshDatabase();
    const db = database.db;
    const demo = await seedDemo(db, catalog);

    const leader = (await findUserByEmail(db, demo.leader))!;
    expect(leader.email).toBe(`leader@${DEMO_DOMAIN}`);
    expect(await verifyPassword(leader.password_hash, demo.password)).toBe(true);
    expect(demo.members).toHaveLength(8);

    const view = await teams.dashboard({ db, catalog, user: { ...leader, timeZone: leader.time_zone } }, demo.teamId);
    expect(view.members).toHaveLength(8); // Dana leads without taking the courses; Ben co-leads and takes them
    const states = new Set(view.members.flatMap((member) => Object.values(member.cells).map((cell) => cell.state)));
    expect([...states].sort()).toEqual(['completed', 'in-progress', 'not-started', 'overdue']);

    const reflections = await db.selectFrom('reflections').select('user_id').execute();
    expect(reflections.length).toBeGreaterThan(0);
    // Every member who finished a course holds its certificate, signed like any other.
    const certificates = await db
      .selectFrom('certificates')
      .select(['user_id', 'course_slug', 'credential_jwt'])
      .execute();
    const finished = view.members.flatMap((member) =>
      Object.entries(member.cells)
        .filter(([, cell]) => cell.lessonsDone === cell.lessonsTotal)
        .map(() => member.userId),
    );
    expect(finished.length).toBeGreaterThan(0);
    expect(certificates.length).toBe(finished.length);
    expect(certificates.every((c) => c.credential_jwt?.split('.').length === 3)).toBe(true);
  });

  it('refuses a second run and a database with real accounts, and changes nothing', async () => {
    database = await freshDatabase();
    const db = database.db;
    await seedDemo(db, catalog);
    const count = async () =>
      (
        await db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    await expect(seedDemo(db, catalog)).rejects.toThrow(/already in this database/);
    expect(await count()).toBe(before);

    await database.close();
    database = await freshDatabase();
    await createUser(database.db, { email: 'real.nurse@example.org', name: 'Real Nurse', passwordHash: 'x' });
    await expect(seedDemo(database.db, catalog)).rejects.toBeInstanceOf(DemoRefusedError);
    expect((await database.db.selectFrom('users').select('email').execute()).map((u) => u.email)).toEqual([
      'real.nurse@example.org',
    ]);
  });

  it('fills a database whose only account was deleted, as it did when deleting left no row', async () => {
    database = await freshDatabase();
    const real = (await createUser(database.db, {
      email: 'gone.nurse@example.org',
      name: 'Gone Nurse',
      passwordHash: await hashPassword('gone nurse leaves the ward 12'),
    }))!;
    await deleteMyAccount(
      { db: database.db, catalog, user: real },
      { confirmEmail: real.email, currentPassword: 'gone nurse leaves the ward 12' },
    );
    const demo = await seedDemo(database.db, catalog);
    const leader = (await findUserByEmail(database.db, demo.leader))!;
    // The first live account of the install is its administrator, as on a fresh one.
    expect(leader.is_admin).toBe(true);
  });
});
