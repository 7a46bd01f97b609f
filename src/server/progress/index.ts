// The public face of this domain: pages, Actions and other domains import only this file.
export {
  checkAttemptsOfUser,
  completeLesson,
  correctlyAnswered,
  lessonsWithAnswers,
  markStarted,
  progressOfUser,
  recordCheckAttempts,
} from './repo.ts';
