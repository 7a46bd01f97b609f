// The public face of this domain: pages, Actions and other domains import only this file.
export {
  closeJoining,
  createEvent,
  dashboard,
  exportCsv,
  joinEvent,
  joinLinkOf,
  lessonLock,
  listEvents,
  lookUpEventCode,
  myEvents,
  pauseSchedule,
  publicEvent,
  regenerateCode,
  resumeSchedule,
  runEventNudges,
  setNudges,
  unsubscribeWithToken,
} from './events.ts';
export { findEnrollment } from './repo.ts';
