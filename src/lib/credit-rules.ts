// Pure rules of continuing-education credit (issue 21): which credit a course may state,
// and what a learner must show before a certificate with credit. No I/O.

/** The kinds of credit a course can offer. A kind is claimed only once the provider enables it. */
export const CREDIT_TYPES = ['nursing-contact-hours', 'ama-pra-category-1', 'participation'] as const;
export type CreditType = (typeof CREDIT_TYPES)[number];

export const CREDIT_TYPE_LABELS: Record<CreditType, string> = {
  'nursing-contact-hours': 'Nursing contact hours',
  'ama-pra-category-1': 'AMA PRA Category 1 Credit™',
  participation: 'Certificate of participation (hours)',
};

/** How a course states its credit (content/<course>/course.yaml, `credit:`). */
export interface CourseCredit {
  activityId: string;
  types: { type: CreditType; hours: number }[];
  disclosures: 'none' | { name: string; role: string; relationship: string }[];
  starts: Date;
  expires: Date;
  passMark: number;
}

/** What the provider has set under Administration → Credit (else the first-run defaults). */
export interface CreditProviderSettings {
  name: string;
  accreditationStatement: string;
  approverStatement: string;
  enabledTypes: readonly CreditType[];
}

/** The credit a course offers here: its kinds the provider has enabled. Empty: no credit is offered. */
export function offeredCredit(credit: CourseCredit | undefined, provider: CreditProviderSettings) {
  if (!credit) return [];
  return credit.types.filter(({ type }) => provider.enabledTypes.includes(type));
}

/** Whether the activity is open for credit on `now`: from its start day to its expiry day, both included. */
export function activityOpen(credit: Pick<CourseCredit, 'starts' | 'expires'>, now: Date): boolean {
  const day = 86_400_000;
  return now.getTime() >= credit.starts.getTime() && now.getTime() < credit.expires.getTime() + day;
}

/** A post-test score in whole per cent (rounded down: 79.9 % does not pass an 80 % mark). */
export function postTestScore(correct: number, questions: number): number {
  if (questions <= 0) return 0;
  return Math.floor((Math.min(correct, questions) / questions) * 100);
}

export function passesPostTest(correct: number, questions: number, passMark: number): boolean {
  return postTestScore(correct, questions) >= passMark;
}

/**
 * Seconds of recorded engagement a course needs for credit: `floor` (the LESSON_TIME_FLOOR
 * share, decision 0024) of each lesson's stated minutes, summed lesson by lesson as the
 * certificate rule counts them.
 */
export function engagementFloorSeconds(lessons: readonly { minutes: number }[], floor: number): number {
  return lessons.reduce((sum, lesson) => sum + Math.ceil(lesson.minutes * 60 * floor), 0);
}

/**
 * Why the hours a learner claims cannot be accepted, or undefined when they can: a
 * positive multiple of 0.25, at most what the course allows for this kind of credit.
 */
export function claimedHoursProblem(claimed: number, allowed: number): string | undefined {
  if (!Number.isFinite(claimed) || claimed <= 0) return 'Claim a number of hours above zero.';
  if (!Number.isInteger(claimed * 4)) return 'Claim hours in quarters: 0.25, 0.5, 0.75 and so on.';
  if (claimed > allowed) return `You can claim at most ${allowed} hours for this activity.`;
  return undefined;
}

// ---- activities: a course, or an event (decision 0045)

/** Where an event activity's records are kept: `event:<slug>` (course slugs have no colon). */
export const EVENT_ACTIVITY_PREFIX = 'event:';
export const eventActivityKey = (eventSlug: string) => `${EVENT_ACTIVITY_PREFIX}${eventSlug}`;
export const isEventActivityKey = (key: string) => key.startsWith(EVENT_ACTIVITY_PREFIX);

/** An event's hours: its courses' contact hours together. Its credit may state no more. */
export function eventContactHours(courses: readonly { contactHours: number }[]): number {
  return Math.round(courses.reduce((sum, course) => sum + course.contactHours, 0) * 100) / 100;
}
