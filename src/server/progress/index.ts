// The public face of this domain: pages, Actions and other domains import only this file.
export {
  checkAttemptsOfUser,
  completeLesson,
  completeWithCheck,
  correctlyAnswered,
  lessonsWithAnswers,
  latestTerms,
  markStarted,
  openNextTerm,
  progressOfUser,
  recordAnswer,
  recordCheckAttempts,
  termsOfUser,
} from './repo.ts';
export { progressOnce } from './read-once.ts';
export type { CompletionOutcome, CourseTerm, NewCard } from './repo.ts';
