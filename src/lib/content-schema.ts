import { z } from 'astro/zod';
import { CREDIT_TYPES, creditRequirements } from './credit-rules.ts';

// The shape of courses and lessons under content/ (see content/README.md).
const text = (max: number) => z.string().trim().min(1).max(max);

export const DRIVERS = ['patient-connection', 'team-collaboration', 'leadership', 'integrative'] as const;
export const DRIVER_LABELS: Record<(typeof DRIVERS)[number], string> = {
  'patient-connection': 'Patient connection',
  'team-collaboration': 'Team collaboration',
  leadership: 'Leadership',
  integrative: 'All three drivers',
};

const quarterHours = z
  .number()
  .positive()
  .max(40)
  .refine((hours) => Number.isInteger(hours * 4), 'hours must be a multiple of 0.25');

/**
 * Continuing-education credit the course can offer (issue 21). Stating it claims nothing:
 * a kind of credit is shown and awarded only once the provider enables it under
 * Administration → Credit (decision 0035).
 */
const creditSchema = z
  .strictObject({
    /** The provider's id for this activity, printed on certificates with credit. */
    activityId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$/, 'activityId: 2-40 letters, digits, dots, dashes or underscores'),
    types: z
      .array(z.object({ type: z.enum(CREDIT_TYPES), hours: quarterHours }))
      .min(1)
      .max(3)
      .refine((types) => new Set(types.map((t) => t.type)).size === types.length, 'each credit type once'),
    /** Planners', authors' and reviewers' relevant financial relationships: "none" stated explicitly. */
    disclosures: z.union([
      z.literal('none'),
      z.array(z.object({ name: text(120), role: text(120), relationship: text(300) })).min(1),
    ]),
    starts: z.coerce.date(),
    expires: z.coerce.date(),
    /** The post-test pass mark over the course's check questions, in per cent. */
    passMark: z.number().int().min(50).max(100).default(80),
    /**
     * Which optional requirements apply; each unstated one does. Every lesson and the
     * attestation always apply. Unknown keys are refused, so a misspelling cannot drop one.
     */
    requires: z
      .strictObject({
        postTest: z.boolean().optional(),
        engagementTime: z.boolean().optional(),
        evaluation: z.boolean().optional(),
      })
      .optional()
      .transform((stated) => creditRequirements(stated)),
  })
  .refine((credit) => credit.expires.getTime() > credit.starts.getTime(), {
    message: 'expires must be after starts',
    path: ['expires'],
  });

export const courseSchema = z
  .object({
    title: text(120),
    summary: text(160),
    description: text(1200),
    driver: z.enum(DRIVERS),
    audience: text(300),
    objectives: z.array(text(200)).min(2).max(5),
    contactHours: z
      .number()
      .positive()
      .max(40)
      .refine((hours) => Number.isInteger(hours * 4), 'contactHours must be a multiple of 0.25'),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'version must look like 1.0.0'),
    released: z.coerce.date(),
    lastReviewed: z.coerce.date(),
    recertifyMonths: z.number().int().min(1).max(120).optional(),
    credit: creditSchema.optional(),
  })
  .refine((course) => !course.credit || course.credit.types.every((t) => t.hours <= course.contactHours), {
    message: 'credit hours cannot exceed contactHours',
    path: ['credit', 'types'],
  });

// The lesson page puts "Correct." or "Not this one." before the feedback; a verdict of the
// author's own would say it twice.
const VERDICT_OPENING = /^(correct|right|not quite|not this one|wrong|no|yes)\s*[.,!:—–-]/i;

const option = z.object({
  text: text(300),
  correct: z.boolean().default(false),
  feedback: text(600).refine((feedback) => !VERDICT_OPENING.test(feedback), {
    message: 'feedback must not open with a verdict ("Right.", "Not quite."): the page adds one',
  }),
});

/**
 * A question's permanent id within its lesson: learners' review cards are keyed by it, so
 * questions can be reordered or added without moving anyone's schedule (decision 0030).
 */
export const QUESTION_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const question = z
  .object({
    id: z
      .string()
      .max(40)
      .regex(QUESTION_ID, 'id must be lower-case letters, digits and dashes, e.g. fridge-alarm-first-step'),
    question: text(300),
    options: z.array(option).min(3).max(5),
  })
  .refine((q) => q.options.filter((o) => o.correct).length === 1, {
    message: 'exactly one option must have correct: true',
    path: ['options'],
  });

export const lessonSchema = z
  .object({
    title: text(120),
    summary: text(160),
    minutes: z.number().int().min(2).max(7),
    objectives: z.array(text(200)).min(2).max(3),
    check: z.array(question).min(2).max(3),
    /** Questions for spaced review after the lesson is completed, beyond its check: not part of its minutes. */
    review: z.array(question).min(4).max(8),
    reflection: text(400),
    huddle: z.array(text(300)).min(2).max(4),
    references: z.array(text(400)),
  })
  .superRefine((lesson, ctx) => {
    // Card ids must stay unique within the lesson, across its check and review questions.
    const seen = new Set<string>();
    for (const [section, questions] of [
      ['check', lesson.check],
      ['review', lesson.review],
    ] as const)
      questions.forEach((q, index) => {
        if (seen.has(q.id))
          ctx.addIssue({
            code: 'custom',
            path: [section, index, 'id'],
            message: `id "${q.id}" is used twice in this lesson; each question needs its own (never reuse an old one)`,
          });
        seen.add(q.id);
      });
  });

export type CourseData = z.infer<typeof courseSchema>;
export type LessonData = z.infer<typeof lessonSchema>;
