import type { Migration } from 'kysely/migration';
import * as accountsAndLearning from './2026-11-26T1800-accounts-and-learning.ts';
import * as teams from './2026-11-26T1900-teams.ts';
import * as reminders from './2026-11-26T1901-reminders.ts';
import * as events from './2026-11-26T1920-events.ts';
import * as certificates from './2026-11-26T1930-certificates.ts';
import * as deletedAccounts from './2026-11-28T0900-deleted-accounts.ts';
import * as certificateStatus from './2026-12-10T1000-certificate-status.ts';
import * as lessonTime from './2026-12-10T1010-lesson-time.ts';
import * as accountSafety from './2026-12-10T1100-account-safety.ts';
import * as leadersLearn from './2026-12-10T1200-leaders-learn.ts';
import * as eventEditing from './2026-12-12T1100-event-editing.ts';
import * as accountDeactivation from './2026-12-12T1200-account-deactivation.ts';
import * as teamArchiveInvitationsNotes from './2026-12-12T1300-team-archive-invitations-notes.ts';
import * as accountTimeZone from './2026-12-12T1000-account-time-zone.ts';
import * as reviewCards from './2026-12-12T1400-review-cards.ts';
import * as organisations from './2026-12-17T1000-organisations.ts';
import * as eventReviewStream from './2026-12-13T1000-event-review-stream.ts';
import * as stableQuestionIds from './2026-12-13T1010-stable-question-ids.ts';
import * as learningPaths from './2026-12-14T1000-learning-paths.ts';
import * as creditProvider from './2026-12-15T1000-credit-provider.ts';
import * as creditRecords from './2026-12-15T1010-credit-records.ts';
import * as automaticReminders from './2026-12-18T1000-automatic-reminders.ts';
import * as recurringTraining from './2026-12-18T1100-recurring-training.ts';
import * as singleSignOn from './2026-12-18T1200-single-sign-on.ts';
import * as pushSubscriptions from './2026-12-18T1400-push-subscriptions.ts';
import * as eventCredit from './2026-12-18T1500-event-credit.ts';
import * as scim from './2026-12-18T1300-scim.ts';

// Every migration, in order. Names are frozen once landed.
export const migrations: Record<string, Migration> = {
  '2026-11-26T1800-accounts-and-learning': accountsAndLearning,
  '2026-11-26T1900-teams': teams,
  '2026-11-26T1901-reminders': reminders,
  '2026-11-26T1920-events': events,
  '2026-11-26T1930-certificates': certificates,
  '2026-11-28T0900-deleted-accounts': deletedAccounts,
  '2026-12-10T1000-certificate-status': certificateStatus,
  '2026-12-10T1010-lesson-time': lessonTime,
  '2026-12-10T1100-account-safety': accountSafety,
  '2026-12-10T1200-leaders-learn': leadersLearn,
  '2026-12-12T1100-event-editing': eventEditing,
  '2026-12-12T1200-account-deactivation': accountDeactivation,
  '2026-12-12T1300-team-archive-invitations-notes': teamArchiveInvitationsNotes,
  '2026-12-12T1000-account-time-zone': accountTimeZone,
  '2026-12-12T1400-review-cards': reviewCards,
  '2026-12-17T1000-organisations': organisations,
  '2026-12-13T1000-event-review-stream': eventReviewStream,
  '2026-12-13T1010-stable-question-ids': stableQuestionIds,
  '2026-12-14T1000-learning-paths': learningPaths,
  '2026-12-15T1000-credit-provider': creditProvider,
  '2026-12-15T1010-credit-records': creditRecords,
  '2026-12-18T1000-automatic-reminders': automaticReminders,
  '2026-12-18T1100-recurring-training': recurringTraining,
  '2026-12-18T1200-single-sign-on': singleSignOn,
  '2026-12-18T1400-push-subscriptions': pushSubscriptions,
  '2026-12-18T1500-event-credit': eventCredit,
  '2026-12-18T1300-scim': scim,
};
