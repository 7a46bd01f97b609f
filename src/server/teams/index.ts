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
  publishPathToEveryTeam,
  removePath,
} from './paths.ts';
export { type RecordRow, trainingRecord, trainingRecordCsv } from './record.ts';
export { type EmailInviteResult, forgetOldEmailInvitations, inviteByEmail, RESEND_AFTER_DAYS } from './invitations.ts';
export {
  type AssignmentTotals,
  type TeamPage,
  assignCourse,
  assignmentTotals,
  changeDueDate,
  createInvite,
  createTeam,
  exportCsv,
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
