import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventBridgePublisher } from '../../lib/adapters/eventbridge/change-notifier.js';
import { sesEmailSender } from '../../lib/adapters/ses/email-sender.js';
import { noticeDependencies, relayDependencies } from '../../lib/compose.js';
import { loadNoticeConfig, loadRelayConfig } from '../../lib/config/load.js';
import { NOTICE_SUBJECT } from '../../lib/core/notify-owner.js';
import { createNoticeHandler, type NoticeResult } from '../../lib/events/password-changed-notice.js';
import { ensureIdempotencyTable } from '../../scripts/local/dynamodb.js';
import { startEventBridgeStandIn, type PutEventsEntry } from '../support/eventbridge.js';
import { apiEvent, lambdaContext, rawDocumentClient, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../support/harness.js';
import { startSesStandIn } from '../support/ses.js';

/**
 * The passwordChangedNotice function end to end: a real change through the change handler records
 * PasswordChanged, the relay publishes it (the real EventBridge client against its stand-in); the event EventBridge would
 * deliver goes to the real notice handler, built by the composition against the same DynamoDB API
 * server (users table and idempotency table, Powertools Idempotency's own DynamoDB calls), whose
 * real SES v2 client talks to a stand-in of SendEmail. Log lines are read from stdout.
 */
const FROM = 'no-reply@example.com';
const RESET_URL = 'https://app.example.com/account/reset?from=notice&lang=en';
const EMAIL = 'owner@example.org';
const RECOVERY = 'recovery@example.net';
const USER_AGENT = 'Evil <img src=x onerror=alert(1)>\r\nBcc: x@example.net';

let h: Harness;
let eventBridge: Awaited<ReturnType<typeof startEventBridgeStandIn>>;
let ses: Awaited<ReturnType<typeof startSesStandIn>>;
let notice: (event: unknown) => Promise<NoticeResult>;
let idempotencyTable: string;
let logs: string[] = [];

/** The event EventBridge delivers for a PutEvents entry (its envelope, the entry's detail). */
const delivered = (entry: PutEventsEntry | undefined, id: string = randomUUID()) => ({
  version: '0',
  id,
  'detail-type': entry?.DetailType,
  source: entry?.Source,
  account: '123456789012',
  time: new Date((entry?.Time ?? 0) * 1000).toISOString(),
  region: 'eu-west-1',
  resources: [],
  detail: JSON.parse(entry?.Detail ?? '{}') as unknown,
});

/** A user changes their password through the real endpoint; returns the event delivered for it and what a secret check needs. */
const changeAndDeliver = async (attributes: Record<string, unknown> = { email: EMAIL }) => {
  const { userId, token } = await h.seedUser(attributes);
  const res = await h.invoke(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW }, headers: { 'user-agent': USER_AGENT } }));
  expect(res.statusCode).toBe(200);
  const item = await h.getItem(userId);
  const relay = relayDependencies(loadRelayConfig({ USERS_TABLE: h.table, DYNAMODB_ENDPOINT: h.endpoint, EVENT_BUS_NAME: 'platform-bus' }), eventBridgePublisher('platform-bus', eventBridge.client()));
  expect(await relay.relay(userId)).toBe(1);
  const entry = eventBridge.requests.at(-1)?.entries[0];
  return { userId, event: delivered(entry), secrets: [SEED_OLD, SEED_NEW, token, item?.passwordHash as string], changedAt: item?.passwordChangedAt as string };
};

const noticeConfig = (env: Record<string, string> = {}) =>
  loadNoticeConfig({ USERS_TABLE: h.table, IDEMPOTENCY_TABLE: idempotencyTable, DYNAMODB_ENDPOINT: h.endpoint, NOTICE_FROM_ADDRESS: FROM, NOTICE_RESET_URL: RESET_URL, ...env });

beforeAll(async () => {
  [h, eventBridge, ses] = await Promise.all([startHarness({}, undefined, { EVENT_BUS_NAME: 'platform-bus' }), startEventBridgeStandIn(), startSesStandIn()]);
  idempotencyTable = `idempotency-${randomUUID()}`;
  await ensureIdempotencyTable(h.endpoint, idempotencyTable);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  const handler = createNoticeHandler(noticeDependencies(noticeConfig(), sesEmailSender(ses.client())));
  notice = (event) => handler(event, lambdaContext());
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([h.stop(), eventBridge.stop(), ses.stop()]);
});
beforeEach(() => {
  ses.requests.length = 0;
  ses.accepted.length = 0;
  ses.failWith(undefined);
  logs = [];
  // Powertools writes WARN and ERROR lines to stderr, the others to stdout.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs.push(chunk.toString());
      return true;
    });
  }
});
afterEach(() => vi.restoreAllMocks());

const logEntries = () => logs.join('').split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('passwordChangedNotice', () => {
  it('emails the owner when and from where the password changed, and what to do if it was not them', async () => {
    const { event, changedAt } = await changeAndDeliver();

    const result = await notice(event);

    expect(result).toEqual({ sent: true, recipients: 1, skipped: [] });
    expect(ses.requests.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /v2/email/outbound-emails']);
    const [email] = ses.accepted;
    expect(email?.FromEmailAddress).toBe(FROM);
    expect(email?.Destination).toEqual({ ToAddresses: [EMAIL] });
    const simple = email?.Content?.Simple;
    expect(simple?.Subject).toEqual({ Data: NOTICE_SUBJECT, Charset: 'UTF-8' });
    const text = simple?.Body?.Text?.Data ?? '';
    expect(text).toContain(`(${changedAt})`);
    expect(text).toMatch(/changed on \w+day \d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC/);
    expect(text).toContain('from the IP address 203.0.113.7');
    expect(text).toContain(`reset it now at ${RESET_URL}`);
    expect(text).toContain('a client that calls itself: Evil <img src=x onerror=alert(1)> Bcc: x@example.net');
    const html = simple?.Body?.Html?.Data ?? '';
    expect(html).toContain(`<a href="${RESET_URL.replaceAll('&', '&amp;')}">`);
    expect(html).toContain('203.0.113.7');
    expect(html).toContain('Evil &lt;img src=x onerror=alert(1)&gt; Bcc: x@example.net');
    expect(html).not.toContain('<img');
  });

  it('puts no password, hash or token in the email or the logs, and no address in the logs', async () => {
    const { event, secrets } = await changeAndDeliver();

    await notice(event);

    const wire = JSON.stringify(ses.requests);
    for (const secret of secrets) expect(wire).not.toContain(secret);
    const written = logs.join('');
    for (const secret of [...secrets, EMAIL, NOTICE_SUBJECT]) expect(written).not.toContain(secret);
    expect(logEntries()).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'Password change notice sent', eventId: event.id, outcome: 'sent' }));
  });

  it('sends one email for an event delivered twice, and answers the second delivery with the first outcome', async () => {
    const { event } = await changeAndDeliver();

    const first = await notice(event);
    const second = await notice(structuredClone(event));

    expect([first, second]).toEqual([{ sent: true, recipients: 1, skipped: [] }, { sent: true, recipients: 1, skipped: [] }]);
    expect(ses.accepted).toHaveLength(1);
    expect(logEntries().map((entry) => entry.message)).toContain('Password change notice already handled for this change; nothing sent');
  });

  it('sends one email for two publications of one change (a relay retry, an SDK retry, two Regions): the change is the key, not the event id', async () => {
    const { event } = await changeAndDeliver();

    await notice(event);
    const again = await notice({ ...structuredClone(event), id: randomUUID(), region: 'eu-west-2' });

    expect(again).toEqual({ sent: true, recipients: 1, skipped: [] });
    expect(ses.accepted).toHaveLength(1);
  });

  it('sends to every address the record holds (NOTICE_ADDRESS_ATTRIBUTES), skipping and logging by name one that holds nothing', async () => {
    const handler = createNoticeHandler(noticeDependencies(noticeConfig({ NOTICE_ADDRESS_ATTRIBUTES: 'email,recoveryEmail,workEmail' }), sesEmailSender(ses.client())));
    const { event } = await changeAndDeliver({ email: EMAIL, recoveryEmail: RECOVERY });

    const result = await handler(event, lambdaContext());

    expect(result).toEqual({ sent: true, recipients: 2, skipped: [{ attribute: 'workEmail', reason: 'missing' }] });
    expect(ses.accepted.map((email) => email.Destination?.ToAddresses)).toEqual([[EMAIL, RECOVERY]]);
    expect(logEntries()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'Password change notice address skipped', attribute: 'workEmail', reason: 'missing' }));
    expect(logs.join('')).not.toContain(RECOVERY);
  });

  it('sends one email for an event delivered twice at once: the overlapping delivery fails, and its retry sends nothing', async () => {
    const { event } = await changeAndDeliver();

    const settled = await Promise.allSettled([notice(event), notice(structuredClone(event))]);
    const retried = await Promise.all(settled.filter((s) => s.status === 'rejected').map(() => notice(event)));

    expect(ses.accepted).toHaveLength(1);
    // Which one overlaps depends on timing: the later one either fails (the first is in progress) or finds it done.
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => (s.reason as Error).name);
    expect(refused.filter((name) => name !== 'IdempotencyAlreadyInProgressError')).toEqual([]);
    expect([...settled.filter((s) => s.status === 'fulfilled').map((s) => s.value), ...retried]).toEqual([{ sent: true, recipients: 1, skipped: [] }, { sent: true, recipients: 1, skipped: [] }]);
  });

  it('sends again for another change of the same user: one email per change, not per user', async () => {
    const { event } = await changeAndDeliver();

    await notice(event);
    await notice({ ...event, id: randomUUID(), detail: { ...event.detail as object, changeId: randomUUID() } });

    expect(ses.accepted).toHaveLength(2);
  });

  it('keys an event published before changes carried an identity on its event id', async () => {
    const { event } = await changeAndDeliver();
    const { changeId: _changeId, ...older } = event.detail as Record<string, unknown>;

    await notice({ ...event, detail: older });
    await notice({ ...event, detail: older });
    await notice({ ...event, id: randomUUID(), detail: older });

    expect(ses.accepted).toHaveLength(2);
  });

  it.each([
    ['no email attribute', {}, 'missing'],
    ['an empty email', { email: '  ' }, 'missing'],
    ['an email that is not a string', { email: 42 }, 'missing'],
    ['an address SES would refuse', { email: 'owner@example.org\r\nBcc: someone@example.net' }, 'invalid'],
  ])('skips a user with %s: logged without an address, the invocation succeeds, and a redelivery changes nothing', async (_case, attributes, why) => {
    const { event } = await changeAndDeliver(attributes);
    const reason = 'noEmail';

    const result = await notice(event);
    const again = await notice(event);

    expect(result).toEqual({ sent: false, reason, skipped: [{ attribute: 'email', reason: why }] });
    expect(again).toEqual(result);
    expect(ses.requests).toEqual([]);
    expect(logEntries()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'Password change notice skipped: the owner has no usable email address', outcome: reason, eventId: event.id }));
    expect(logs.join('')).not.toContain('owner@example.org');
  });

  it('skips a user whose record is gone, and succeeds', async () => {
    const { userId, event } = await changeAndDeliver();
    await h.deleteUser(userId);

    expect(await notice(event)).toEqual({ sent: false, reason: 'noUser', skipped: [] });
    expect(ses.requests).toEqual([]);
  });

  it.each([
    ['throttling', 429, 'TooManyRequestsException'],
    ['an internal error', 500, 'InternalFailure'],
  ])('fails the invocation when SES answers %s, so EventBridge retries; the retry sends the one email', async (_case, status, type) => {
    const { event } = await changeAndDeliver();
    ses.failWith({ status, type, times: 1 });

    const failed = await notice(event).then(() => undefined, (error: unknown) => error as Error);
    const retried = await notice(event);

    expect(failed?.name).toBe(type);
    expect(retried).toEqual({ sent: true, recipients: 1, skipped: [] });
    expect(ses.accepted).toHaveLength(1);
    expect(logEntries()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'Password change notice not sent; the event will be retried', errorName: type }));
  });

  it('fails the invocation when the users table cannot be read, sending nothing', async () => {
    const { event } = await changeAndDeliver();
    const handler = createNoticeHandler(noticeDependencies(noticeConfig({ USERS_TABLE: 'no-such-table' }), sesEmailSender(ses.client())));

    const failed = await handler(event, lambdaContext()).then(() => undefined, (error: unknown) => error as Error);

    expect(failed?.name).toBe('ResourceNotFoundException');
    expect(ses.requests).toEqual([]);
  });

  it('fails the invocation when the idempotency table is unavailable, sending nothing', async () => {
    const { event } = await changeAndDeliver();
    const handler = createNoticeHandler(noticeDependencies(noticeConfig({ IDEMPOTENCY_TABLE: 'no-such-table' }), sesEmailSender(ses.client())));

    const failed = await handler(event, lambdaContext()).then(() => undefined, (error: unknown) => error as Error);

    expect(failed?.name).toBe('IdempotencyPersistenceLayerError');
    expect(ses.requests).toEqual([]);
  });

  it.each([
    ['another source', (e: Record<string, unknown>) => ({ ...e, source: 'someone-else' }), ['source']],
    ['another type', (e: Record<string, unknown>) => ({ ...e, 'detail-type': 'PasswordReset' }), ['detail-type']],
    ['no id', ({ id: _id, ...e }: Record<string, unknown>) => e, ['id']],
    ['no user', (e: Record<string, unknown>) => ({ ...e, detail: { changedAt: '2026-12-01T00:00:00.000Z' } }), ['detail.userId']],
    ['a time that is not one', (e: Record<string, unknown>) => ({ ...e, detail: { userId: 'u', changedAt: 'yesterday' } }), ['detail.changedAt']],
  ])('skips an event with %s, logging which fields, and succeeds', async (_case, mangle, fields) => {
    const { event } = await changeAndDeliver();

    expect(await notice(mangle(event))).toEqual({ sent: false, reason: 'malformedEvent' });
    expect(ses.requests).toEqual([]);
    expect(logEntries()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'PasswordChanged event malformed; skipped', fields }));
  });

  it.each([
    ['null', null],
    ['a string', 'PasswordChanged'],
  ])('skips an event that is %s, naming the whole event, and succeeds', async (_case, event) => {
    expect(await notice(event)).toEqual({ sent: false, reason: 'malformedEvent' });
    expect(ses.requests).toEqual([]);
    const [entry] = logEntries().filter((e) => e.message === 'PasswordChanged event malformed; skipped');
    expect(entry).toMatchObject({ level: 'ERROR', fields: ['event'] });
    // Powertools leaves a key whose value is null out of the line.
    expect(entry).not.toHaveProperty('eventId');
  });

  it('names no event id in the log when the id is not a string, rather than repeating what the event holds', async () => {
    const { event } = await changeAndDeliver();

    await notice({ ...event, id: 42 });

    const [entry] = logEntries().filter((e) => e.message === 'PasswordChanged event malformed; skipped');
    expect(entry).toMatchObject({ fields: ['id'] });
    expect(entry).not.toHaveProperty('eventId');
  });

  it('writes the Lambda context (function, request id) on every line of the invocation', async () => {
    const { event } = await changeAndDeliver();
    const context = lambdaContext();

    await createNoticeHandler(noticeDependencies(noticeConfig(), sesEmailSender(ses.client())))(event, context);

    const entries = logEntries().filter((e) => e.eventId === event.id);
    expect(entries.map((e) => e.message)).toContain('Password change notice sent');
    for (const entry of entries) expect(entry).toMatchObject({ function_name: context.functionName, function_request_id: context.awsRequestId });
  });

  it('keeps an event\'s record for a day, as long as EventBridge retries a delivery at most', async () => {
    const { event } = await changeAndDeliver();
    const before = Math.floor(Date.now() / 1000);

    await notice(event);

    const { Items = [] } = await rawDocumentClient(h.endpoint).send(new ScanCommand({ TableName: idempotencyTable, ConsistentRead: true }));
    const newest = Math.max(...Items.map((item) => Number(item.expiration)));
    expect(newest - before).toBeGreaterThanOrEqual(24 * 60 * 60);
    expect(newest - before).toBeLessThan(24 * 60 * 60 + 600);
  });

  it('says "an unknown IP address" when the event carries none, or something that is not an IP', async () => {
    const { event } = await changeAndDeliver();
    const { sourceIp: _ip, ...withoutIp } = event.detail as Record<string, unknown>;

    await notice({ ...event, id: randomUUID(), detail: { ...withoutIp, changeId: randomUUID() } });
    await notice({ ...event, id: randomUUID(), detail: { ...withoutIp, changeId: randomUUID(), sourceIp: '<script>alert(1)</script>' } });

    expect(ses.accepted).toHaveLength(2);
    for (const email of ses.accepted) {
      expect(email.Content?.Simple?.Body?.Text?.Data).toContain('from an unknown IP address');
      expect(email.Content?.Simple?.Body?.Html?.Data).not.toContain('<script>');
    }
  });
});
