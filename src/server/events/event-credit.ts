import type { Kysely } from 'kysely';
import type { Database, EventCreditJson } from '#db/schema.ts';
import type { Catalog, CatalogCourse } from '#lib/catalog.ts';
import {
  CREDIT_TYPES,
  creditRequirements,
  eventActivityKey,
  OPTIONAL_REQUIREMENTS,
  eventContactHours,
  type CourseCredit,
  type CreditType,
  type OptionalRequirement,
} from '#lib/credit-rules.ts';
import { isEventSlug } from '#lib/event-rules.ts';
import { POST_TEST_MAX } from '#lib/credit-validation.ts';
import { requireAdmin, type RequestContext } from '#server/kernel/context.ts';
import { ConflictError, FieldError, NotFoundError } from '#server/kernel/errors.ts';
import { recordAudit } from '#server/audit/index.ts';
import { creditOffer, type CourseCreditOffer, type CreditActivity } from '#server/credit/index.ts';
import * as repo from './repo.ts';

// An event's own continuing-education activity (issue 21 §1, decision 0045): the organiser
// states it on the event; attendees earn it over the event's courses, the way a course's
// credit is earned, and the provider reports it beside the courses'.

const ADMINS_ONLY = 'Only administrators can manage events.';
const NO_SUCH_EVENT = 'That event does not exist.';
const NO_CREDIT = 'This event offers no continuing-education credit.';

async function coursesOf(db: Kysely<Database>, catalog: Catalog, eventId: string): Promise<CatalogCourse[]> {
  const slugs = (await repo.coursesOfEvents(db, [eventId])).get(eventId) ?? [];
  return slugs.map((slug) => catalog.course(slug)).filter((c): c is CatalogCourse => c !== undefined);
}

function creditOf(json: EventCreditJson): CourseCredit {
  return {
    activityId: json.activityId,
    types: json.types.filter((t): t is { type: CreditType; hours: number } =>
      (CREDIT_TYPES as readonly string[]).includes(t.type),
    ),
    disclosures: json.disclosures,
    starts: new Date(`${json.starts}T00:00:00Z`),
    expires: new Date(`${json.expires}T00:00:00Z`),
    passMark: json.passMark,
    requires: creditRequirements(json.requires),
  };
}

/** The event's activity, over its courses; undefined when the organiser set no credit. */
export function eventActivity(event: repo.EventRow, courses: CatalogCourse[]): CreditActivity | undefined {
  if (!event.credit || courses.length === 0) return undefined;
  return {
    key: eventActivityKey(event.slug),
    kind: 'event',
    title: event.name,
    description: `${event.name}: ${courses.map((c) => c.title).join('; ')}.`,
    version: courses.map((c) => `${c.slug}@${c.version}`).join(' '),
    courses,
    credit: creditOf(event.credit),
    outcomes: event.credit.outcomes,
    contactHours: eventContactHours(courses),
    url: `/events/${event.slug}/credit`,
    homeUrl: `/events/${event.slug}`,
  };
}

export interface EventCreditOffer {
  offer: CourseCreditOffer;
  outcomes: string[];
}

/** What the event page shows before joining: the offer (only kinds the provider enabled) and the outcomes. */
export async function eventCreditOffer(
  db: Kysely<Database>,
  event: repo.EventRow,
  now = new Date(),
): Promise<EventCreditOffer | undefined> {
  if (!event.credit) return undefined;
  const offer = await creditOffer(db, creditOf(event.credit), now);
  return offer && { offer, outcomes: event.credit.outcomes };
}

/** The event's activity for the signed-in person, and whether they joined (attendance). */
export async function eventCredit(ctx: RequestContext, slug: string) {
  const event = isEventSlug(slug) ? await repo.findEventBySlug(ctx.db, slug) : undefined;
  if (!event) throw new NotFoundError(NO_SUCH_EVENT);
  const activity = eventActivity(event, await coursesOf(ctx.db, ctx.catalog, event.id));
  if (!activity) throw new NotFoundError(NO_CREDIT);
  const enrolled = (await repo.findEnrollment(ctx.db, event.id, ctx.user.id)) !== undefined;
  return { event, activity, enrolled };
}

/** The activity an attendee acts on (post-test, evaluation, attestation): only someone who joined the event. */
export async function attendeeCreditActivity(ctx: RequestContext, slug: string): Promise<CreditActivity> {
  const { activity, enrolled } = await eventCredit(ctx, slug);
  if (!enrolled) throw new ConflictError('Join the event first: its credit is for its attendees.');
  return activity;
}

/** Every event activity, for the provider's reports (administrators). */
export async function eventCreditActivities(ctx: RequestContext): Promise<CreditActivity[]> {
  requireAdmin(ctx, 'Only administrators can read continuing-education records.');
  const events = await repo.eventsWithCredit(ctx.db);
  const activities = await Promise.all(
    events.map(async (event) => eventActivity(event, await coursesOf(ctx.db, ctx.catalog, event.id))),
  );
  return activities.filter((a): a is CreditActivity => a !== undefined);
}

export interface EventCreditInput {
  eventId: string;
  /** Empty: the event offers no credit of its own (any statement is removed). */
  activityId: string;
  creditTypes: CreditType[];
  hours: number | null | undefined;
  disclosures: string;
  outcomes: string;
  starts: string;
  expires: string;
  passMark: number;
  /** The optional requirements that apply (the ticked boxes); absent: all of them. */
  requires?: OptionalRequirement[];
}

const MAX_OUTCOMES = 5;

/** Lines of "Name | role | relationship", or "none" stated explicitly. */
function parseDisclosures(text: string): EventCreditJson['disclosures'] {
  const trimmed = text.trim();
  if (/^none\.?$/i.test(trimmed)) return 'none';
  if (!trimmed)
    throw new FieldError(
      'disclosures',
      'State the disclosures: write “none” when no planner or author has a relevant financial relationship.',
    );
  const lines = trimmed
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.map((line) => {
    const parts = line.split('|').map((part) => part.trim());
    if (parts.length !== 3 || parts.some((part) => !part))
      throw new FieldError(
        'disclosures',
        `Write each disclosure as “Name | role | relationship” (this line is not: “${line.slice(0, 60)}”).`,
      );
    return { name: parts[0]!, role: parts[1]!, relationship: parts[2]! };
  });
}

/** The organiser states (or removes) the event's own credit activity; audit-logged. */
export async function saveEventCredit(ctx: RequestContext, input: EventCreditInput) {
  requireAdmin(ctx, ADMINS_ONLY);
  const event = await repo.findEventById(ctx.db, input.eventId);
  if (!event) throw new NotFoundError(NO_SUCH_EVENT);
  let credit: EventCreditJson | null = null;
  if (input.activityId) {
    const courses = await coursesOf(ctx.db, ctx.catalog, event.id);
    const most = eventContactHours(courses);
    const types = CREDIT_TYPES.filter((type) => input.creditTypes.includes(type));
    if (types.length === 0) throw new FieldError('creditTypes', 'Tick at least one kind of credit the event offers.');
    if (input.hours === null || input.hours === undefined)
      throw new FieldError('hours', 'Enter the hours of credit, e.g. 0.5.');
    if (!Number.isInteger(input.hours * 4))
      throw new FieldError('hours', 'Give the hours in quarters: 0.25, 0.5, 0.75 and so on.');
    if (input.hours > most)
      throw new FieldError('hours', `At most ${most} hours: the event's courses take ${most} contact hours together.`);
    const questions = courses.reduce((sum, c) => sum + c.lessons.reduce((n, l) => n + l.check.length, 0), 0);
    if (questions > POST_TEST_MAX)
      throw new FieldError(
        'activityId',
        `The event's courses ask ${questions} questions: a post-test can have at most ${POST_TEST_MAX}.`,
      );
    const disclosures = parseDisclosures(input.disclosures);
    const outcomes = input.outcomes
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (outcomes.length === 0 || outcomes.length > MAX_OUTCOMES)
      throw new FieldError('outcomes', `List the learning outcomes, one per line (1 to ${MAX_OUTCOMES}).`);
    if (!input.starts) throw new FieldError('starts', 'Choose the day credit starts.');
    if (!input.expires) throw new FieldError('expires', 'Choose the day credit expires.');
    if (input.expires <= input.starts)
      throw new FieldError('expires', 'The expiry date must come after the start date.');
    credit = {
      activityId: input.activityId,
      types: types.map((type) => ({ type, hours: input.hours! })),
      disclosures,
      outcomes,
      starts: input.starts,
      expires: input.expires,
      passMark: input.passMark,
      requires: Object.fromEntries(
        OPTIONAL_REQUIREMENTS.map((requirement) => [requirement, input.requires?.includes(requirement) ?? true]),
      ) as Required<EventCreditJson>['requires'],
    };
  }
  await ctx.db.transaction().execute(async (tx) => {
    await repo.setEventCredit(tx, event.id, credit);
    await recordAudit(tx, {
      actorId: ctx.user.id,
      action: 'event.credit.save',
      target: `event:${event.id}`,
      details: { before: event.credit, after: credit },
    });
  });
  return { slug: event.slug, credit };
}
