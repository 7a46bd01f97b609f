import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  email_verified_at: Timestamp | null;
  is_admin: Generated<boolean>;
  created_at: CreatedAt;
}

export interface SessionsTable {
  id: string;
  secret_hash: Uint8Array;
  user_id: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  user_agent: Generated<string>;
}

export type EmailTokenPurpose = 'verify-email' | 'reset-password';

export interface EmailTokensTable {
  token_hash: string;
  user_id: string;
  purpose: EmailTokenPurpose;
  email: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: CreatedAt;
}

export interface ThrottlesTable {
  key: string;
  window_started_at: Timestamp;
  hits: number;
}

export interface OutboxTable {
  id: Generated<number>;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}

export interface LessonProgressTable {
  user_id: string;
  course_slug: string;
  lesson_slug: string;
  started_at: Timestamp;
  completed_at: Timestamp | null;
  course_version: string | null;
}

export interface CheckAttemptsTable {
  id: Generated<number>;
  user_id: string;
  course_slug: string;
  lesson_slug: string;
  question: number;
  chosen_option: number;
  correct: boolean;
  answered_at: CreatedAt;
}

export interface ReflectionsTable {
  id: Generated<string>;
  user_id: string;
  course_slug: string;
  lesson_slug: string;
  body: string;
  revision: number;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_id: string | null;
  action: string;
  target: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  at: CreatedAt;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  throttles: ThrottlesTable;
  outbox: OutboxTable;
  lesson_progress: LessonProgressTable;
  check_attempts: CheckAttemptsTable;
  reflections: ReflectionsTable;
  audit_log: AuditLogTable;
}

export type User = Selectable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type NewUser = Insertable<UsersTable>;
export type LessonProgress = Selectable<LessonProgressTable>;
export type Reflection = Selectable<ReflectionsTable>;
export type CheckAttempt = Selectable<CheckAttemptsTable>;
