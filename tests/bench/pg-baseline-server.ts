// The second baseline (issue 23 §1): a plain node:http + pg server that does the least a
// hand-written server must do for each personal row of the bench — look up the session by
// its hash, then read or write the same rows as the app in as few statements as it can
// (one per request after the session). What it leaves out is the framework (Astro's
// pipeline, Actions, Kysely) and our code's own structure; the app's ratio to it is that
// overhead. Run as its own process, like the app and the static baseline.
//
// Same work as the app, row by row (the bench's data: no learner has joined an event):
//   state.json   the learner's progress rows, correct questions, reflection, event enrolments
//   open         insert the progress row (first opening)
//   answer       progress row + one check attempt
//   complete     event-lock check, the attempts sent, all questions right (sent or earlier),
//                the completion upsert with its time spent, the review cards, the course's
//                completed count and, when the course is complete, its current certificate
//   reflection   the revision-guarded upsert
//   Today        progress, lessons with answers, teams with assignments, event enrolments,
//                certificates, due review cards and today's reviews; rendered as a small page
// Issuing a new certificate (signing) is not repeated here: the bench's certificates exist.
//
// Usage: node tests/bench/pg-baseline-server.ts <catalog.json> (DATABASE_URL; prints "listening <port>")
import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

interface BaselineLesson {
  version: string;
  /** Index of the right option of each check question. */
  correct: number[];
  /** Review card ids the app creates on completion. */
  cards: string[];
  /** Lessons in the course. */
  courseLessons: number;
}
const lessons = new Map(
  Object.entries(JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, BaselineLesson>),
);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

async function sessionUser(cookieHeader: string | undefined): Promise<string | undefined> {
  const token = /(?:^|;\s*)session=([^;]+)/.exec(cookieHeader ?? '')?.[1];
  const [id, secret] = token?.split('.') ?? [];
  if (!id || !secret) return undefined;
  const { rows } = await pool.query<{ user_id: string; secret_hash: Buffer; expires_at: Date }>(
    `select s.user_id, s.secret_hash, s.expires_at from sessions s join users u on u.id = s.user_id
     where s.id = $1 and u.deleted_at is null and u.deactivated_at is null`,
    [id],
  );
  const session = rows[0];
  if (!session || session.expires_at.getTime() <= Date.now()) return undefined;
  const hash = createHash('sha256').update(secret).digest();
  return timingSafeEqual(hash, session.secret_hash) ? session.user_id : undefined;
}

function readBody(req: http.IncomingMessage): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      const boundary = /boundary=(.+)$/.exec(req.headers['content-type'] ?? '')?.[1];
      const fields = new Map<string, string>();
      if (!boundary) return resolve(fields);
      for (const part of Buffer.concat(chunks).toString('utf8').split(`--${boundary}`)) {
        const match = /name="([^"]+)"\r\n\r\n([\s\S]*)\r\n$/.exec(part);
        if (match) fields.set(match[1]!, match[2]!);
      }
      resolve(fields);
    });
  });
}

const json = (res: http.ServerResponse, status: number, value: unknown) => {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

async function stateJson(userId: string, courseSlug: string, lessonSlug: string) {
  const { rows } = await pool.query(
    `select
       (select coalesce(json_agg(p), '[]') from lesson_progress p where p.user_id = $1) as progress,
       (select coalesce(json_agg(distinct question), '[]') from check_attempts
         where user_id = $1 and course_slug = $2 and lesson_slug = $3 and correct) as correct,
       (select row_to_json(r) from (select body, revision, updated_at from reflections
         where user_id = $1 and course_slug = $2 and lesson_slug = $3) r) as reflection,
       (select coalesce(json_agg(e), '[]') from event_enrollments e join event_courses c on c.event_id = e.event_id
         where e.user_id = $1 and c.course_slug = $2) as enrollments`,
    [userId, courseSlug, lessonSlug],
  );
  return rows[0];
}

async function complete(userId: string, fields: Map<string, string>) {
  const courseSlug = fields.get('courseSlug')!;
  const lessonSlug = fields.get('lessonSlug')!;
  const lesson = lessons.get(`${courseSlug}/${lessonSlug}`);
  if (!lesson) return { status: 404, value: { error: 'no such lesson' } };
  const questions: number[] = [];
  const options: number[] = [];
  const right: boolean[] = [];
  lesson.correct.forEach((correctOption, question) => {
    const chosen = fields.get(`q${question}`);
    if (chosen === undefined) return;
    questions.push(question);
    options.push(Number(chosen));
    right.push(Number(chosen) === correctOption);
  });
  const { rows } = await pool.query(
    `with locked as (
       select exists (select 1 from event_enrollments e join event_courses c on c.event_id = e.event_id
                      where e.user_id = $1 and c.course_slug = $2) as locked),
     attempts as (
       insert into check_attempts (user_id, course_slug, lesson_slug, question, chosen_option, correct)
       select $1, $2, $3, q, o, c from unnest($4::int[], $5::int[], $6::bool[]) as a(q, o, c)
       returning question, correct),
     right_answers as (
       select count(distinct question)::int as n from (
         select question from check_attempts where user_id = $1 and course_slug = $2 and lesson_slug = $3 and correct
         union select question from attempts where correct) r),
     done as (
       insert into lesson_progress (user_id, course_slug, lesson_slug, completed_at, course_version)
       select $1, $2, $3, now(), $7 where (select n from right_answers) = $8 and not (select locked from locked)
       on conflict (user_id, course_slug, lesson_slug) do update set
         completed_at = coalesce(lesson_progress.completed_at, excluded.completed_at),
         course_version = coalesce(lesson_progress.course_version, excluded.course_version),
         seconds_spent = greatest(lesson_progress.seconds_spent, least(2147483647, floor(extract(epoch from
           now() - greatest(lesson_progress.started_at, (
             select max(other.completed_at) from lesson_progress other
             where other.user_id = lesson_progress.user_id and other.course_slug = lesson_progress.course_slug
               and other.lesson_slug <> lesson_progress.lesson_slug and other.completed_at <= now()))))))::integer
       returning completed_at),
     cards as (
       insert into review_cards (user_id, course_slug, lesson_slug, card, due, stability, difficulty,
                                 scheduled_days, learning_steps, reps, lapses, state, last_review)
       select $1, $2, $3, card, done.completed_at + interval '1 day', 0, 0, 0, 0, 0, 0, 0, null
       from done, unnest($9::text[]) as card
       on conflict (user_id, course_slug, lesson_slug, card) do nothing),
     others as (
       select count(*)::int as n from lesson_progress
       where user_id = $1 and course_slug = $2 and lesson_slug <> $3 and completed_at is not null)
     select done.completed_at, (select locked from locked) as locked, (select n from right_answers) as right_answers,
       (select n from others) + 1 = $10 as course_complete,
       case when done.completed_at is not null and (select n from others) + 1 = $10 then
         (select id from certificates where user_id = $1 and course_slug = $2 and replaced_by is null limit 1) end
         as certificate_id
     from (select 1) one left join done on true`,
    [
      userId,
      courseSlug,
      lessonSlug,
      questions,
      options,
      right,
      lesson.version,
      lesson.correct.length,
      lesson.cards,
      lesson.courseLessons,
    ],
  );
  const row = rows[0];
  if (!row.completed_at) return { status: 400, value: { error: row.locked ? 'locked' : 'answer every question' } };
  return { status: 200, value: row };
}

async function today(userId: string): Promise<string> {
  const { rows } = await pool.query(
    `select
       (select coalesce(json_agg(p), '[]') from lesson_progress p where p.user_id = $1) as progress,
       (select coalesce(json_agg(distinct course_slug || '/' || lesson_slug), '[]') from check_attempts where user_id = $1) as answered,
       (select coalesce(json_agg(t), '[]') from (
          select teams.id, teams.name, team_members.role,
            (select count(*) from team_members m where m.team_id = teams.id)::int as member_count,
            (select coalesce(json_agg(a order by a.due_on), '[]') from team_assignments a where a.team_id = teams.id) as assignments
          from teams join team_members on team_members.team_id = teams.id where team_members.user_id = $1) t) as teams,
       (select coalesce(json_agg(e), '[]') from event_enrollments e where e.user_id = $1) as enrollments,
       (select coalesce(json_agg(c), '[]') from (select id, course_slug, issued_at from certificates
          where user_id = $1 and replaced_by is null order by issued_at desc) c) as certificates,
       (select coalesce(json_agg(r), '[]') from (select course_slug, lesson_slug, card, due from review_cards
          where user_id = $1 and due <= now() order by due limit 5) r) as due_cards,
       (select count(*)::int from review_log where user_id = $1 and reviewed_at >= now() - interval '1 day') as reviewed`,
    [userId],
  );
  const data = rows[0] as {
    progress: { course_slug: string; lesson_slug: string; completed_at: string | null }[];
    teams: { name: string; assignments: { course_slug: string; due_on: string }[] }[];
    due_cards: unknown[];
    certificates: unknown[];
  };
  const done = new Map<string, number>();
  for (const row of data.progress)
    if (row.completed_at) done.set(row.course_slug, (done.get(row.course_slug) ?? 0) + 1);
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const items = [...done].map(([course, n]) => `<li>${escape(course)}: ${n} lessons done</li>`).join('');
  const assignments = data.teams
    .flatMap((team) =>
      team.assignments.map((a) => `<li>${escape(team.name)}: ${escape(a.course_slug)} by ${a.due_on}</li>`),
    )
    .join('');
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Today</title><h1>Today</h1><ul>${assignments}</ul><ul>${items}</ul><p>${data.due_cards.length} questions to review, ${data.certificates.length} certificates</p></html>`;
}

const server = http.createServer((req, res) => {
  void (async () => {
    const userId = await sessionUser(req.headers.cookie);
    if (!userId) return json(res, 401, { error: 'sign in' });
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/') {
      const body = await today(userId);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      return res.end(body);
    }
    const lessonState = /^\/courses\/([^/]+)\/([^/]+)\/state\.json$/.exec(url);
    if (req.method === 'GET' && lessonState)
      return json(res, 200, await stateJson(userId, lessonState[1]!, lessonState[2]!));
    if (req.method !== 'POST') return json(res, 404, { error: 'not found' });
    const fields = await readBody(req);
    const courseSlug = fields.get('courseSlug')!;
    const lessonSlug = fields.get('lessonSlug')!;
    switch (url) {
      case '/_actions/progress.open':
        await pool.query(
          `insert into lesson_progress (user_id, course_slug, lesson_slug) values ($1, $2, $3) on conflict do nothing`,
          [userId, courseSlug, lessonSlug],
        );
        return json(res, 200, { opened: true });
      case '/_actions/progress.answer': {
        const lesson = lessons.get(`${courseSlug}/${lessonSlug}`);
        const question = Number(fields.get('question'));
        const option = Number(fields.get('option'));
        if (!lesson || lesson.correct[question] === undefined) return json(res, 400, { error: 'no such question' });
        const correct = lesson.correct[question] === option;
        await pool.query(
          `with started as (insert into lesson_progress (user_id, course_slug, lesson_slug) values ($1, $2, $3) on conflict do nothing)
           insert into check_attempts (user_id, course_slug, lesson_slug, question, chosen_option, correct)
           values ($1, $2, $3, $4, $5, $6)`,
          [userId, courseSlug, lessonSlug, question, option, correct],
        );
        return json(res, 200, { correct });
      }
      case '/_actions/progress.complete': {
        const outcome = await complete(userId, fields);
        return json(res, outcome.status, outcome.value);
      }
      case '/_actions/reflections.save': {
        const { rows } = await pool.query(
          `insert into reflections (user_id, course_slug, lesson_slug, body, revision) values ($1, $2, $3, $4, $5)
           on conflict on constraint reflections_one_per_lesson do update
             set body = excluded.body, revision = excluded.revision, updated_at = now()
             where reflections.revision < excluded.revision
           returning revision, updated_at`,
          [userId, courseSlug, lessonSlug, fields.get('body'), Number(fields.get('revision'))],
        );
        return json(res, 200, { revision: rows[0]?.revision ?? null, applied: rows.length > 0 });
      }
    }
    return json(res, 404, { error: 'not found' });
  })().catch((error: unknown) => {
    console.error(error);
    if (!res.headersSent) json(res, 500, { error: 'server error' });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
// Stopped between rows: exit at once (keep-alive connections would hold server.close open).
process.on('SIGTERM', () => process.exit(0));
