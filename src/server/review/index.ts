// The public face of this domain: pages, Actions and other domains import only this file.
export {
  answerReview,
  courseMastered,
  createCardsForLesson,
  masteredCourses,
  newCardsForLesson,
  nextReview,
  reviewSummary,
  teamReview,
  type TeamCourseReview,
} from './review.ts';
export { answerFromEmail, emailReviewPage, emailReviewToken, EMAIL_LINK_DAYS, mostOverdueCard } from './by-email.ts';
// For my-data's export (a data-level read, like progress's).
export { reviewsOfUser } from './repo.ts';
