import { describe, expect, it } from 'vitest';
import { escapeHtml, humanTime, isDeliverableAddress, noticeEmail, notifyOwner, NOTICE_SUBJECT, type Email, type OwnerContact, type PasswordChange } from '../../lib/core/notify-owner.js';
import { cleanUserAgent, USER_AGENT_MAX_LENGTH } from '../../lib/core/password-changed.js';

/** The notice's words and the use case's decisions, over in-memory ports (the real ones: tests/events/). */
const SETTINGS = { fromAddress: 'no-reply@example.com', resetUrl: 'https://app.example.com/reset?a=1&b=2' };
const CHANGE: PasswordChange = { changeId: 'change-1', userId: 'user-1', changedAt: new Date('2026-12-01T02:15:30.123Z'), sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0 <script>alert(1)</script> & "co"' };
const OWNER = 'owner@example.org';
const slots = (...addresses: (string | undefined)[]): OwnerContact => ({ slots: addresses.map((address, i) => ({ attribute: ['email', 'recoveryEmail', 'workEmail'][i] ?? `a${i}`, address })) });

const run = async (contact: OwnerContact | Error, send: (email: Email) => Promise<void> = () => Promise.resolve()) => {
  const sent: Email[] = [];
  const looked: string[] = [];
  const outcome = await notifyOwner(CHANGE, {
    lookupContact: (userId) => {
      looked.push(userId);
      return contact instanceof Error ? Promise.reject(contact) : Promise.resolve(contact);
    },
    sendEmail: async (email) => {
      await send(email);
      sent.push(email);
    },
    settings: SETTINGS,
  });
  return { outcome, sent, looked };
};

describe('notifyOwner', () => {
  it('looks the change\'s user up and sends them the notice', async () => {
    const { outcome, sent, looked } = await run(slots(OWNER));
    expect(outcome).toEqual({ sent: true, recipients: 1, skipped: [] });
    expect(looked).toEqual(['user-1']);
    expect(sent).toEqual([noticeEmail(CHANGE, [OWNER], SETTINGS)]);
  });

  it('sends one email to every address the record holds, once each, naming the slots it skipped', async () => {
    const { outcome, sent } = await run({ slots: [
      { attribute: 'email', address: OWNER },
      { attribute: 'recoveryEmail', address: 'recovery@example.net' },
      { attribute: 'workEmail', address: undefined },
      { attribute: 'oldEmail', address: 'not an address' },
      { attribute: 'alias', address: OWNER },
    ] });
    expect(sent.map((email) => email.to)).toEqual([[OWNER, 'recovery@example.net']]);
    expect(outcome).toEqual({ sent: true, recipients: 2, skipped: [{ attribute: 'workEmail', reason: 'missing' }, { attribute: 'oldEmail', reason: 'invalid' }] });
  });

  it.each([
    [{ missing: 'user' } as const, { sent: false, reason: 'noUser', skipped: [] }],
    [slots(undefined), { sent: false, reason: 'noEmail', skipped: [{ attribute: 'email', reason: 'missing' }] }],
    [slots('not an address', undefined), { sent: false, reason: 'noEmail', skipped: [{ attribute: 'email', reason: 'invalid' }, { attribute: 'recoveryEmail', reason: 'missing' }] }],
  ])('skips, without sending, an owner it cannot reach (%j)', async (contact, expected) => {
    const { outcome, sent } = await run(contact);
    expect(outcome).toEqual(expected);
    expect(sent).toEqual([]);
  });

  it('rejects when the lookup fails, sending nothing', async () => {
    const failure = new Error('dynamodb down');
    await expect(run(failure)).rejects.toBe(failure);
  });

  it('rejects when the send fails', async () => {
    const failure = new Error('throttled');
    await expect(run(slots(OWNER), () => Promise.reject(failure))).rejects.toBe(failure);
  });
});

describe('noticeEmail', () => {
  const email = noticeEmail(CHANGE, [OWNER, 'recovery@example.net'], SETTINGS);

  it('goes from the configured sender to the owner\'s addresses, under its subject', () => {
    expect({ from: email.from, to: email.to, subject: email.subject }).toEqual({ from: SETTINGS.fromAddress, to: [OWNER, 'recovery@example.net'], subject: NOTICE_SUBJECT });
    expect(NOTICE_SUBJECT).toBe('Your password was changed');
  });

  it('says when (human UTC and ISO 8601), from which IP, with which client, and where to go if it was not the owner, in plain text', () => {
    expect(email.text).toBe([
      'The password of your account was changed on Tuesday 1 December 2026 at 02:15 UTC (2026-12-01T02:15:30.123Z), from the IP address 203.0.113.7.',
      'The request came from a client that calls itself: Mozilla/5.0 <script>alert(1)</script> & "co"',
      'If you made this change, there is nothing more to do.',
      `If you did not, someone else may have your password: reset it now at ${SETTINGS.resetUrl}`,
      'This message was sent automatically because your password changed, to every address on your account; replies are not read.',
    ].join('\n\n'));
  });

  it('says the same in simple HTML, every value escaped (the User-Agent is the requester\'s own text), the reset page as a link', () => {
    expect(email.html).toBe([
      '<p>The password of your account was changed on Tuesday 1 December 2026 at 02:15 UTC (2026-12-01T02:15:30.123Z), from the IP address 203.0.113.7.</p>',
      '<p>The request came from a client that calls itself: Mozilla/5.0 &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;</p>',
      '<p>If you made this change, there is nothing more to do.</p>',
      '<p>If you did not, someone else may have your password: reset it now at <a href="https://app.example.com/reset?a=1&amp;b=2">https://app.example.com/reset?a=1&amp;b=2</a></p>',
      '<p>This message was sent automatically because your password changed, to every address on your account; replies are not read.</p>',
    ].join('\n'));
  });

  it('says "unknown" when the change names no client', () => {
    expect(noticeEmail({ ...CHANGE, userAgent: undefined }, [OWNER], SETTINGS).text).toContain('a client that calls itself: unknown');
  });

  it('says "an unknown IP address" when the change has none', () => {
    const unknown = noticeEmail({ ...CHANGE, sourceIp: undefined }, [OWNER], SETTINGS);
    expect(unknown.text).toContain('(2026-12-01T02:15:30.123Z), from an unknown IP address.');
    expect(unknown.html).toContain('from an unknown IP address.</p>');
  });

  it('carries nothing of the user but the addresses it goes to', () => {
    expect(JSON.stringify(email)).not.toContain(CHANGE.userId);
    expect(JSON.stringify(email)).not.toContain(CHANGE.changeId);
  });
});

describe('the notice\'s pure helpers', () => {
  it('escapes the five HTML-special characters and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a> é`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt; é');
  });

  it('writes the time in UTC, whatever the instant\'s offset', () => {
    expect(humanTime(new Date('2026-12-31T23:59:59+00:00'))).toBe('Thursday 31 December 2026 at 23:59 UTC');
    expect(humanTime(new Date('2027-01-01T00:30:00+02:00'))).toBe('Thursday 31 December 2026 at 22:30 UTC');
  });

  it.each([
    ['owner@example.org', true],
    ['a@b', true],
    [`${'a'.repeat(242)}@example.org`, true],
    [`${'a'.repeat(243)}@example.org`, false],
    ['no-at-sign', false],
    ['@example.org', false],
    ['owner@', false],
    ['two@at@example.org', false],
    ['owner @example.org', false],
    ['owner@example.org\r\nBcc: x@example.net', false],
    ['owner@exa\u0000mple.org', false],
    ['', false],
  ])('%j is deliverable: %s', (address, deliverable) => {
    expect(isDeliverableAddress(address)).toBe(deliverable);
  });
});

describe('cleanUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64)', 'Mozilla/5.0 (X11; Linux x86_64)'],
    ['curl/8.5.0\r\nX-Forged: yes', 'curl/8.5.0 X-Forged: yes'],
    ['left\u202eright\u200b\u2028end\u0000', 'left right end'],
    ['   \t ', undefined],
    [undefined, undefined],
  ])('%j becomes %j', (raw, cleaned) => {
    expect(cleanUserAgent(raw)).toBe(cleaned);
  });

  it(`cuts to ${USER_AGENT_MAX_LENGTH} code points, never inside a surrogate pair`, () => {
    const cut = cleanUserAgent('😀'.repeat(USER_AGENT_MAX_LENGTH + 5)) ?? '';
    expect([...cut]).toHaveLength(USER_AGENT_MAX_LENGTH);
    expect(cut).toBe('😀'.repeat(USER_AGENT_MAX_LENGTH));
  });
  it('counts from the first character that is not white space, and ends on one', () => {
    const a = 'a'.repeat(USER_AGENT_MAX_LENGTH);
    expect(cleanUserAgent(`  ${a}b`)).toBe(a);
    expect(cleanUserAgent(`${a.slice(1)} b`)).toBe(a.slice(1));
  });
});
