import type { RequestContext } from '#server/kernel/context.ts';
import { summarizeCourse } from '#lib/course-progress.ts';
import { dateIn } from '#lib/team-rules.ts';
import { toCsv } from '#lib/csv.ts';
import { progressOfUser, termsOfUser } from '#server/progress/index.ts';
import { myCertificates } from '#server/certificates/index.ts';
import { settings } from '#server/platform/settings.ts';
import { renderTranscriptPdf } from './transcript-pdf.ts';

// A learner's transcript (issue 17 §4): every course they completed, when, its contact
// hours and its certificate — what a nurse hands a new employer or a licensing board.
// Their own record only: it is built from the signed-in person's progress and certificates.

export interface TranscriptEntry {
  courseSlug: string;
  title: string;
  /** The calendar day it was completed, in the learner's time zone (YYYY-MM-DD). */
  completedOn: string;
  contactHours: number;
  certificate: { code: string; url: string; status: string } | undefined;
  /** A renewal of recurring training (decision 0041): the certificate code it renews, if any. */
  renewal: { renewsCode: string } | undefined;
}

export interface Transcript {
  name: string;
  email: string;
  /** The day it was made, in the learner's time zone. */
  madeOn: string;
  entries: TranscriptEntry[];
  totalHours: number;
}

export async function myTranscript(ctx: RequestContext): Promise<Transcript> {
  const [progress, { certificates }, terms] = await Promise.all([
    progressOfUser(ctx.db, ctx.user.id),
    myCertificates(ctx),
    termsOfUser(ctx.db, ctx.user.id),
  ]);
  const timeZone = ctx.user.timeZone;
  const entries: TranscriptEntry[] = [];
  for (const course of ctx.catalog.courses) {
    const summary = summarizeCourse(course, progress);
    // One entry per term (decision 0041): a renewed course lists each completion, the earlier ones kept.
    const courseTerms = terms.filter((t) => t.course_slug === course.slug);
    const currentTerm = Math.max(1, ...courseTerms.map((t) => t.term));
    for (let term = 1; term <= currentTerm; term++) {
      const completedAt =
        term < currentTerm
          ? (courseTerms.find((t) => t.term === term + 1)?.previous_completed_at ?? null)
          : summary.completedAt;
      const certificate = certificates.find(
        (c) => c.courseSlug === course.slug && c.term === term && c.status !== 'revoked',
      );
      if (!completedAt && !certificate) continue;
      const renewsCode = certificate?.renewsId
        ? certificates.find((c) => c.id === certificate.renewsId)?.code
        : undefined;
      const title = certificate?.courseTitle ?? course.title;
      entries.push({
        courseSlug: course.slug,
        // The certificate says what was completed (the course as it was then): its words win.
        title: term > 1 ? `${title} (renewal)` : title,
        completedOn: certificate?.completedOn ?? dateIn(timeZone, completedAt!),
        contactHours: certificate ? Number(certificate.contactHours) : course.contactHours,
        certificate: certificate && { code: certificate.code, url: certificate.url, status: certificate.status },
        renewal: term > 1 ? { renewsCode: renewsCode ?? '' } : undefined,
      });
    }
  }
  entries.sort((a, b) => b.completedOn.localeCompare(a.completedOn) || a.title.localeCompare(b.title));
  const totalHours = Math.round(entries.reduce((sum, e) => sum + e.contactHours, 0) * 100) / 100;
  return {
    name: ctx.user.name,
    email: ctx.user.email,
    madeOn: dateIn(timeZone, ctx.now ?? new Date()),
    entries,
    totalHours,
  };
}

/** The transcript as CSV: one row per course, ISO dates, the same formula-safe cells as every export. */
export async function transcriptCsv(ctx: RequestContext): Promise<{ filename: string; body: string }> {
  const transcript = await myTranscript(ctx);
  const header = [
    'course',
    'course_slug',
    'completed_on',
    'contact_hours',
    'certificate_code',
    'certificate_status',
    'verify_url',
    'renews_certificate',
  ];
  const rows = transcript.entries.map((e) => [
    e.title,
    e.courseSlug,
    e.completedOn,
    e.contactHours,
    e.certificate?.code ?? '',
    e.certificate?.status ?? '',
    e.certificate?.url ?? '',
    e.renewal?.renewsCode ?? '',
  ]);
  return { filename: `rounds-transcript-${transcript.madeOn}.csv`, body: toCsv(header, rows) };
}

/** The transcript as a PDF (the holder's own, made on each download). */
export async function transcriptPdf(ctx: RequestContext): Promise<{ filename: string; pdf: Uint8Array }> {
  const transcript = await myTranscript(ctx);
  const pdf = await renderTranscriptPdf(transcript, settings().ORGANIZATION_NAME);
  return { filename: `rounds-transcript-${transcript.madeOn}.pdf`, pdf };
}
