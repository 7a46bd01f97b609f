// Issue 17 §4, records: a learner's transcript — the courses they completed, when (their time
// zone), contact hours, certificate codes and verification links — as data, CSV and PDF; and
// a team's training record (member × course) for its leaders.
import type { PublicUser } from '#server/kernel/context.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { freshDatabase, uniqueEmail } from '../support/database.ts';
import { testCatalog } from '../support/catalog.ts';
import { createUser, findUserById, markEmailVerified } from '#server/accounts/users-repo.ts';
import * as progress from '#server/progress/repo.ts';
import * as certificates from '#server/certificates/certificates.ts';
import { myTranscript, transcriptCsv, transcriptPdf } from '#server/records/transcript.ts';
import * as teams from '#server/teams/teams.ts';
import { trainingRecord, trainingRecordCsv } from '#server/teams/record.ts';
import { ForbiddenError, NotFoundError } from '#server/kernel/errors.ts';
import { caught } from '../support/caught.ts';
import { addDays } from '#lib/team-rules.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';

let database: RoundsDatabase;
const catalog = testCatalog();
const certified = catalog.course('patient-connection')!;
const uncertified = catalog.course('team-huddles')!;

async function person(name: string, timeZone = 'UTC'): Promise<PublicUser> {
  const created = await createUser(database.db, { email: uniqueEmail(), name, passwordHash: 'x' });
  await markEmailVerified(database.db, created!.id, created!.email);
  await database.db.updateTable('users').set({ time_zone: timeZone }).where('id', '=', created!.id).execute();
  return (await findUserById(database.db, created!.id))!;
}
const ctx = (user: PublicUser) => ({ db: database.db, catalog, user, clientIp: '127.0.0.1' });

async function complete(user: PublicUser, course: typeof certified, lessons = course.lessons) {
  for (const lesson of lessons)
    await progress.completeLesson(
      database.db,
      { userId: user.id, courseSlug: course.slug, lessonSlug: lesson.slug },
      course.version,
    );
}

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('a learner’s transcript', () => {
  it('lists completed courses with hours and certificates; a course half done is not on it; nobody else’s work is', async () => {
    const nurse = await person('Zoë Ødegaard-Nguyễn', 'Pacific/Auckland');
    await complete(nurse, certified);
    const [outcome] = await certificates.issueEarnedCertificates(ctx(nurse));
    if (!outcome || !('certificate' in outcome)) throw new Error('no certificate issued');
    await complete(nurse, uncertified);
    const other = await person('Someone Else');
    await complete(other, catalog.course('servant-leadership')!);
    await complete(
      nurse,
      catalog.course('servant-leadership')!,
      catalog.course('servant-leadership')!.lessons.slice(1),
    );

    const transcript = await myTranscript(ctx(nurse));
    expect(transcript.entries.map((e) => e.courseSlug).sort()).toEqual([certified.slug, uncertified.slug].sort());
    const withCertificate = transcript.entries.find((e) => e.courseSlug === certified.slug)!;
    expect(withCertificate.certificate).toMatchObject({ code: outcome.certificate.code, status: 'valid' });
    expect(withCertificate.certificate!.url).toMatch(new RegExp(`/certificates/${outcome.certificate.id}$`));
    expect(withCertificate.contactHours).toBe(certified.contactHours);
    expect(transcript.entries.find((e) => e.courseSlug === uncertified.slug)!.certificate).toBeUndefined();
    expect(transcript.totalHours).toBe(certified.contactHours + uncertified.contactHours);

    // CSV: one row per course, the same formula-safe cells as every export.
    const { body, filename } = await transcriptCsv(ctx(nurse));
    expect(filename).toMatch(/^rounds-transcript-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parse(body.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.course_slug === certified.slug)).toMatchObject({
      certificate_code: outcome.certificate.code,
      certificate_status: 'valid',
      contact_hours: String(certified.contactHours),
    });

    // PDF: the holder's name (with its accents), each course, the code and the verification link, as text.
    const { pdf } = await transcriptPdf(ctx(nurse));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'transcript-'));
    const file = path.join(dir, 'transcript.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).normalize('NFC');
    expect(text).toContain('Zoë Ødegaard-Nguyễn');
    expect(text).toContain(certified.title);
    expect(text).toContain(uncertified.title);
    expect(text).toContain(outcome.certificate.code);
    expect(text).toContain(`/certificates/${outcome.certificate.id}`);
    expect(text).not.toContain(catalog.course('servant-leadership')!.title);
  });

  it('is empty, with no error, for someone who has not finished a course', async () => {
    const beginner = await person('New Starter');
    expect((await myTranscript(ctx(beginner))).entries).toEqual([]);
    const { pdf } = await transcriptPdf(ctx(beginner));
    expect(Buffer.from(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('a team’s training record', () => {
  it('gives leaders each member × course with status, dates and certificate code; members and outsiders get nothing; CSV cells cannot run', async () => {
    const leader = await person('Lena Leader');
    const { teamId } = await teams.createTeam(ctx(leader), { name: 'Ward 4', description: '' });
    const { code } = await teams.createInvite(ctx(leader), { teamId, days: 7, maxUses: null });
    const done = await person('Dana Done');
    const hostile = await person('=HYPERLINK("http://evil.example","x")');
    for (const member of [done, hostile]) await teams.joinTeam(ctx(member), { code });
    const dueOn = addDays(teams.teamToday(), 10);
    await teams.assignCourse(ctx(leader), { teamId, courseSlug: certified.slug, dueOn, note: '' });
    await complete(done, certified);
    const [outcome] = await certificates.issueEarnedCertificates(ctx(done));
    if (!outcome || !('certificate' in outcome)) throw new Error('no certificate issued');

    const record = await trainingRecord(ctx(leader), teamId);
    expect(record.rows).toHaveLength(2);
    expect(record.rows.find((r) => r.member === 'Dana Done')).toMatchObject({
      course: certified.title,
      state: 'completed',
      dueOn,
      completedOn: teams.teamToday(undefined, 'UTC'),
      certificateCode: outcome.certificate.code,
    });
    expect(record.rows.find((r) => r.member !== 'Dana Done')).toMatchObject({
      state: 'not-started',
      completedOn: '',
      certificateCode: '',
    });

    const { body } = await trainingRecordCsv(ctx(leader), teamId);
    const rows = parse(body.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.member).sort()).toEqual(['\'=HYPERLINK("http://evil.example","x")', 'Dana Done']);
    expect(rows.find((r) => r.member === 'Dana Done')!.certificate_code).toBe(outcome.certificate.code);

    expect(await caught(trainingRecord(ctx(done), teamId))).toBeInstanceOf(ForbiddenError);
    expect(await caught(trainingRecord(ctx(await person('Olu Outsider')), teamId))).toBeInstanceOf(NotFoundError);
  });
});
