// The public face of this domain: pages, Actions and other domains import only this file.
export {
  answerReview,
  courseMastered,
  createCardsForLesson,
  nextReview,
  reviewSummary,
  teamCourseReview,
  type TeamCourseReview,
} from './review.ts';
// For my-data's export (a data-level read, like progress's).
export { reviewsOfUser } from './repo.ts';
