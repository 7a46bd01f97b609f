// Virtual learners: each signs in through the real endpoint, then loops over the
// curriculum the way the lesson page does (Today → lesson → state.json → open →
// answer the check → save a reflection → mark complete). Every write the server
// acknowledges (2xx) goes into a ledger; `verifyLedger` compares the ledger with
// the database: nothing acknowledged missing, nothing counted twice.
import { Agent, request } from 'undici';
import { parse as parseDevalue } from 'devalue';
import { sql } from 'kysely';
import type { Catalog } from '#lib/catalog.ts';
import type { RoundsDatabase } from '#server/platform/db.ts';
import { LEARNER_PASSWORD, type SeededLearner } from './harness.ts';

export const STEPS = ['signIn', 'today', 'lesson', 'state', 'open', 'answer', 'reflection', 'complete'] as const;
export type StepName = (typeof STEPS)[number];

export interface StepStats {
  latencies: number[];
  ok: number;
  /** Answered, but not 2xx/3xx. */
  refused: number;
  /** No answer (connection refused/reset, timeout), whatever the reason. */
  networkErrors: number;
  /** Of those: cut off by the script's own hard stop, or while a fault was under way (`outageExpected`). */
  unansweredExplained: number;
  /** Of those: nothing explains them — the server dropped or starved the request. */
  unansweredUnexplained: number;
  status5xx: number;
  /** Answered 4xx/5xx that the run did not declare expected (`expectedStatus`). */
  unexpectedStatus: number;
  statuses: Record<number, number>;
}

/** One request that got no answer, for the report. */
export interface Unanswered {
  step: StepName;
  path: string;
  /** When it was sent, ms after the run started, and how long it waited. */
  sentAtMs: number;
  waitedMs: number;
  reason: string;
  explained: boolean;
}

/**
 * acked: 2xx. refused: a 4xx, or a 5xx other than 503 — the write did not happen.
 * unknown: no answer, or a 503 (the database went away mid-request: the commit may or
 * may not have reached it).
 */
type WriteOutcome = 'acked' | 'refused' | 'unknown';

/** What the server acknowledged, and what it might have written without saying so. */
export class Ledger {
  /** user id → check attempts per outcome. */
  attempts = new Map<string, Record<WriteOutcome, number>>();
  /** "user|course|lesson" → outcome of the best completion request (acked wins). */
  completions = new Map<string, WriteOutcome>();
  /** "user|course|lesson" → the newest acknowledged (applied) reflection revision and its body. */
  reflections = new Map<string, { revision: number; body: string }>();
  /** "user|course|lesson" → revisions sent but not acknowledged (refused or unknown), with their bodies. */
  unackedReflections = new Map<string, Map<number, string>>();
  /** Writes that came back 503 (the database was down), per kind. */
  refusedDuringOutage = { answer: 0, reflection: 0, complete: 0 };

  attempt(userId: string, outcome: WriteOutcome): void {
    const counts = this.attempts.get(userId) ?? { acked: 0, refused: 0, unknown: 0 };
    counts[outcome] += 1;
    this.attempts.set(userId, counts);
  }

  completion(key: string, outcome: WriteOutcome): void {
    if (this.completions.get(key) === 'acked') return;
    if (outcome === 'acked' || this.completions.get(key) !== 'unknown') this.completions.set(key, outcome);
  }

  reflection(key: string, revision: number, body: string, outcome: WriteOutcome): void {
    if (outcome === 'acked') {
      const known = this.reflections.get(key);
      if (!known || known.revision < revision) this.reflections.set(key, { revision, body });
      return;
    }
    const pending = this.unackedReflections.get(key) ?? new Map<number, string>();
    pending.set(revision, body);
    this.unackedReflections.set(key, pending);
  }

  get ackedWrites(): { attempts: number; completions: number; reflections: number } {
    let attempts = 0;
    for (const counts of this.attempts.values()) attempts += counts.acked;
    let completions = 0;
    for (const outcome of this.completions.values()) if (outcome === 'acked') completions += 1;
    return { attempts, completions, reflections: this.reflections.size };
  }
}

export interface RunOptions {
  origin: string;
  learners: SeededLearner[];
  catalog: Catalog;
  durationMs: number;
  /** No request starts after this many in total. */
  maxRequests: number;
  /** While true, a 503 or a refused connection is expected: the learner waits a moment and goes on. */
  outageExpected?: () => boolean;
  /** Answers ≥ 400 that are part of the scenario (e.g. 503 during an outage); any other counts as unexpected. */
  expectedStatus?: (step: StepName, status: number) => boolean;
  /** Called for every response (for fault scripts that look at 503 bodies). */
  onResponse?: (
    step: StepName,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ) => void;
  log?: (line: string) => void;
}

export interface RunResult {
  ledger: Ledger;
  steps: Record<StepName, StepStats>;
  requests: number;
  elapsedMs: number;
  iterations: number;
  /** Full loops (Today → … → mark complete acknowledged) per learner, in the learners' order. */
  loopsPerLearner: number[];
  signedIn: number;
  /** state.json said "not signed in" with a session the server had issued. */
  sessionsLost: number;
  unanswered: Unanswered[];
}

/** The lower bound every run must reach, and what must never happen; an empty list is a pass. */
export function runFailures(result: RunResult): string[] {
  const failures: string[] = [];
  const sum = (pick: (s: StepStats) => number) => STEPS.reduce((total, name) => total + pick(result.steps[name]), 0);
  const unexplained = sum((s) => s.unansweredUnexplained);
  if (unexplained > 0)
    failures.push(
      `${unexplained} requests got no answer (timeout or connection error) outside the script's deadline and any fault window`,
    );
  const unexpected = sum((s) => s.unexpectedStatus);
  if (unexpected > 0) failures.push(`${unexpected} unexpected 4xx/5xx answers (${statusSummary(result)})`);
  const idle = result.loopsPerLearner.filter((n) => n === 0).length;
  if (idle > 0) failures.push(`${idle} of ${result.loopsPerLearner.length} learners never completed a full loop`);
  const acked = result.ledger.ackedWrites;
  for (const [kind, n] of Object.entries(acked)) if (n === 0) failures.push(`no ${kind} acknowledged at all`);
  if (result.sessionsLost > 0)
    failures.push(`${result.sessionsLost} sessions were lost mid-run (state.json said "not signed in")`);
  return failures;
}

function statusSummary(result: RunResult): string {
  return STEPS.flatMap((name) =>
    Object.entries(result.steps[name].statuses)
      .filter(([code]) => Number(code) >= 400)
      .map(([code, n]) => `${name} ${n}×${code}`),
  ).join(', ');
}

/**
 * Server settings for runs of virtual learners: each learner signs in from its own
 * address (X-Forwarded-For, as behind a proxy), as people on their own phones do. From one
 * address, 200 sign-ins in flight at once trip the per-address limit of failed sign-ins
 * (an attempt counts until its password has been checked).
 */
// Scripted learners finish lessons in seconds: LESSON_TIME_FLOOR 0 keeps their certificates (docs/settings.md).
export const LEARNER_SERVER_ENV = { TRUST_PROXY: 'true', LESSON_TIME_FLOOR: '0' };
const HARD_EXTRA_MS = 20_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Learners arrive over this long (a realistic ramp; 200 argon2 sign-ins at once would only measure the hash). */
const RAMP_MS = 10_000;

export async function runLearners(options: RunOptions): Promise<RunResult> {
  const agent = new Agent({
    connections: options.learners.length + 8,
    keepAliveTimeout: 30_000,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const ledger = new Ledger();
  const steps = Object.fromEntries(
    STEPS.map((name) => [
      name,
      {
        latencies: [],
        ok: 0,
        refused: 0,
        networkErrors: 0,
        unansweredExplained: 0,
        unansweredUnexplained: 0,
        status5xx: 0,
        unexpectedStatus: 0,
        statuses: {},
      },
    ]),
  ) as unknown as Record<StepName, StepStats>;
  const unanswered: Unanswered[] = [];
  const loopsPerLearner = options.learners.map(() => 0);
  let sessionsLost = 0;
  const lessons = options.catalog.courses.flatMap((course) => course.lessons.map((lesson) => ({ course, lesson })));
  const started = performance.now();
  const softDeadline = started + options.durationMs;
  const hardStop = new AbortController();
  const hardTimer = setTimeout(() => hardStop.abort(), options.durationMs + HARD_EXTRA_MS);
  let requests = 0;
  let iterations = 0;
  let signedIn = 0;
  const budgetLeft = () =>
    requests < options.maxRequests && performance.now() < softDeadline && !hardStop.signal.aborted;

  async function call(
    learner: number,
    step: StepName,
    method: 'GET' | 'POST',
    path: string,
    cookie: string | undefined,
    form?: Record<string, string>,
  ) {
    requests += 1;
    const headers: Record<string, string> = {
      'user-agent': 'rounds-loadtest',
      accept: step === 'state' ? 'application/json' : '*/*',
      'x-forwarded-for': `10.${(learner >> 16) & 255}.${(learner >> 8) & 255}.${learner & 255}`,
    };
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = options.origin;
      body = new URLSearchParams(form).toString();
    }
    const t0 = performance.now();
    const stats = steps[step];
    try {
      const response = await request(options.origin + path, {
        method,
        headers,
        body,
        dispatcher: agent,
        signal: AbortSignal.any([hardStop.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      const text = await response.body.text();
      const ms = performance.now() - t0;
      stats.latencies.push(ms);
      stats.statuses[response.statusCode] = (stats.statuses[response.statusCode] ?? 0) + 1;
      if (response.statusCode >= 500) stats.status5xx += 1;
      if (response.statusCode < 400) stats.ok += 1;
      else {
        stats.refused += 1;
        if (!options.expectedStatus?.(step, response.statusCode)) stats.unexpectedStatus += 1;
      }
      options.onResponse?.(step, response.statusCode, response.headers, text);
      return { status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      const waitedMs = performance.now() - t0;
      const failure = error as Error & { code?: string };
      // Our own hard stop, or a fault the scenario is causing, explains a missing answer; nothing else does.
      const byDeadline = hardStop.signal.aborted;
      const explained = byDeadline || (options.outageExpected?.() ?? false);
      const reason = byDeadline
        ? 'hard stop'
        : failure.name === 'TimeoutError'
          ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s`
          : (failure.code ?? failure.name);
      stats.networkErrors += 1;
      if (explained) stats.unansweredExplained += 1;
      else stats.unansweredUnexplained += 1;
      unanswered.push({ step, path, sentAtMs: t0 - started, waitedMs, reason, explained });
      options.log?.(`${step} ${path}: ${reason} after ${Math.round(waitedMs)} ms`);
      return { status: 0, headers: {} as Record<string, string | string[] | undefined>, text: '' };
    }
  }

  const outcomeOf = (status: number): WriteOutcome =>
    status >= 200 && status < 300 ? 'acked' : status === 0 || status === 503 ? 'unknown' : 'refused';
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function learner(index: number): Promise<void> {
    const user = options.learners[index]!;
    await pause(Math.min(RAMP_MS, options.durationMs / 4) * (index / options.learners.length));
    let cookie: string | undefined;
    let lessonIndex = index % lessons.length;
    let revisionClock = 0;
    let seq = 0;
    const backOff = async (status: number) => {
      // A refusal while the database is down: wait as Retry-After says (capped for the test's pace).
      if ((status === 503 || status === 0) && options.outageExpected?.()) await pause(1000);
      else if (status === 0) await pause(200);
    };
    while (budgetLeft()) {
      if (!cookie) {
        const signIn = await call(index, 'signIn', 'POST', '/_actions/accounts.signIn', undefined, {
          email: user.email,
          password: LEARNER_PASSWORD,
        });
        const setCookie = ([] as string[]).concat(signIn.headers['set-cookie'] ?? []);
        const session = setCookie.map((line) => /^(session|__Host-session)=([^;]+)/.exec(line)).find(Boolean);
        if (signIn.status !== 200 || !session) {
          await backOff(signIn.status);
          continue;
        }
        cookie = `${session[1]}=${session[2]}`;
        signedIn += 1;
      }
      const { course, lesson } = lessons[lessonIndex]!;
      lessonIndex = (lessonIndex + 1) % lessons.length;
      const key = `${user.id}|${course.slug}|${lesson.slug}`;
      const lessonPath = `/courses/${course.slug}/${lesson.slug}`;
      const lessonForm = { courseSlug: course.slug, lessonSlug: lesson.slug };

      const today = await call(index, 'today', 'GET', '/', cookie);
      if (today.status !== 200) {
        await backOff(today.status);
        continue;
      }
      if (!budgetLeft()) break;
      const page = await call(index, 'lesson', 'GET', lessonPath, cookie);
      if (page.status !== 200) {
        await backOff(page.status);
        continue;
      }
      const state = await call(index, 'state', 'GET', `${lessonPath}/state.json`, cookie);
      if (state.status !== 200) {
        await backOff(state.status);
        continue;
      }
      if (!(JSON.parse(state.text) as { signedIn: boolean }).signedIn) {
        sessionsLost += 1;
        cookie = undefined;
        continue;
      }
      const opened = await call(index, 'open', 'POST', '/_actions/progress.open', cookie, lessonForm);
      if (opened.status !== 200) {
        await backOff(opened.status);
        continue;
      }
      let answeredAll = true;
      for (const [question, check] of lesson.check.entries()) {
        const correct = check.options.findIndex((option) => option.correct);
        const choices = Math.random() < 0.15 ? [(correct + 1) % check.options.length, correct] : [correct];
        for (const option of choices) {
          const answer = await call(index, 'answer', 'POST', '/_actions/progress.answer', cookie, {
            ...lessonForm,
            question: String(question),
            option: String(option),
          });
          ledger.attempt(user.id, outcomeOf(answer.status));
          if (answer.status === 503) ledger.refusedDuringOutage.answer += 1;
          if (answer.status !== 200) answeredAll = false;
        }
        if (!answeredAll) break;
      }
      if (!answeredAll) {
        await backOff(503);
        continue;
      }
      revisionClock = Math.max(Date.now(), revisionClock + 1);
      seq += 1;
      const body = `Learner ${index + 1}, pass ${seq}: I will sit down for the first minute and let them finish — «${lesson.slug}» ✓`;
      const saved = await call(index, 'reflection', 'POST', '/_actions/reflections.save', cookie, {
        ...lessonForm,
        body,
        revision: String(revisionClock),
      });
      if (saved.status === 200) {
        const data = parseDevalue(saved.text) as { revision: number; applied: boolean };
        // applied=false means a newer revision was already stored: not a new write to expect.
        if (data.applied) ledger.reflection(key, revisionClock, body, 'acked');
      } else {
        ledger.reflection(key, revisionClock, body, outcomeOf(saved.status));
        if (saved.status === 503) ledger.refusedDuringOutage.reflection += 1;
      }
      const complete = await call(index, 'complete', 'POST', '/_actions/progress.complete', cookie, lessonForm);
      ledger.completion(key, outcomeOf(complete.status));
      if (complete.status === 503) ledger.refusedDuringOutage.complete += 1;
      if (complete.status !== 200) {
        await backOff(complete.status);
        continue;
      }
      iterations += 1;
      loopsPerLearner[index] = (loopsPerLearner[index] ?? 0) + 1;
    }
  }

  await Promise.all(options.learners.map((_, index) => learner(index)));
  clearTimeout(hardTimer);
  const elapsedMs = performance.now() - started;
  await agent.close();
  return { ledger, steps, requests, elapsedMs, iterations, loopsPerLearner, signedIn, sessionsLost, unanswered };
}

export interface Verification {
  ok: boolean;
  missing: { attempts: number; completions: number; reflections: number };
  duplicates: { attempts: number; completions: number; reflections: number };
  /** Writes the server refused or never answered that are in the database anyway (allowed: not acknowledged ≠ not written). */
  unacknowledgedButStored: { attempts: number; completions: number; reflections: number };
  problems: string[];
  rows: { attempts: number; completions: number; reflections: number };
}

/** Compares what the server acknowledged with what the database holds. */
export async function verifyLedger(
  database: RoundsDatabase,
  ledger: Ledger,
  learners: SeededLearner[],
): Promise<Verification> {
  const ids = learners.map((learner) => learner.id);
  const problems: string[] = [];
  const missing = { attempts: 0, completions: 0, reflections: 0 };
  const duplicates = { attempts: 0, completions: 0, reflections: 0 };
  const extra = { attempts: 0, completions: 0, reflections: 0 };
  const note = (line: string) => problems.length < 20 && problems.push(line);

  const attemptRows = await database.db
    .selectFrom('check_attempts')
    .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('user_id', 'in', ids)
    .groupBy('user_id')
    .execute();
  const attemptsInDb = new Map(attemptRows.map((row) => [row.user_id, Number(row.n)]));
  for (const id of ids) {
    const counts = ledger.attempts.get(id) ?? { acked: 0, refused: 0, unknown: 0 };
    const stored = attemptsInDb.get(id) ?? 0;
    // Between what was acknowledged and that plus what went unanswered (or 503): a refused
    // attempt was not written, so any row beyond those is a duplicate.
    if (stored < counts.acked) {
      missing.attempts += counts.acked - stored;
      note(`user ${id}: ${counts.acked} check attempts acknowledged, ${stored} stored`);
    } else if (stored > counts.acked + counts.unknown) {
      duplicates.attempts += stored - counts.acked - counts.unknown;
      note(
        `user ${id}: ${stored} check attempts stored, ${counts.acked} acknowledged and ${counts.unknown} unanswered (${counts.refused} refused)`,
      );
    } else extra.attempts += stored - counts.acked;
  }

  const progressRows = await database.db
    .selectFrom('lesson_progress')
    .select(['user_id', 'course_slug', 'lesson_slug', 'completed_at'])
    .where('user_id', 'in', ids)
    .execute();
  const completedInDb = new Map<string, number>();
  for (const row of progressRows) {
    if (!row.completed_at) continue;
    const key = `${row.user_id}|${row.course_slug}|${row.lesson_slug}`;
    completedInDb.set(key, (completedInDb.get(key) ?? 0) + 1);
  }
  for (const [key, outcome] of ledger.completions) {
    const stored = completedInDb.get(key) ?? 0;
    if (outcome === 'acked' && stored === 0) {
      missing.completions += 1;
      note(`completion ${key} acknowledged, not stored`);
    }
    if (outcome !== 'acked' && stored > 0) extra.completions += 1;
  }
  for (const [key, stored] of completedInDb) {
    if (stored > 1) duplicates.completions += stored - 1;
    if (!ledger.completions.has(key)) {
      duplicates.completions += 1;
      note(`completion ${key} stored but never requested`);
    }
  }

  const reflectionRows = await database.db
    .selectFrom('reflections')
    .select(['user_id', 'course_slug', 'lesson_slug', 'body', 'revision'])
    .where('user_id', 'in', ids)
    .execute();
  const reflectionsInDb = new Map<string, { body: string; revision: number }[]>();
  for (const row of reflectionRows) {
    const key = `${row.user_id}|${row.course_slug}|${row.lesson_slug}`;
    reflectionsInDb.set(key, [...(reflectionsInDb.get(key) ?? []), { body: row.body, revision: Number(row.revision) }]);
  }
  for (const rows of reflectionsInDb.values()) if (rows.length > 1) duplicates.reflections += rows.length - 1;
  for (const [key, acked] of ledger.reflections) {
    const stored = reflectionsInDb.get(key)?.[0];
    if (!stored) {
      missing.reflections += 1;
      note(`reflection ${key} rev ${acked.revision} acknowledged, not stored`);
    } else if (stored.revision < acked.revision) {
      missing.reflections += 1;
      note(`reflection ${key}: rev ${acked.revision} acknowledged, rev ${stored.revision} stored`);
    } else if (stored.revision === acked.revision && stored.body !== acked.body) {
      missing.reflections += 1;
      note(`reflection ${key} rev ${acked.revision}: stored text differs from the acknowledged text`);
    } else if (stored.revision > acked.revision) {
      const sent = ledger.unackedReflections.get(key)?.get(stored.revision);
      if (sent === stored.body) extra.reflections += 1;
      else {
        missing.reflections += 1;
        note(`reflection ${key}: stored rev ${stored.revision} was never sent`);
      }
    }
  }
  for (const [key, rows] of reflectionsInDb) {
    if (ledger.reflections.has(key)) continue;
    const stored = rows[0]!;
    if (ledger.unackedReflections.get(key)?.get(stored.revision) === stored.body) extra.reflections += 1;
    else {
      duplicates.reflections += 1;
      note(`reflection ${key} stored but never sent`);
    }
  }

  const [attemptTotal] = (await sql<{ n: number }>`select count(*)::int as n from check_attempts`.execute(database.db))
    .rows;
  const ok = Object.values(missing).every((n) => n === 0) && Object.values(duplicates).every((n) => n === 0);
  return {
    ok,
    missing,
    duplicates,
    unacknowledgedButStored: extra,
    problems,
    rows: {
      attempts: Number(attemptTotal?.n ?? 0),
      completions: [...completedInDb.values()].reduce((a, b) => a + b, 0),
      reflections: reflectionRows.length,
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The per-step table: count, ok, refused, network errors, 5xx, p50 and p99 in ms. */
export function formatReport(result: RunResult): string {
  const lines = [
    `| step | requests | 2xx/3xx | 4xx/5xx | no answer | 5xx | p50 ms | p99 ms | max ms |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|`,
  ];
  let total5xx = 0;
  for (const name of STEPS) {
    const s = result.steps[name];
    total5xx += s.status5xx;
    const count = s.latencies.length + s.networkErrors;
    lines.push(
      `| ${name} | ${count} | ${s.ok} | ${s.refused} | ${s.networkErrors} | ${s.status5xx} | ${percentile(s.latencies, 50).toFixed(1)} | ${percentile(s.latencies, 99).toFixed(1)} | ${percentile(s.latencies, 100).toFixed(0)} |`,
    );
  }
  const seconds = result.elapsedMs / 1000;
  lines.push('');
  lines.push(
    `${result.requests} requests in ${seconds.toFixed(1)} s = ${(result.requests / seconds).toFixed(0)} req/s; ${result.iterations} lessons completed (${(result.iterations / seconds).toFixed(1)}/s); ${result.signedIn} sign-ins; ${total5xx} responses 5xx.`,
  );
  return lines.join('\n');
}

/** Unanswered requests: how many per reason, and when they were sent. */
export function formatUnanswered(result: RunResult): string {
  if (result.unanswered.length === 0) return 'Unanswered requests: none.';
  const byReason = new Map<string, number>();
  for (const u of result.unanswered) {
    const label = `${u.explained ? 'explained' : 'UNEXPLAINED'}: ${u.step} — ${u.reason}`;
    byReason.set(label, (byReason.get(label) ?? 0) + 1);
  }
  const sent = result.unanswered.map((u) => u.sentAtMs / 1000);
  const lines = [
    `Unanswered requests: ${result.unanswered.length} (sent between ${Math.min(...sent).toFixed(1)} s and ${Math.max(...sent).toFixed(1)} s)`,
  ];
  for (const [label, n] of byReason) lines.push(`  ${n} × ${label}`);
  return lines.join('\n');
}

export function count5xx(result: RunResult): number {
  return STEPS.reduce((sum, name) => sum + result.steps[name].status5xx, 0);
}
