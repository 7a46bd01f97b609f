import { defineAction, ActionError } from 'astro:actions';
import { z } from 'astro/zod';
import { db } from '#server/platform/db.ts';
import { catalog } from '#server/kernel/catalog.ts';
import * as events from '#server/events/index.ts';
import { requireUser, run } from '#server/kernel/error-responses.ts';
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
  timeZoneField,
  welcomeField,
} from '#lib/event-validation.ts';

// Every event mutation. Handlers check the signed-in person here; the service checks
// that organiser operations come from an administrator.

async function eventContext(ctx: { locals: App.Locals }) {
  const user = requireUser(ctx.locals.user);
  return { db: await db(), catalog: await catalog(), user, clientIp: ctx.locals.clientIp };
}

const eventId = z.uuid('Unknown event.');

export const eventActions = {
  create: defineAction({
    accept: 'form',
    input: z.object({
      name: eventNameField,
      slug: eventSlugField,
      eventDate: dateField,
      timeZone: timeZoneField,
      location: locationField,
      welcomeMessage: welcomeField,
      courses: eventCoursesField,
      unlockTime: clockField,
      firstUnlockDays: firstUnlockDaysField,
      intervalDays: intervalDaysField,
      dayOffsets: dayOffsetsField,
    }),
    handler: (input, ctx) =>
      run(async () =>
        events.createEvent(await eventContext(ctx), {
          name: input.name,
          slug: input.slug,
          eventDate: input.eventDate,
          timeZone: input.timeZone,
          location: input.location,
          welcomeMessage: input.welcomeMessage,
          courses: input.courses,
          unlockMinute: input.unlockTime,
          firstUnlockDays: input.firstUnlockDays,
          intervalDays: input.intervalDays,
          dayOffsets: input.dayOffsets,
        }),
      ),
  }),

  regenerateCode: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.regenerateCode(await eventContext(ctx), input)),
  }),

  closeJoining: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.closeJoining(await eventContext(ctx), input)),
  }),

  join: defineAction({
    accept: 'form',
    input: z.object({ code: eventCodeField }),
    handler: (input, ctx) => run(async () => events.joinEvent(await eventContext(ctx), input)),
  }),

  pause: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.pauseSchedule(await eventContext(ctx), input)),
  }),

  resume: defineAction({
    accept: 'form',
    input: z.object({ eventId }),
    handler: (input, ctx) => run(async () => events.resumeSchedule(await eventContext(ctx), input)),
  }),

  setNudges: defineAction({
    accept: 'form',
    input: z.object({ eventId, on: z.enum(['on', 'off'], 'Choose on or off.') }),
    handler: (input, ctx) =>
      run(async () => events.setNudges(await eventContext(ctx), { eventId: input.eventId, on: input.on === 'on' })),
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
