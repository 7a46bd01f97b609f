import { defineAction, ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { db } from '#server/platform/db.ts';
import { actionContext } from '#server/platform/request-context.ts';
import * as teams from '#server/teams/index.ts';
import * as reminders from '#server/teams/index.ts';
import { requestJobRun } from '#server/platform/jobs.ts';
import { run } from '#server/kernel/error-responses.ts';
import {
  clockField,
  courseField,
  dateField,
  emailListField,
  idField,
  inviteCodeField,
  inviteDaysField,
  maxUsesField,
  noteField,
  optionalCourseField,
  optionalDateField,
  pathDaysField,
  pathNameField,
  reminderDaysBeforeField,
  reminderNoteField,
  repeatMonthsField,
  teamDescriptionField,
  teamNameField,
} from '#lib/team-validation.ts';

// Every team mutation. Each handler checks the signed-in person here and the
// services check their role in the team (leader, member, admin) themselves.

const teamId = idField('team');
const assignmentId = idField('assignment');
const userId = idField('member');

/** A path's fields; its courses as numbered rows (a form without script has a fixed number: PATH_MAX_STEPS). */
export const pathFields = {
  name: pathNameField,
  startsOn: optionalDateField,
  inOrder: z.literal('on').nullish(),
  repeatMonths: repeatMonthsField,
  course1: optionalCourseField,
  days1: pathDaysField,
  course2: optionalCourseField,
  days2: pathDaysField,
  course3: optionalCourseField,
  days3: pathDaysField,
  course4: optionalCourseField,
  days4: pathDaysField,
  course5: optionalCourseField,
  days5: pathDaysField,
  course6: optionalCourseField,
  days6: pathDaysField,
};

/** The path the service takes: the rows in order, a row without a course as null. */
export function pathFrom(input: z.output<z.ZodObject<typeof pathFields>>): teams.PathInput {
  const rows: [string | null, number][] = [
    [input.course1, input.days1],
    [input.course2, input.days2],
    [input.course3, input.days3],
    [input.course4, input.days4],
    [input.course5, input.days5],
    [input.course6, input.days6],
  ];
  return {
    name: input.name,
    startsOn: input.startsOn,
    inOrder: input.inOrder === 'on',
    repeatMonths: input.repeatMonths,
    steps: rows.map(([courseSlug, offsetDays]) => (courseSlug ? { courseSlug, offsetDays } : null)),
  };
}

export const teamActions = {
  create: defineAction({
    accept: 'form',
    input: z.object({ name: teamNameField, description: teamDescriptionField }),
    handler: (input, ctx) => run(async () => teams.createTeam(await actionContext(ctx), input)),
  }),

  update: defineAction({
    accept: 'form',
    input: z.object({ teamId, name: teamNameField, description: teamDescriptionField }),
    handler: (input, ctx) => run(async () => teams.updateTeam(await actionContext(ctx), input)),
  }),

  setRole: defineAction({
    accept: 'form',
    input: z.object({ teamId, userId, role: z.enum(['leader', 'member'], 'Choose leader or member.') }),
    handler: (input, ctx) => run(async () => teams.setMemberRole(await actionContext(ctx), input)),
  }),

  learnWithTeam: defineAction({
    accept: 'form',
    input: z.object({ teamId, learns: z.enum(['yes', 'no'], 'Choose yes or no.') }),
    handler: (input, ctx) =>
      run(async () =>
        teams.learnWithTeam(await actionContext(ctx), { teamId: input.teamId, learns: input.learns === 'yes' }),
      ),
  }),

  removeMember: defineAction({
    accept: 'form',
    input: z.object({ teamId, userId }),
    handler: (input, ctx) => run(async () => teams.removeMember(await actionContext(ctx), input)),
  }),

  leave: defineAction({
    accept: 'form',
    input: z.object({ teamId }),
    handler: (input, ctx) => run(async () => teams.leaveTeam(await actionContext(ctx), input)),
  }),

  createInvite: defineAction({
    accept: 'form',
    input: z.object({ teamId, days: inviteDaysField, maxUses: maxUsesField }),
    handler: (input, ctx) => run(async () => teams.createInvite(await actionContext(ctx), input)),
  }),

  inviteByEmail: defineAction({
    accept: 'form',
    input: z.object({ teamId, emails: emailListField }),
    handler: (input, ctx) =>
      run(async () => teams.inviteByEmail(await actionContext(ctx), { teamId: input.teamId, ...input.emails })),
  }),

  archive: defineAction({
    accept: 'form',
    input: z.object({ teamId }),
    handler: (input, ctx) =>
      run(async () => teams.setTeamArchived(await actionContext(ctx), { teamId: input.teamId, archived: true })),
  }),

  unarchive: defineAction({
    accept: 'form',
    input: z.object({ teamId }),
    handler: (input, ctx) =>
      run(async () => teams.setTeamArchived(await actionContext(ctx), { teamId: input.teamId, archived: false })),
  }),

  revokeInvite: defineAction({
    accept: 'form',
    input: z.object({ teamId, inviteId: idField('invite') }),
    handler: (input, ctx) => run(async () => teams.revokeInvite(await actionContext(ctx), input)),
  }),

  join: defineAction({
    accept: 'form',
    input: z.object({ code: inviteCodeField }),
    handler: (input, ctx) => run(async () => teams.joinTeam(await actionContext(ctx), input)),
  }),

  assign: defineAction({
    accept: 'form',
    input: z.object({
      teamId,
      courseSlug: courseField,
      dueOn: dateField,
      note: noteField,
      repeatMonths: repeatMonthsField,
    }),
    handler: (input, ctx) => run(async () => teams.assignCourse(await actionContext(ctx), input)),
  }),

  /** A learner starts the renewal of a recurring course inside its window (decision 0041). */
  startRenewal: defineAction({
    accept: 'form',
    input: z.object({ courseSlug: courseField }),
    handler: (input, ctx) => run(async () => teams.startRenewal(await actionContext(ctx), input)),
  }),

  createPath: defineAction({
    accept: 'form',
    input: z.object({ teamId, ...pathFields }),
    handler: (input, ctx) =>
      run(async () => teams.createPath(await actionContext(ctx), { teamId: input.teamId, ...pathFrom(input) })),
  }),

  /** An administrator's organisation-wide programme: the path in every team. */
  publishPath: defineAction({
    accept: 'form',
    input: z.object(pathFields),
    handler: (input, ctx) => run(async () => teams.publishPathToEveryTeam(await actionContext(ctx), pathFrom(input))),
  }),

  removePath: defineAction({
    accept: 'form',
    input: z.object({ teamId, pathId: idField('path') }),
    handler: (input, ctx) => run(async () => teams.removePath(await actionContext(ctx), input)),
  }),

  changeDueDate: defineAction({
    accept: 'form',
    input: z.object({ teamId, assignmentId, dueOn: dateField }),
    handler: (input, ctx) => run(async () => teams.changeDueDate(await actionContext(ctx), input)),
  }),

  setMemberDueDate: defineAction({
    accept: 'form',
    input: z.object({ teamId, assignmentId, userId, dueOn: optionalDateField }),
    handler: (input, ctx) => run(async () => teams.setMemberDueDate(await actionContext(ctx), input)),
  }),

  removeAssignment: defineAction({
    accept: 'form',
    input: z.object({ teamId, assignmentId }),
    handler: (input, ctx) => run(async () => teams.removeAssignment(await actionContext(ctx), input)),
  }),

  sendReminders: defineAction({
    accept: 'form',
    input: z.object({ teamId, assignmentId, note: reminderNoteField }),
    handler: (input, ctx) =>
      run(async () => {
        const queued = await reminders.sendReminders(await actionContext(ctx), input);
        // Deliver what is outside quiet hours now rather than at the next minute; the rest waits for its time.
        if (queued.queued > 0) requestJobRun();
        return queued;
      }),
  }),

  savePreferences: defineAction({
    accept: 'form',
    input: z.object({
      quietStart: clockField,
      quietEnd: clockField,
      remindersOn: z.literal('on').nullish(),
    }),
    handler: (input, ctx) =>
      run(async () =>
        reminders.savePreferences(await actionContext(ctx), {
          quietStart: input.quietStart,
          quietEnd: input.quietEnd,
          remindersOn: input.remindersOn === 'on',
        }),
      ),
  }),

  /** The one-click unsubscribe from a reminder email: the signed token is the authorisation, no sign-in. */
  unsubscribe: defineAction({
    accept: 'form',
    input: z.object({
      token: z
        .string({ error: 'This link is not complete.' })
        .min(10, 'This link is not complete.')
        .max(200, 'This link is not valid.'),
    }),
    handler: async (input) => {
      const done = await reminders.unsubscribeWithToken(await db(), input.token);
      if (!done)
        throw new ActionError({
          code: 'BAD_REQUEST',
          message:
            'This unsubscribe link is not valid. Open it again from the email, or turn reminders off on your Teams page.',
        });
      return { unsubscribed: true };
    },
  }),

  /** A leader's automatic reminder schedule for the team (decision 0040). */
  saveReminderSchedule: defineAction({
    accept: 'form',
    input: z.object({
      teamId,
      automatic: z.literal('on').nullish(),
      daysBefore: reminderDaysBeforeField,
    }),
    handler: (input, ctx) =>
      run(async () => {
        const saved = await reminders.saveReminderSchedule(await actionContext(ctx), {
          teamId: input.teamId,
          automatic: input.automatic === 'on',
          daysBefore: input.daysBefore,
        });
        // Reminders the new schedule makes due now go out now rather than at the next minute.
        requestJobRun();
        return saved;
      }),
  }),

  /** The one-click stop for automatic reminders of some teams, or for a leader's weekly digest: the signed token is the authorisation. */
  stopAutomatic: defineAction({
    accept: 'form',
    input: z.object({
      token: z
        .string({ error: 'This link is not complete.' })
        .min(10, 'This link is not complete.')
        .max(200, 'This link is not valid.'),
      teams: z.string().max(800, 'This link is not valid.').nullish(),
      digest: z.literal('1').nullish(),
    }),
    handler: async (input) => {
      const done = input.digest
        ? await reminders.stopDigestWithToken(await db(), input.token)
        : await reminders.unsubscribeFromTeamsWithToken(await db(), input.token, input.teams ?? '');
      if (!done)
        throw new ActionError({
          code: 'BAD_REQUEST',
          message: 'This link is not valid. Open it again from the email, or change your settings on your Teams page.',
        });
      return { stopped: true, teams: Array.isArray(done) ? done : [] };
    },
  }),

  saveDigest: defineAction({
    accept: 'form',
    input: z.object({ digestOn: z.literal('on').nullish() }),
    handler: (input, ctx) => run(async () => reminders.saveDigestOn(await actionContext(ctx), input.digestOn === 'on')),
  }),
};
