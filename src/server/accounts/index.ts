// The public face of this domain: pages, Actions and other domains import only this file.
export {
  changeEmail,
  changeName,
  changePassword,
  changeTimeZone,
  confirmCurrentPassword,
  endMyOtherSessions,
  endMySession,
  grantAdmin,
  isFreshInstall,
  mySessions,
  requestPasswordReset,
  resendVerificationMail,
  resetPassword,
  sendRequestedPasswordResets,
  sendVerificationMail,
  signIn,
  signOut,
  signUp,
  undoEmailChange,
  verificationLinkIsOut,
  verifyEmail,
} from './accounts.ts';
export {
  deactivateAccount,
  grantAdminRole,
  LAST_ADMIN,
  listPeople,
  PEOPLE_PAGE_SIZE,
  personForAdmin,
  provisionAccount,
  reactivateAccount,
  refuseToEraseLastAdmin,
  removeAdminRole,
  setDeactivatedByDirectory,
  type Person,
  updateProvisionedAccount,
} from './people.ts';
// For the organisations domain: a person named by email, and the people at its verified domains.
export { findPersonByEmail, listConfirmedPeopleAtDomains, peopleByIds } from './people-repo.ts';
// For single sign-on: the account a provider's person is linked to.
export { findPerson } from './people-repo.ts';
export { DEACTIVATED, UseSingleSignOn } from './accounts.ts';
export { hashPassword } from './passwords.ts';
export { knownDeviceToken, setKnownDeviceCookie } from './known-devices.ts';
export { clearPendingJoin, keepPendingJoin, pendingJoin } from './pending-join-cookie.ts';
export {
  clearSessionCookie,
  createSession,
  clearSignedInHint,
  sessionCookieName,
  setSessionCookie,
  setSignedInHint,
  validateSessionToken,
} from './sessions.ts';
// For other domains: my-data (export, erase), certificates (the holder's current name), the demo seeder.
export { listSessions } from './sessions-repo.ts';
export { createUser, eraseAccount, findUserById, markEmailVerified } from './users-repo.ts';
