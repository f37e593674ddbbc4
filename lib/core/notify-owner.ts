/**
 * The use case "tell the owner their password changed" (OWASP ASVS 5.0 6.3.6): after a change, the
 * account's owner gets an email saying when, from which IP, and what to do if it was not them. Its
 * ports (the contact lookup, the email sender) are declared here; lib/adapters/dynamodb and
 * lib/adapters/ses implement them. The email carries no password, hash or token: the use case
 * never sees one.
 */

/** What a `PasswordChanged` event says about the change. */
export interface PasswordChange {
  userId: string;
  changedAt: Date;
  /** The client's IP as API Gateway saw it; undefined when the event has none. */
  sourceIp: string | undefined;
}

/** Where the owner can be reached, as the user record says. */
export type OwnerContact = { email: string } | { missing: 'user' | 'email' };

/** Reads the user's email address (lib/adapters/dynamodb): `missing` when there is no record or no address. */
export type ContactLookup = (userId: string) => Promise<OwnerContact>;

/** One email: plain text and HTML bodies of the same words. */
export interface Email {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one email (lib/adapters/ses); rejects when the provider did not accept it, so the event is retried. */
export type EmailSender = (email: Email) => Promise<void>;

/** NOTICE_FROM_ADDRESS and NOTICE_RESET_URL. */
export interface NoticeSettings {
  fromAddress: string;
  /** Where the owner goes when the change was not theirs (https). */
  resetUrl: string;
}

/** What became of one notice: sent, or skipped because the owner cannot be reached by email. */
export type NoticeOutcome = { sent: true } | { sent: false; reason: 'noUser' | 'noEmail' | 'invalidEmail' };

export const NOTICE_SUBJECT = 'Your password was changed';

/**
 * An address SES can be asked to send to: one `@` with text on both sides, no whitespace or control
 * character (nothing that could smuggle a header), at most 254 characters (RFC 5321). Anything else
 * would be refused by SES on every retry, so it is skipped instead.
 */
export const isDeliverableAddress = (address: string): boolean => address.length <= 254 && /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u.test(address);

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to place in HTML content and attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** The change's time for a reader, in UTC: "Tuesday 1 December 2026 at 02:15 UTC". */
export const humanTime = (at: Date): string =>
  `${new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'full', timeStyle: 'short' }).format(at).replace(',', '')} UTC`;

/**
 * The notice's words, as plain text and as simple HTML: when (a reader's UTC time and the exact
 * ISO 8601 instant), from which IP, and what to do if it was not the owner. Every value placed in
 * the HTML is escaped.
 */
export const noticeEmail = (change: PasswordChange, to: string, settings: NoticeSettings): Email => {
  const when = humanTime(change.changedAt);
  const instant = change.changedAt.toISOString();
  const from = change.sourceIp === undefined ? 'from an unknown IP address' : `from the IP address ${change.sourceIp}`;
  const changed = `The password of your account was changed on ${when} (${instant}), ${from}.`;
  const yours = 'If you made this change, there is nothing more to do.';
  const notYours = 'If you did not, someone else may have your password: reset it now at';
  const automatic = 'This message was sent automatically because your password changed; replies are not read.';
  return {
    from: settings.fromAddress,
    to,
    subject: NOTICE_SUBJECT,
    text: [changed, yours, `${notYours} ${settings.resetUrl}`, automatic].join('\n\n'),
    html: [
      `<p>${escapeHtml(changed)}</p>`,
      `<p>${escapeHtml(yours)}</p>`,
      `<p>${escapeHtml(notYours)} <a href="${escapeHtml(settings.resetUrl)}">${escapeHtml(settings.resetUrl)}</a></p>`,
      `<p>${escapeHtml(automatic)}</p>`,
    ].join('\n'),
  };
};

const SKIPPED: Record<'user' | 'email', NoticeOutcome> = { user: { sent: false, reason: 'noUser' }, email: { sent: false, reason: 'noEmail' } };

/**
 * Emails the owner about one change. An owner who cannot be reached (no record, no address, an
 * address SES would refuse) is an outcome, not an error: retrying would never help. A lookup or
 * send failure rejects, so the event is delivered again.
 */
export const notifyOwner = async (change: PasswordChange, deps: { lookupContact: ContactLookup; sendEmail: EmailSender; settings: NoticeSettings }): Promise<NoticeOutcome> => {
  const contact = await deps.lookupContact(change.userId);
  if ('missing' in contact) return SKIPPED[contact.missing];
  if (!isDeliverableAddress(contact.email)) return { sent: false, reason: 'invalidEmail' };
  await deps.sendEmail(noticeEmail(change, contact.email, deps.settings));
  return { sent: true };
};
