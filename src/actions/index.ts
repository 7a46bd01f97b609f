import { accountActions } from './accounts.ts';

export const server = {
  accounts: accountActions,
};
