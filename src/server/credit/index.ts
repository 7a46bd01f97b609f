// The public face of this domain: pages, Actions and other domains import only this file.
export {
  type CourseCreditOffer,
  type CreditProvider,
  courseCreditOffer,
  creditOffer,
  creditProvider,
  saveCreditProvider,
} from './credit.ts';
export {
  type CertificateCredit,
  type CreditStatus,
  type EvaluationInput,
  certificateCredit,
  creditStatus,
  EVALUATION_FORM_VERSION,
  LIKERT,
  postTestQuestions,
  recordAttestation,
  submitEvaluation,
  submitPostTest,
} from './earning.ts';
export { type EvaluationSummary, activityReport, evaluationSummary } from './reports.ts';
export { type EventCreditRow, creditClaimedForEvent, creditRecordsOfUser } from './records-repo.ts';
export { type ActivityRef, type CreditActivity, courseActivity } from './activity.ts';
