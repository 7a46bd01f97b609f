import type { Migration } from 'kysely/migration';
import * as accountsAndLearning from './2026-11-26T1800-accounts-and-learning.ts';

// Every migration, in order. Names are frozen once landed.
export const migrations: Record<string, Migration> = {
  '2026-11-26T1800-accounts-and-learning': accountsAndLearning,
};
