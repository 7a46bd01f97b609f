import type { Executor } from './db.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** For mail people can opt out of: sent as List-Unsubscribe with one-click POST (RFC 8058). */
  unsubscribeUrl?: string;
}

export function insertOutboxMail(db: Executor, mail: OutgoingMail, sentAt: Date | null) {
  return db
    .insertInto('outbox')
    .values({ to_address: mail.to, subject: mail.subject, text_body: mail.text, html_body: mail.html, sent_at: sentAt })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export function latestOutboxMail(db: Executor, to: string) {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('to_address', '=', to)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
