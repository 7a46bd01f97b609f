import { accountActions } from './accounts.ts';
import { progressActions, reflectionActions } from './learning.ts';
import { teamActions } from './teams.ts';
import { eventActions } from './events.ts';
import { certificateActions } from './certificates.ts';
import { peopleActions } from './people.ts';
import { reviewActions } from './review.ts';
import { organisationActions } from './organisations.ts';
import { creditActions } from './credit.ts';
import { ssoActions } from './sso.ts';
import { notificationActions } from './notifications.ts';

export const server = {
  accounts: accountActions,
  progress: progressActions,
  reflections: reflectionActions,
  teams: teamActions,
  events: eventActions,
  certificates: certificateActions,
  people: peopleActions,
  review: reviewActions,
  organisations: organisationActions,
  credit: creditActions,
  sso: ssoActions,
  notifications: notificationActions,
};
