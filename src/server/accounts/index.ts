// The public face of this domain: pages, Actions and other domains import only this file.
export {
  changeEmail,
  changePassword,
  grantAdmin,
  requestPasswordReset,
  resetPassword,
  sendVerificationMail,
  signIn,
  signUp,
  verifyEmail,
} from './accounts.ts';
export { hasLiveVerificationLink } from './email-tokens-repo.ts';
export { hashPassword } from './passwords.ts';
export { clearPendingJoin, keepPendingJoin, pendingJoin } from './pending-join-cookie.ts';
export { deleteSession, deleteUserSessions, listSessions } from './sessions-repo.ts';
export {
  clearSessionCookie,
  clearSignedInHint,
  sessionCookieName,
  setSessionCookie,
  setSignedInHint,
  validateSessionToken,
} from './sessions.ts';
export { createUser, eraseAccount, findUserById, hasAnyUser, markEmailVerified, updateUserName } from './users-repo.ts';
