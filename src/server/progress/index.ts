// The public face of this domain: pages, Actions and other domains import only this file.
export {
  checkAttemptsOfUser,
  completeLesson,
  completeWithCheck,
  correctlyAnswered,
  lessonsWithAnswers,
  markStarted,
  progressOfUser,
  recordAnswer,
  recordCheckAttempts,
} from './repo.ts';
export { progressOnce } from './read-once.ts';
export type { CompletionOutcome, NewCard } from './repo.ts';
