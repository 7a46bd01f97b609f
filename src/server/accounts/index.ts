// The public face of this domain: pages, Actions and other domains import only this file.
export {
  changeEmail,
  changeName,
  changePassword,
  endMyOtherSessions,
  endMySession,
  grantAdmin,
  isFreshInstall,
  mySessions,
  requestPasswordReset,
  resendVerificationMail,
  resetPassword,
  sendVerificationMail,
  signIn,
  signOut,
  signUp,
  verificationLinkIsOut,
  verifyEmail,
} from './accounts.ts';
export { hashPassword } from './passwords.ts';
export { clearPendingJoin, keepPendingJoin, pendingJoin } from './pending-join-cookie.ts';
export { listSessions } from './sessions-repo.ts';
export {
  clearSessionCookie,
  clearSignedInHint,
  sessionCookieName,
  setSessionCookie,
  setSignedInHint,
  validateSessionToken,
} from './sessions.ts';
export { createUser, eraseAccount, findUserById, markEmailVerified } from './users-repo.ts';
