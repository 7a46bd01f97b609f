import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { JWK } from 'jose';

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
  /** Set when the person deleted their account: the row stays, anonymised, for teams' and events' counts. */
  deleted_at: Timestamp | null;
  /** Set while an administrator has deactivated the account: no sign-in, no mail; its records stay. */
  deactivated_at: Timestamp | null;
  /** The last successful sign-in (null before this was recorded, or never). */
  last_signed_in_at: Timestamp | null;
  /** IANA zone (or 'UTC') every time is shown in for this person: pages, emails, quiet hours, unlock dates. */
  time_zone: Generated<string>;
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

export type EmailTokenPurpose = 'verify-email' | 'reset-password' | 'undo-email-change';

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

/** A password reset asked for, waiting for the job runner (which mails the link if the address has an account). */
export interface PasswordResetRequestsTable {
  id: Generated<string>;
  email: string;
  created_at: CreatedAt;
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
  /** Time in the lesson by the server's clock, added at each completion (decision 0024). */
  seconds_spent: Generated<number>;
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

export interface TeamsTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  created_by: string | null;
  created_at: CreatedAt;
  /** Set when a leader or administrator archived the team: hidden from Today and the team lists, no reminders. */
  archived_at: Timestamp | null;
}

/** An invitation mailed to an address: one row per team and address, so a list sent twice mails nobody twice. */
export interface TeamEmailInvitationsTable {
  team_id: string;
  email: string;
  invited_by: string | null;
  /** Null while no mail went out (the send failed). */
  last_sent_at: Timestamp | null;
  created_at: CreatedAt;
}

export type TeamRole = 'leader' | 'member';

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: TeamRole;
  joined_at: CreatedAt;
  /** A leader counted in the team's numbers (they take its courses too); members always are. */
  learns_with_team: Generated<boolean>;
}

export interface TeamInvitesTable {
  id: Generated<string>;
  team_id: string;
  code: string;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  max_uses: number | null;
  uses: Generated<number>;
  revoked_at: Timestamp | null;
}

/** Dates are 'YYYY-MM-DD' strings (see src/server/platform/db.ts). */
export interface TeamAssignmentsTable {
  id: Generated<string>;
  team_id: string;
  course_slug: string;
  due_on: string;
  note: Generated<string>;
  created_by: string | null;
  created_at: CreatedAt;
  /** Set for a learning path's course: its place in the path and its due offset in days. */
  path_id: string | null;
  path_position: number | null;
  due_offset_days: number | null;
  /** Recurring training (decision 0041): due again this many months after each completion; null never. */
  repeat_months: ColumnType<number | null, number | null | undefined, number | null>;
}

/** A renewal term (2, 3, ...) of a course for one learner; term 1 has no row (decision 0041). */
export interface CourseTermsTable {
  user_id: string;
  course_slug: string;
  term: number;
  opened_at: CreatedAt;
  /** The previous term's expiry: the renewal's due date. */
  due_on: string;
  previous_completed_at: Timestamp;
  /** The previous term's lesson_progress rows as they were. */
  previous_lessons: ColumnType<unknown, string, string>;
}

/** A learning path: due dates count from each member's own start (the later of starts_on and joining). */
export interface TeamPathsTable {
  id: Generated<string>;
  team_id: string;
  name: string;
  starts_on: string;
  in_order: Generated<boolean>;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface AssignmentExtensionsTable {
  assignment_id: string;
  user_id: string;
  due_on: string;
  created_at: CreatedAt;
}

export interface ReminderPreferencesTable {
  user_id: string;
  quiet_start_minute: number;
  quiet_end_minute: number;
  unsubscribed_at: Timestamp | null;
  updated_at: Timestamp;
}

/** A team's automatic reminder schedule; no row = on, 3 days before (decision 0040). */
export interface TeamReminderSchedulesTable {
  team_id: string;
  automatic: boolean;
  days_before: number;
  updated_by: string | null;
  updated_at: Timestamp;
}

/** The one automatic email a person gets on one of their local days: claimed, then sent. */
export interface MailDaysTable {
  user_id: string;
  day: string;
  source: string;
  lease_until: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
  sent_at: Timestamp | null;
}

export type ReminderStage = 'before' | 'due' | 'overdue-1' | 'overdue-2' | 'overdue-3' | 'overdue-4';

/** An automatic reminder that went out: each stage once per member and assignment. */
export interface AutomaticRemindersTable {
  assignment_id: string;
  user_id: string;
  stage: ReminderStage;
  day: string;
  sent_at: Timestamp;
}

export interface TeamReminderOptOutsTable {
  team_id: string;
  user_id: string;
  at: Timestamp;
}

/** A leader's weekly digest, one row per leader and week (its Monday). */
export interface LeaderDigestsTable {
  user_id: string;
  week: string;
  lease_until: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
  sent_at: Timestamp | null;
}

export interface LeaderDigestOptOutsTable {
  user_id: string;
  at: Timestamp;
}

export interface TeamRemindersTable {
  id: Generated<number>;
  assignment_id: string;
  user_id: string;
  requested_by: string | null;
  requested_at: CreatedAt;
  deliver_after: Timestamp;
  attempts: Generated<number>;
  last_error: string | null;
  delivered_at: Timestamp | null;
  skipped_reason: string | null;
  /** The leader's own words, shown in the mail as theirs ('' for none). */
  note: Generated<string>;
}

export interface ReminderSigningKeyTable {
  id: number;
  secret: string;
}

export interface EventsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  /** 'YYYY-MM-DD' (see src/server/platform/db.ts). */
  event_date: string;
  time_zone: string;
  location: Generated<string>;
  welcome_message: Generated<string>;
  unlock_minute: number;
  first_unlock_days: number;
  interval_days: number;
  day_offsets: ColumnType<number[] | null, string | null | undefined, string | null>;
  join_code: string;
  join_closed_at: Timestamp | null;
  /** Archived: off the active list, closed to joining, no emails; learning records stay. */
  archived_at: Timestamp | null;
  /** The first this many lessons stay open whatever the schedule says (released before it was last changed). */
  lessons_kept_open: Generated<number>;
  schedule_changed_at: Timestamp | null;
  /** Weeks of review questions by email after the drip ends (0: none; decision 0029). */
  review_weeks: Generated<number>;
  /** The event's own credit activity as its organiser stated it (decision 0045); null: none. */
  credit: ColumnType<EventCreditJson | null, string | null | undefined, string | null>;
  created_by: string | null;
  created_at: CreatedAt;
}

/** An event's credit: dates 'YYYY-MM-DD'; `disclosures` 'none' stated explicitly, or a list. */
export interface EventCreditJson {
  activityId: string;
  types: { type: string; hours: number }[];
  disclosures: 'none' | { name: string; role: string; relationship: string }[];
  outcomes: string[];
  starts: string;
  expires: string;
  passMark: number;
  /** Which optional requirements apply; absent (saved before they were optional): all of them. */
  requires?: { postTest: boolean; engagementTime: boolean; evaluation: boolean };
}

export interface EventCoursesTable {
  event_id: string;
  course_slug: string;
  position: number;
}

export interface EventEnrollmentsTable {
  id: Generated<string>;
  event_id: string;
  user_id: string;
  enrolled_at: CreatedAt;
  paused_at: Timestamp | null;
  paused_total_ms: Generated<number>;
  nudges_off_at: Timestamp | null;
}

export interface EventNudgesTable {
  enrollment_id: string;
  course_slug: string;
  lesson_slug: string;
  unlocked_at: Timestamp;
  claimed_at: Timestamp;
  lease_until: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
  sent_at: Timestamp | null;
  skipped_reason: string | null;
}

export interface SigningKeysTable {
  kid: string;
  public_jwk: ColumnType<JWK, string, string>;
  private_jwk: ColumnType<JWK, string, string>;
  created_at: CreatedAt;
  retired_at: Timestamp | null;
}

/** `completed_on` is 'YYYY-MM-DD' (see src/server/platform/db.ts); `contact_hours` a number. */
export interface CertificatesTable {
  id: string;
  code: string;
  user_id: string;
  /** Null once the holder deleted their account (holder_erased_at). */
  holder_name: string | null;
  holder_email_salt: string;
  /** The credential's salted email hash (`sub`); after erasure kept only when revoked. */
  holder_email_hash: string | null;
  holder_erased_at: Timestamp | null;
  course_slug: string;
  course_title: string;
  course_version: string;
  completed_on: string;
  contact_hours: number;
  issuer_name: string;
  issued_at: Timestamp;
  expires_at: Timestamp | null;
  /** Null once the holder deleted their account. */
  credential_jwt: string | null;
  revoked_at: Timestamp | null;
  revoke_reason: string | null;
  replaced_by: string | null;
  /** Its entry in the revocation status list /certificates/status/<list>, allocated once. */
  status_list: number;
  status_index: number;
  /** Continuing-education credit as issued (issue 21); null on a completion certificate. */
  credit_type: ColumnType<string | null, string | null | undefined, string | null>;
  credit_hours: ColumnType<number | null, number | null | undefined, number | null>;
  credit_activity_id: ColumnType<string | null, string | null | undefined, string | null>;
  accreditation_statement: ColumnType<string | null, string | null | undefined, string | null>;
  /** The course term it was earned in (1 the first time; a renewal is 2, 3, ...). */
  term: ColumnType<number, number | undefined, number>;
  /** The certificate of the previous term that this one renews. */
  renews: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CertificateStatusListsTable {
  list: number;
  credential_jwt: string;
  signed_at: Timestamp;
}

/** One learner's card (a check or review question of a completed lesson) and its FSRS state. */
export interface ReviewCardsTable {
  user_id: string;
  course_slug: string;
  lesson_slug: string;
  /** `check:0`, `review:2`: the question's list and index in the lesson. */
  card: string;
  due: Timestamp;
  stability: Generated<number>;
  difficulty: Generated<number>;
  scheduled_days: Generated<number>;
  learning_steps: Generated<number>;
  reps: Generated<number>;
  lapses: Generated<number>;
  /** ts-fsrs State: 0 new, 1 learning, 2 review, 3 relearning. */
  state: Generated<number>;
  last_review: Timestamp | null;
  created_at: CreatedAt;
}

/** Every review; `review_id` comes from the form, so a retry is applied once. */
export interface ReviewLogTable {
  review_id: string;
  user_id: string;
  course_slug: string;
  lesson_slug: string;
  card: string;
  chosen_option: number;
  correct: boolean;
  /** ts-fsrs Rating: 1 again, 2 hard, 3 good. */
  rating: number;
  state_before: number;
  due_before: Timestamp;
  due_after: Timestamp;
  reviewed_at: Timestamp;
}

/** A hospital or health system; `parent_id` one level deep (system → hospital). */
export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  parent_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

/** A verified email domain (lower-case, no @): people whose confirmed address is at it belong to the organisation. */
export interface OrganisationDomainsTable {
  domain: string;
  organisation_id: string;
  verified_by: string | null;
  verified_at: CreatedAt;
}

export interface OrganisationAdminsTable {
  organisation_id: string;
  user_id: string;
  added_by: string | null;
  added_at: CreatedAt;
}

/** A team of an organisation (at most one per team). */
export interface OrganisationTeamsTable {
  team_id: string;
  organisation_id: string;
  added_by: string | null;
  added_at: CreatedAt;
}

/** An organisation's OpenID Connect provider (decision 0042); the client secret is AES-256-GCM encrypted. */
export interface SsoProvidersTable {
  organisation_id: string;
  issuer: string;
  client_id: string;
  client_secret_encrypted: string;
  require_sso: Generated<boolean>;
  updated_by: string | null;
  updated_at: Timestamp;
}

/** A sign-in on its way to the provider: deleted when the browser comes back (single use). */
export interface SsoPendingSignInsTable {
  state_hash: string;
  organisation_id: string;
  code_verifier: string;
  nonce: string;
  next_path: string | null;
  expires_at: Timestamp;
}

/** A provider account (`sub`) linked to a Rounds account, per organisation. */
export interface SsoIdentitiesTable {
  organisation_id: string;
  subject: string;
  user_id: string;
  linked_at: CreatedAt;
}

/** A Rounds session that began at an organisation's provider. */
export interface SsoSessionsTable {
  session_id: string;
  organisation_id: string;
  id_token: string;
}

/** An organisation's SCIM bearer token: its SHA-256 only (decision 0043). */
export interface ScimTokensTable {
  organisation_id: string;
  token_hash: Uint8Array;
  created_by: string | null;
  /** When this token was made (a rotation resets it). */
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

/** An account an organisation's directory provisioned over SCIM (one organisation at most). */
export interface ScimUsersTable {
  user_id: string;
  organisation_id: string;
  external_id: string | null;
  given_name: string | null;
  family_name: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** A group of an organisation's directory; `team_id` is the team its administrators mapped it to. */
export interface ScimGroupsTable {
  id: Generated<string>;
  organisation_id: string;
  display_name: string;
  external_id: string | null;
  team_id: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface ScimGroupMembersTable {
  group_id: string;
  user_id: string;
}

/** The continuing-education provider (decision 0035): one row, id 1, once an administrator saves it. */
export interface CreditProviderTable {
  id: number;
  name: string;
  accreditation_statement: string;
  approver_statement: string;
  /** The kinds of credit (CREDIT_TYPES) the provider offers; courses state only these. */
  enabled_types: ColumnType<string[], string, string>;
  updated_at: Timestamp;
  updated_by: string | null;
}

/** One post-test attempt; `attempt_id` comes from the form, so a retry is recorded once. */
export interface CreditPostTestAttemptsTable {
  attempt_id: string;
  user_id: string;
  course_slug: string;
  course_version: string;
  /** The option chosen per question, in course order (lesson by lesson, check by check). */
  answers: ColumnType<number[], string, string>;
  correct: number;
  questions: number;
  score: number;
  passed: boolean;
  attempted_at: CreatedAt;
}

/** Evaluation answers, with no user and no time finer than the month ('YYYY-MM'). */
export interface CreditEvaluationsTable {
  id: string;
  course_slug: string;
  activity_id: string;
  form_version: number;
  month: string;
  answers: ColumnType<Record<string, unknown>, string, string>;
}

/** Who completed a course's evaluation (not what they answered). `completed_on` is 'YYYY-MM-DD'. */
export interface CreditEvaluationReceiptsTable {
  user_id: string;
  course_slug: string;
  form_version: number;
  completed_on: string;
}

/** The learner's attestation: the credit claimed for a course, once. */
export interface CreditClaimsTable {
  user_id: string;
  course_slug: string;
  activity_id: string;
  credit_type: string;
  hours_claimed: number;
  post_test_score: number;
  attested_at: CreatedAt;
}

export interface PushKeysTable {
  id: number;
  public_key: string;
  private_key: string;
  created_at: CreatedAt;
}

/** One device that asked for reminders by Web Push (decision 0044). */
export interface PushSubscriptionsTable {
  id: Generated<string>;
  user_id: string;
  /** The session that turned it on; signing out there ends it. Null once that session expired. */
  session_id: string | null;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: CreatedAt;
  last_pushed_at: Date | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  email_tokens: EmailTokensTable;
  throttles: ThrottlesTable;
  outbox: OutboxTable;
  password_reset_requests: PasswordResetRequestsTable;
  lesson_progress: LessonProgressTable;
  check_attempts: CheckAttemptsTable;
  reflections: ReflectionsTable;
  audit_log: AuditLogTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  team_invites: TeamInvitesTable;
  team_email_invitations: TeamEmailInvitationsTable;
  team_assignments: TeamAssignmentsTable;
  team_paths: TeamPathsTable;
  course_terms: CourseTermsTable;
  assignment_extensions: AssignmentExtensionsTable;
  reminder_preferences: ReminderPreferencesTable;
  team_reminders: TeamRemindersTable;
  team_reminder_schedules: TeamReminderSchedulesTable;
  mail_days: MailDaysTable;
  automatic_reminders: AutomaticRemindersTable;
  team_reminder_opt_outs: TeamReminderOptOutsTable;
  leader_digests: LeaderDigestsTable;
  leader_digest_opt_outs: LeaderDigestOptOutsTable;
  reminder_signing_key: ReminderSigningKeyTable;
  events: EventsTable;
  event_courses: EventCoursesTable;
  event_enrollments: EventEnrollmentsTable;
  event_nudges: EventNudgesTable;
  signing_keys: SigningKeysTable;
  certificates: CertificatesTable;
  certificate_status_lists: CertificateStatusListsTable;
  review_cards: ReviewCardsTable;
  review_log: ReviewLogTable;
  organisations: OrganisationsTable;
  organisation_domains: OrganisationDomainsTable;
  organisation_admins: OrganisationAdminsTable;
  organisation_teams: OrganisationTeamsTable;
  sso_providers: SsoProvidersTable;
  sso_pending_sign_ins: SsoPendingSignInsTable;
  sso_identities: SsoIdentitiesTable;
  sso_sessions: SsoSessionsTable;
  scim_tokens: ScimTokensTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
  credit_provider: CreditProviderTable;
  credit_post_test_attempts: CreditPostTestAttemptsTable;
  credit_evaluations: CreditEvaluationsTable;
  credit_evaluation_receipts: CreditEvaluationReceiptsTable;
  credit_claims: CreditClaimsTable;
  push_keys: PushKeysTable;
  push_subscriptions: PushSubscriptionsTable;
}

export type User = Selectable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type NewUser = Insertable<UsersTable>;
export type LessonProgress = Selectable<LessonProgressTable>;
export type Reflection = Selectable<ReflectionsTable>;
export type CheckAttempt = Selectable<CheckAttemptsTable>;
export type Certificate = Selectable<CertificatesTable>;
