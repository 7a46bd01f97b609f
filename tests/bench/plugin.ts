// The contract between the bench runner and the optional scenario modules that
// other features bring (tests/bench/team-dashboard.ts, tests/bench/certificate-pdf.ts).
// A module is used only when its feature exists: the files it names are in the repo
// and the tables it names are in the migrated database; otherwise its rows print
// "n/a (not built yet)".
import type { Kysely } from 'kysely';
import type { Catalog } from '#lib/catalog.ts';

export interface BenchLearner {
  id: string;
  email: string;
  name: string;
  /** Session cookie value (`<id>.<secret>`), valid for the run. */
  token: string;
}

export interface SeedContext {
  // The app's Kysely instance (from src/server/platform/db.ts), untyped so a module may use
  // tables that db/schema.ts does not declare yet.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  db: Kysely<any>;
  catalog: Catalog;
  /** All 5,000 seeded users, in a stable order (index 0 is learner 1). */
  users: { id: string; email: string; name: string }[];
  /** The first 500 users, signed in (have a session token). */
  learners: BenchLearner[];
  /** The password every seeded user has. */
  password: string;
  kind: 'postgres' | 'pglite';
}

export interface BenchRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface Scenario {
  /** Row label in the table, e.g. "5. team dashboard (500 × 10)". */
  label: string;
  /** Returns the next request; called once per request, so it may rotate users. */
  next(): BenchRequest;
  /** Concurrency for this row when it differs from the run's (e.g. 1 for a latency target). */
  connections?: number;
  /** Target checked against this row (optional). */
  target?: {
    p95Ms?: number;
    p99Ms?: number;
    minRatio?: number;
    /** Ratio to the node:http + pg baseline (PostgreSQL). */ minPgRatio?: number;
  };
}

export interface RunContext {
  origin: string;
  learners: BenchLearner[];
  catalog: Catalog;
  /** Cookie header for a learner. */
  cookie(learner: BenchLearner): string;
  /** What seed() returned. */
  seeded: unknown;
}

export interface BenchModule {
  /** Rows this module fills, printed as n/a when the feature is missing. */
  labels: string[];
  /** Files (relative to the repo) that must exist. */
  requiresFiles: string[];
  /** Tables that must exist after migrating. */
  requiresTables: string[];
  /** Idempotent: called on every run, may find its data already there. */
  seed(ctx: SeedContext): Promise<unknown>;
  scenarios(ctx: RunContext): Scenario[] | Promise<Scenario[]>;
}
