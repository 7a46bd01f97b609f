import { accountActions } from './accounts.ts';
import { progressActions, reflectionActions } from './learning.ts';

export const server = {
  accounts: accountActions,
  progress: progressActions,
  reflections: reflectionActions,
};
