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
  /** Which of the optional requirements apply (every lesson and the attestation always do). */
  requires: CreditRequirements;
}

/**
 * The requirements a provider may switch off per activity. Completing every lesson and
 * attesting are not among them: without the first there is no activity to credit, without
 * the second no claim (docs/continuing-education.md).
 */
export const OPTIONAL_REQUIREMENTS = ['postTest', 'engagementTime', 'evaluation'] as const;
export type OptionalRequirement = (typeof OPTIONAL_REQUIREMENTS)[number];
export type CreditRequirements = Record<OptionalRequirement, boolean>;

export const REQUIREMENT_LABELS: Record<OptionalRequirement, string> = {
  postTest: 'Post-test at the pass mark',
  engagementTime: 'Recorded time in the lessons',
  evaluation: 'Evaluation of the activity',
};

/** What applies when a provider says nothing: every requirement (the behaviour before they were optional). */
export const ALL_REQUIRED: CreditRequirements = { postTest: true, engagementTime: true, evaluation: true };

/** The requirements that apply, given what the provider stated (unstated ones apply). */
export function creditRequirements(stated: Partial<CreditRequirements> | undefined): CreditRequirements {
  return {
    postTest: stated?.postTest ?? true,
    engagementTime: stated?.engagementTime ?? true,
    evaluation: stated?.evaluation ?? true,
  };
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
