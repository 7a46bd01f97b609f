import nodemailer, { type Transporter } from 'nodemailer';
import type { Executor } from './db.ts';
import { insertOutboxMail, type OutgoingMail } from './outbox-repo.ts';
import { settings } from './settings.ts';
import { escapeHtml } from '#lib/escape-html.ts';

let transport: Transporter | undefined;
let transportUrl: string | undefined;

function smtpTransport(url: string): Transporter {
  if (!transport || transportUrl !== url) {
    transport = nodemailer.createTransport(url);
    transportUrl = url;
  }
  return transport;
}

export class UndeliverableAddressError extends Error {
  constructor(address: string) {
    super(`Not sending mail to ${address}: .invalid addresses belong to deleted accounts.`);
  }
}

/**
 * Sends over SMTP when SMTP_URL is set. Without it, mail is kept in the outbox
 * table and printed, so a newcomer can follow the link. Mail sent over SMTP is not
 * stored: it may hold single-use links.
 */
export async function sendMail(db: Executor, mail: OutgoingMail): Promise<void> {
  // The last guard for deleted accounts, whose address is deleted-<id>@deleted.invalid (RFC 2606: never delivered).
  if (/\.invalid$/i.test(mail.to.trim())) throw new UndeliverableAddressError(mail.to);
  const { SMTP_URL, MAIL_FROM } = settings();
  if (SMTP_URL) {
    // With List-Unsubscribe-Post, mail apps offer their own unsubscribe button, which POSTs to the link (RFC 8058).
    const unsubscribe = mail.unsubscribeUrl
      ? {
          list: { unsubscribe: mail.unsubscribeUrl },
          headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        }
      : {};
    await smtpTransport(SMTP_URL).sendMail({
      from: MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      ...unsubscribe,
    });
    return;
  }
  await insertOutboxMail(db, mail, null);
  console.log(`\n[mail] To: ${mail.to}\n[mail] Subject: ${mail.subject}\n${mail.text}\n`);
}

/** A mail with one call to action, as plain text and simple HTML. */
export function composeMail(options: {
  to: string;
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
  unsubscribeUrl?: string;
}): OutgoingMail {
  const { to, subject, greeting, paragraphs, action, footer, unsubscribeUrl } = options;
  const text = [
    greeting,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    ...(action ? [`${action.label}: ${action.url}`, ''] : []),
    footer ?? '— Rounds',
  ]
    .join('\n')
    .trim();
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:36rem">
<p>${escapeHtml(greeting)}</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${action ? `<p><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:.6em 1.2em;background:#0b5d57;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(action.label)}</a></p><p style="font-size:.9em">Or paste this link into your browser: ${escapeHtml(action.url)}</p>` : ''}
<p style="color:#555">${escapeHtml(footer ?? '— Rounds')}</p>
</body></html>`;
  return { to, subject, text, html, unsubscribeUrl };
}
