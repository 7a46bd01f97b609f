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
export { addMember, insertAssignment, insertInvite, insertTeam, roleInTeam } from './repo.ts';
export {
  type TeamPage,
  assignCourse,
  changeDueDate,
  createInvite,
  createTeam,
  exportCsv,
  joinTeam,
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
  teamPage,
  teamToday,
  updateTeam,
} from './teams.ts';
