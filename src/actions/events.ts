import { defineAction, ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { db } from '#server/platform/db.ts';
import { actionContext } from '#server/platform/request-context.ts';
import * as events from '#server/events/index.ts';
import { run } from '#server/kernel/error-responses.ts';
import {
  clockField,
  dateField,
  dayOffsetsField,
  eventCodeField,
  eventCoursesField,
  eventNameField,
  eventSlugField,
  firstUnlockDaysField,
  intervalDaysField,
  locationField,
  reviewWeeksField,
  timeZoneField,
  welcomeField,
} from '#lib/event-validation.ts';
import {
  creditTypesField,
  disclosuresField,
  eventActivityIdField,
  eventCreditHoursField,
  eventOutcomesField,
  optionalDateField,
  passMarkField,
  creditRequiresField,
} from '#lib/credit-validation.ts';

// Every event mutation. Handlers check the signed-in person here; the service checks
// that organiser operations come from an administrator.

const eventId = z.uuid('Unknown event.');

// What both the create and the edit form send about an event.
const eventFields = {
  name: eventNameField,
  eventDate: dateField,
  timeZone: timeZoneField,
  location: locationField,
  welcomeMessage: welcomeField,
  unlockTime: clockField,
  firstUnlockDays: firstUnlockDaysField,
  intervalDays: intervalDaysField,
  dayOffsets: dayOffsetsField,
  reviewWeeks: reviewWeeksField,
};

/** The form's "unlock time" is the service's minute of the day. */
function eventDetails<T extends { unlockTime: number }>({ unlockTime, ...rest }: T) {
  return { ...rest, unlockMinute: unlockTime };
}

export const eventActions = {
  create: defineAction({
    accept: 'form',
    input: z.object({ ...eventFields, slug: eventSlugField, courses: eventCoursesField }),
    handler: (input, ctx) => run(async () => events.createEvent(await actionContext(ctx), eventDetails(input))),
  }),

  update: defineAction({
    accept: 'form',
    input: z.object({ eventId, ...eventFields }),
    handler: (input, ctx) => run(async () => events.updateEvent(await actionContext(ctx), eventDetails(input))),
  }),

  /** The event's own continuing-education activity (decision 0045); an empty activity id removes it. */
  saveCredit: defineAction({
    accept: 'form',
    input: z.object({
      eventId,
      activityId: eventActivityIdField,
      creditTypes: creditTypesField,
      hours: eventCreditHoursField,
      disclosures: disclosuresField,
      outcomes: eventOutcomesField,
      starts: optionalDateField,
      expires: optionalDateField,
      passMark: passMarkField,
      requires: creditRequiresField,
    }),
    handler: (input, ctx) => run(async () => events.saveEventCredit(await actionContext(ctx), input)),
  }),

  regenerateCode: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.regenerateCode(await actionContext(ctx), input)),
  }),

  closeJoining: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.closeJoining(await actionContext(ctx), input)),
  }),

  reopenJoining: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.reopenJoining(await actionContext(ctx), input)),
  }),

  /** Archiving asks for a ticked confirmation; unarchiving does not. */
  archive: defineAction({
    accept: 'form',
    input: z.object({
      eventId,
      confirm: z.literal('yes', 'Tick the box to confirm archiving this event.'),
    }),
    handler: (input, ctx) =>
      run(async () => events.setArchived(await actionContext(ctx), { eventId: input.eventId, archived: true })),
  }),

  unarchive: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) =>
      run(async () => events.setArchived(await actionContext(ctx), { eventId: input.eventId, archived: false })),
  }),

  join: defineAction({
    accept: 'form',
    input: z.object({ code: eventCodeField }),
    handler: (input, ctx) => run(async () => events.joinEvent(await actionContext(ctx), input)),
  }),

  pause: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.pauseSchedule(await actionContext(ctx), input)),
  }),

  resume: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.resumeSchedule(await actionContext(ctx), input)),
  }),

  setNudges: defineAction({
    accept: 'form',
    input: z.object({ eventId, on: z.enum(['on', 'off'], 'Choose on or off.') }),
    handler: (input, ctx) =>
      run(async () => events.setNudges(await actionContext(ctx), { eventId: input.eventId, on: input.on === 'on' })),
  }),

  /** The one-click unsubscribe from a nudge email: the signed token is the authorisation, no sign-in. */
  unsubscribe: defineAction({
    accept: 'form',
    input: z.object({
      token: z
        .string({ error: 'This link is not complete.' })
        .min(10, 'This link is not complete.')
        .max(200, 'This link is not valid.'),
    }),
    handler: async (input) => {
      const done = await events.unsubscribeWithToken(await db(), input.token);
      if (!done)
        throw new ActionError({
          code: 'BAD_REQUEST',
          message:
            'This unsubscribe link is not valid. Open it again from the email, or turn emails off for the event on Today.',
        });
      return { unsubscribed: true, eventName: done.eventName };
    },
  }),
};
