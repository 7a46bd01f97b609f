import { describe, expect, it } from 'vitest';
import {
  activityOpen,
  ALL_REQUIRED,
  claimedHoursProblem,
  creditRequirements,
  engagementFloorSeconds,
  eventActivityKey,
  eventContactHours,
  isEventActivityKey,
  offeredCredit,
  passesPostTest,
  postTestScore,
  type CourseCredit,
} from '#lib/credit-rules.ts';
import { courseSchema } from '#lib/content-schema.ts';
import { loadCurriculum } from '#lib/content-files.ts';

const credit: CourseCredit = {
  activityId: 'PYHF-2026',
  types: [
    { type: 'nursing-contact-hours', hours: 0.25 },
    { type: 'ama-pra-category-1', hours: 0.25 },
  ],
  disclosures: 'none',
  starts: new Date('2026-11-01T00:00:00Z'),
  expires: new Date('2028-10-31T00:00:00Z'),
  passMark: 80,
  requires: ALL_REQUIRED,
};

describe('the post-test pass mark', () => {
  it('scores whole per cent, rounded down, so a mark is never reached by rounding', () => {
    expect(postTestScore(4, 5)).toBe(80);
    expect(postTestScore(11, 14)).toBe(78);
    expect(postTestScore(0, 0)).toBe(0);
    expect(passesPostTest(4, 5, 80)).toBe(true);
    expect(passesPostTest(3, 5, 80)).toBe(false);
    // 79.99 % is not 80 %.
    expect(passesPostTest(7999, 10_000, 80)).toBe(false);
    expect(passesPostTest(12, 12, 100)).toBe(true);
  });
});

describe('the engagement floor', () => {
  it('is the floor share of each lesson’s minutes, rounded up per lesson', () => {
    expect(engagementFloorSeconds([{ minutes: 4 }, { minutes: 5 }], 0.25)).toBe(60 + 75);
    expect(engagementFloorSeconds([{ minutes: 3 }], 0.3)).toBe(54);
    expect(engagementFloorSeconds([{ minutes: 7 }], 0)).toBe(0);
  });
});

describe('hours claimed', () => {
  it('are quarters above zero and at most what the course allows', () => {
    expect(claimedHoursProblem(0.25, 0.5)).toBeUndefined();
    expect(claimedHoursProblem(0.5, 0.5)).toBeUndefined();
    expect(claimedHoursProblem(0.75, 0.5)).toMatch(/at most 0.5/);
    expect(claimedHoursProblem(0, 0.5)).toMatch(/above zero/);
    expect(claimedHoursProblem(0.3, 0.5)).toMatch(/quarters/);
    expect(claimedHoursProblem(Number.NaN, 0.5)).toMatch(/above zero/);
  });
});

describe('what a course offers', () => {
  it('is nothing until the provider enables a kind the course states', () => {
    const provider = { name: 'P', accreditationStatement: '', approverStatement: '', enabledTypes: [] };
    expect(offeredCredit(credit, provider)).toEqual([]);
    expect(offeredCredit(undefined, { ...provider, enabledTypes: ['participation'] })).toEqual([]);
    expect(offeredCredit(credit, { ...provider, enabledTypes: ['nursing-contact-hours', 'participation'] })).toEqual([
      { type: 'nursing-contact-hours', hours: 0.25 },
    ]);
  });

  it('is open from the start day through the whole expiry day', () => {
    expect(activityOpen(credit, new Date('2026-10-31T23:59:59Z'))).toBe(false);
    expect(activityOpen(credit, new Date('2026-11-01T00:00:00Z'))).toBe(true);
    expect(activityOpen(credit, new Date('2028-10-31T23:59:59Z'))).toBe(true);
    expect(activityOpen(credit, new Date('2028-11-01T00:00:00Z'))).toBe(false);
  });
});

describe('a course’s credit in its content file', () => {
  const [course] = loadCurriculum('content').filter((c) => c.data.credit);
  const data = { ...course!.data };

  it('is stated by one seed course, and parses', () => {
    expect(course).toBeDefined();
    expect(courseSchema.safeParse(data).success).toBe(true);
  });

  it('cannot state more hours than the course’s contact hours, nor end before it starts', () => {
    const more = {
      ...data,
      credit: { ...data.credit!, types: [{ type: 'participation', hours: data.contactHours + 0.25 }] },
    };
    expect(courseSchema.safeParse(more).success).toBe(false);
    const backwards = { ...data, credit: { ...data.credit!, expires: new Date('2020-01-01') } };
    expect(courseSchema.safeParse(backwards).success).toBe(false);
  });

  it('states disclosures explicitly ("none" or a list), and a credit type once', () => {
    const { disclosures: _omitted, ...withoutDisclosures } = data.credit!;
    expect(courseSchema.safeParse({ ...data, credit: withoutDisclosures }).success).toBe(false);
    expect(courseSchema.safeParse({ ...data, credit: { ...data.credit!, disclosures: 'n/a' } }).success).toBe(false);
    const twice = { ...data.credit!, types: [data.credit!.types[0]!, data.credit!.types[0]!] };
    expect(courseSchema.safeParse({ ...data, credit: twice }).success).toBe(false);
    expect(
      courseSchema.safeParse({ ...data, credit: { ...data.credit!, types: [{ type: 'cme-magic', hours: 0.25 }] } })
        .success,
    ).toBe(false);
  });
});

describe('which requirements apply', () => {
  it('are all of them when the provider states none, so existing activities keep every requirement', () => {
    expect(creditRequirements(undefined)).toEqual({ postTest: true, engagementTime: true, evaluation: true });
    expect(creditRequirements({})).toEqual(ALL_REQUIRED);
  });

  it('drop only what the provider switched off', () => {
    expect(creditRequirements({ evaluation: false })).toEqual({
      postTest: true,
      engagementTime: true,
      evaluation: false,
    });
    expect(creditRequirements({ postTest: false, engagementTime: false, evaluation: true })).toEqual({
      postTest: false,
      engagementTime: false,
      evaluation: true,
    });
  });

  it('are read from the content file: unstated ones apply, unknown keys are refused', () => {
    const [course] = loadCurriculum('content').filter((c) => c.data.credit);
    const { requires: _all, ...stated } = course!.data.credit!;
    const parse = (credit: object) => courseSchema.safeParse({ ...course!.data, credit });
    const unstated = parse(stated);
    expect(unstated.success && unstated.data.credit?.requires).toEqual(ALL_REQUIRED);
    const noEvaluation = parse({ ...stated, requires: { evaluation: false } });
    expect(noEvaluation.success && noEvaluation.data.credit?.requires).toEqual({
      postTest: true,
      engagementTime: true,
      evaluation: false,
    });
    // A misspelt requirement must not silently leave it required, nor the attestation be dropped.
    expect(parse({ ...stated, requires: { evalution: false } }).success).toBe(false);
    expect(parse({ ...stated, requires: { attestation: false } }).success).toBe(false);
    expect(parse({ ...stated, requires: { postTest: 'no' } }).success).toBe(false);
    expect(parse({ ...stated, require: { evaluation: false } }).success).toBe(false);
  });
});

describe('an event’s own activity (decision 0045)', () => {
  it('may state no more hours than its courses’ contact hours together', () => {
    expect(eventContactHours([{ contactHours: 0.25 }, { contactHours: 0.25 }, { contactHours: 0.5 }])).toBe(1);
    expect(eventContactHours([{ contactHours: 0.1 }, { contactHours: 0.2 }])).toBe(0.3);
    expect(eventContactHours([])).toBe(0);
  });

  it('keeps its records under a key no course slug can take', () => {
    expect(eventActivityKey('symposium-2027')).toBe('event:symposium-2027');
    expect(isEventActivityKey('event:symposium-2027')).toBe(true);
    expect(isEventActivityKey('team-huddles')).toBe(false);
  });
});
