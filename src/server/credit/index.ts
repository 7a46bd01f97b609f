// The public face of this domain: pages, Actions and other domains import only this file.
export {
  type CourseCreditOffer,
  type CreditProvider,
  courseCreditOffer,
  creditProvider,
  saveCreditProvider,
} from './credit.ts';
