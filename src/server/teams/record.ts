import type { RequestContext } from '#server/kernel/context.ts';
import { toCsv } from '#lib/csv.ts';
import { STATE_LABELS, type AssignmentState } from '#lib/team-rules.ts';
import { settings } from '#server/platform/settings.ts';
import * as repo from './repo.ts';
import { dashboard } from './teams.ts';

// A team's training record (issue 17 §4): per member and assigned course, the state, due
// date, completion date and certificate code — what a director asks for before an
// accreditation survey. Leaders and administrators only, as the dashboard it is built from.

export interface RecordRow {
  member: string;
  email: string;
  role: string;
  course: string;
  courseSlug: string;
  path: string;
  state: AssignmentState;
  status: string;
  dueOn: string;
  /** The calendar day, in the reader's time zone. */
  completedOn: string;
  lessonsDone: number;
  lessonsTotal: number;
  certificateCode: string;
  certificateUrl: string;
  /** Recurring training (decision 0041): how many times it was renewed, and the certificate the current one renews. */
  renewals: number;
  renewsCertificateCode: string;
}

export async function trainingRecord(ctx: RequestContext, teamId: string) {
  const view = await dashboard(ctx, teamId);
  const codes = await repo.memberCertificateCodes(ctx.db, view.team.id);
  const base = settings().PUBLIC_URL;
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: ctx.user.timeZone, dateStyle: 'short' });
  const rows: RecordRow[] = [];
  for (const member of view.members) {
    for (const assignment of view.assignments) {
      const cell = member.cells[assignment.id];
      if (!cell) continue;
      const certificate = codes.find((c) => c.user_id === member.userId && c.course_slug === assignment.courseSlug);
      rows.push({
        member: member.name,
        email: member.email,
        role: member.role,
        course: assignment.title,
        courseSlug: assignment.courseSlug,
        path: assignment.path?.name ?? '',
        state: cell.state,
        status: STATE_LABELS[cell.state],
        dueOn: cell.dueOn,
        completedOn: cell.completedAt ? day.format(cell.completedAt) : '',
        lessonsDone: cell.lessonsDone,
        lessonsTotal: cell.lessonsTotal,
        certificateCode: certificate?.code ?? '',
        certificateUrl: certificate ? `${base}/certificates/${certificate.id}` : '',
        renewals: certificate ? certificate.term - 1 : 0,
        renewsCertificateCode: certificate?.renews_code ?? '',
      });
    }
  }
  return { team: view.team, today: view.today, rows };
}

/** The record as CSV, the team's one export: ISO dates, formula-safe cells (as every export). */
export async function trainingRecordCsv(ctx: RequestContext, teamId: string) {
  const record = await trainingRecord(ctx, teamId);
  const header = [
    'team',
    'member',
    'email',
    'role',
    'course',
    'course_slug',
    'learning_path',
    'state',
    'due_date',
    'completed_on',
    'lessons_done',
    'lessons_total',
    'certificate_code',
    'verify_url',
    'renewals',
    'renews_certificate',
  ];
  const rows = record.rows.map((r) => [
    record.team.name,
    r.member,
    r.email,
    r.role,
    r.course,
    r.courseSlug,
    r.path,
    r.state,
    r.dueOn,
    r.completedOn,
    r.lessonsDone,
    r.lessonsTotal,
    r.certificateCode,
    r.certificateUrl,
    r.renewals,
    r.renewsCertificateCode,
  ]);
  const slug =
    record.team.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'team';
  return { filename: `rounds-${slug}-training-record-${record.today}.csv`, body: toCsv(header, rows) };
}
