// The public face of this domain: pages, Actions and other domains import only this file.
export {
  closeJoining,
  courseLocks,
  createEvent,
  dashboard,
  eventForEditing,
  exportCsv,
  isEnrolled,
  joinEvent,
  joinLinkOf,
  lessonLock,
  listEvents,
  lookUpEventCode,
  myEvents,
  pauseSchedule,
  publicEvent,
  regenerateCode,
  reopenJoining,
  resumeSchedule,
  runEventNudges,
  setArchived,
  setNudges,
  unsubscribeWithToken,
  updateEvent,
} from './events.ts';
export {
  type EventCreditInput,
  type EventCreditOffer,
  attendeeCreditActivity,
  eventActivity,
  eventCredit,
  eventCreditActivities,
  eventCreditOffer,
  saveEventCredit,
} from './event-credit.ts';
export { runEventReviewStream } from './review-stream.ts';
export type { EventChanges } from './events.ts';
export type { EventCreditJson } from '#db/schema.ts';
