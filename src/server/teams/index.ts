// The public face of this domain: pages, Actions and other domains import only this file.
export { preferencesOf } from './reminders-repo.ts';
export {
  myPreferences,
  planReminders,
  runDueReminders,
  savePreferences,
  sendReminders,
  unsubscribeWithToken,
} from './reminders.ts';
// Writes without checks, for the demo seeder only (it backdates what a real team would do over weeks).
export { addMember, insertAssignment, insertInvite, insertTeam, setLearnsWithTeam } from './repo.ts';
// For the organisations domain: a team's name, and the role someone has in it; SCIM group members joining and leaving.
export { addDirectoryMember, findTeam, removeDirectoryMember, roleInTeam, teamsByIds } from './repo.ts';
export {
  type MyPath,
  type PathInput,
  type PathStep,
  createPath,
  myPath,
  myPaths,
  myTeamWork,
  pathLock,
  publishPathToEveryTeam,
  publishPathToTeams,
  removePath,
} from './paths.ts';
export { type RecordRow, trainingRecord, trainingRecordCsv } from './record.ts';
export { startRenewal } from './renewals.ts';
export { type EmailInviteResult, forgetOldEmailInvitations, inviteByEmail, RESEND_AFTER_DAYS } from './invitations.ts';
export {
  type AssignmentTotals,
  type TeamPage,
  assignCourse,
  assignmentTotals,
  changeDueDate,
  createInvite,
  createTeam,
  inviteLink,
  isMemberOf,
  joinTeam,
  learnWithTeam,
  leaveTeam,
  lookUpInvite,
  manageView,
  memberView,
  myAssignments,
  myTeams,
  removeAssignment,
  removeMember,
  revokeInvite,
  setMemberDueDate,
  setMemberRole,
  setTeamArchived,
  teamPage,
  teamToday,
  updateTeam,
} from './teams.ts';
export {
  type FollowUpResult,
  type NextReminder,
  digestOffUrl,
  myDigestOn,
  reminderSchedule,
  runAutomaticReminders,
  runLeaderDigests,
  saveDigestOn,
  saveReminderSchedule,
  stopDigestWithToken,
  teamUnsubscribeUrl,
  unsubscribeFromTeamsWithToken,
  whoGetsWhatNext,
} from './automatic-reminders.ts';
