/**
 * The use case "tell the owner their password changed" (OWASP ASVS 5.0 6.3.6): after a change, the
 * account's owner gets an email saying when, from which IP, and what to do if it was not them. Its
 * ports (the contact lookup, the email sender) are declared here; lib/adapters/dynamodb and
 * lib/adapters/ses implement them. The email carries no password, hash or token: the use case
 * never sees one.
 */

/** What a `PasswordChanged` event says about the change. */
export interface PasswordChange {
  /** The change's identity: every publication of one change carries it. */
  changeId: string;
  userId: string;
  changedAt: Date;
  /** The client's IP as API Gateway saw it; undefined when the event has none. */
  sourceIp: string | undefined;
  /** The client's User-Agent, cleaned (cleanUserAgent); undefined when the event has none. */
  userAgent: string | undefined;
}

/** One configured place an address may be kept, and what the record holds there (undefined: nothing usable). */
export interface AddressSlot {
  /** The attribute's name as configured (NOTICE_ADDRESS_ATTRIBUTES): logged, never its value. */
  attribute: string;
  address: string | undefined;
}

/** Where the owner can be reached, as the user record says: every configured slot, or no record at all. */
export type OwnerContact = { slots: AddressSlot[] } | { missing: 'user' };

/** Reads the user's addresses (lib/adapters/dynamodb): `missing` when there is no record. */
export type ContactLookup = (userId: string) => Promise<OwnerContact>;

/** One email to all the owner's addresses: plain text and HTML bodies of the same words. */
export interface Email {
  from: string;
  to: string[];
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

/** A configured address slot the notice did not go to, and why: nothing there, or nothing SES would take. */
export interface SkippedAddress {
  attribute: string;
  reason: 'missing' | 'invalid';
}

/** What became of one notice: sent to `recipients` addresses, or to none; `skipped` names the slots left out. */
export type NoticeOutcome = { sent: true; recipients: number; skipped: SkippedAddress[] } | { sent: false; reason: 'noUser' | 'noEmail'; skipped: SkippedAddress[] };

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
 * ISO 8601 instant), from which IP and with which client, and what to do if it was not the owner.
 * Every value placed in the HTML is escaped: a User-Agent is whatever the requester chose to send.
 */
export const noticeEmail = (change: PasswordChange, to: string[], settings: NoticeSettings): Email => {
  const when = humanTime(change.changedAt);
  const instant = change.changedAt.toISOString();
  const from = change.sourceIp === undefined ? 'from an unknown IP address' : `from the IP address ${change.sourceIp}`;
  const changed = `The password of your account was changed on ${when} (${instant}), ${from}.`;
  const client = `The request came from a client that calls itself: ${change.userAgent ?? 'unknown'}`;
  const yours = 'If you made this change, there is nothing more to do.';
  const notYours = 'If you did not, someone else may have your password: reset it now at';
  const automatic = 'This message was sent automatically because your password changed, to every address on your account; replies are not read.';
  return {
    from: settings.fromAddress,
    to,
    subject: NOTICE_SUBJECT,
    text: [changed, client, yours, `${notYours} ${settings.resetUrl}`, automatic].join('\n\n'),
    html: [
      `<p>${escapeHtml(changed)}</p>`,
      `<p>${escapeHtml(client)}</p>`,
      `<p>${escapeHtml(yours)}</p>`,
      `<p>${escapeHtml(notYours)} <a href="${escapeHtml(settings.resetUrl)}">${escapeHtml(settings.resetUrl)}</a></p>`,
      `<p>${escapeHtml(automatic)}</p>`,
    ].join('\n'),
  };
};

/**
 * Emails the owner about one change, at every address the record holds in the configured slots
 * (NIST SP 800-63B-4 §4.6: every notification address), as one email. A slot with nothing in it,
 * or with something SES would refuse, is skipped and named in the outcome. An owner who cannot be
 * reached at all (no record, no usable address) is an outcome, not an error: retrying would never
 * help. A lookup or send failure rejects, so the event is delivered again.
 */
export const notifyOwner = async (change: PasswordChange, deps: { lookupContact: ContactLookup; sendEmail: EmailSender; settings: NoticeSettings }): Promise<NoticeOutcome> => {
  const contact = await deps.lookupContact(change.userId);
  if ('missing' in contact) return { sent: false, reason: 'noUser', skipped: [] };
  const skipped: SkippedAddress[] = [];
  const to: string[] = [];
  for (const { attribute, address } of contact.slots) {
    if (address === undefined) skipped.push({ attribute, reason: 'missing' });
    else if (!isDeliverableAddress(address)) skipped.push({ attribute, reason: 'invalid' });
    else if (!to.includes(address)) to.push(address);
  }
  if (to.length === 0) return { sent: false, reason: 'noEmail', skipped };
  await deps.sendEmail(noticeEmail(change, to, deps.settings));
  return { sent: true, recipients: to.length, skipped };
};
