// The lesson islands' longer sentences, passed to them as props from the (prerendered) lesson
// page: as page HTML they cost nothing of the lesson's 20 KB JavaScript budget.
import { REFLECTION_MAX } from './limits.ts';

export const CHECK_TEXTS = {
  needsMoreTime:
    'Your completion is saved. Take a little more time with this lesson, then press “Mark complete” again so your certificate can count it.',
  offline: 'Not saved — the connection failed. Your answers are still here; try again in a moment.',
  chooseFirst: 'Choose one of the answers first.',
  signInHint: 'You will be asked to sign in to save your progress.',
};

export const REFLECTION_TEXTS = {
  retrying: 'Not saved — retrying. Your text is kept on this device.',
  tooLong: `Too long to save: reflections can be up to ${REFLECTION_MAX.toLocaleString('en')} characters. Your text is kept here.`,
  signedOut: 'Sign in to save your reflection. What you type is kept on this device until then.',
};
