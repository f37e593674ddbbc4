import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { eventBridgePublisher } from '../../lib/adapters/eventbridge/change-notifier.js';
import { PASSWORD_CHANGED_EVENT } from '../../lib/core/password-changed-event.js';
import { relayDependencies, relayHandlerDependencies } from '../../lib/compose.js';
import { loadRelayConfig } from '../../lib/config/load.js';
import { changePassword } from '../../lib/core/change-password.js';
import type { PendingEvent } from '../../lib/core/password-changed.js';
import { createRelayHandler } from '../../lib/events/password-changed-relay.js';
import { startEventBridgeStandIn } from '../support/eventbridge.js';
import { KeptLines } from '../support/kept-lines.js';
import { apiEvent, lambdaContext, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../support/harness.js';

/**
 * The PasswordChanged event comes from the commit: the real change handler (EVENT_BUS_NAME set) on
 * a DynamoDB API server records the event with its write, and the relay, built by the composition
 * (the outbox on the same table, the real EventBridge client against a PutEvents stand-in),
 * publishes it and clears it. The stream edge is fed the records DynamoDB Streams would carry.
 */
const BUS = 'platform-bus';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64)\r\nForged: line\u202e';

let h: Harness;
let quiet: Harness;
let eventBridge: Awaited<ReturnType<typeof startEventBridgeStandIn>>;
let relay: ReturnType<typeof relayDependencies>;

const relayConfig = (env: Record<string, string> = {}) => loadRelayConfig({ USERS_TABLE: h.table, DYNAMODB_ENDPOINT: h.endpoint, EVENT_BUS_NAME: BUS, ...env });

/** A user changes their password through the real handler, from a browser. */
const change = async (harness: Harness = h) => {
  const { userId, token } = await harness.seedUser();
  const res = await harness.invoke(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW }, headers: { 'user-agent': USER_AGENT } }));
  expect(res.statusCode).toBe(200);
  return userId;
};
const pendingOf = async (userId: string, harness: Harness = h) => ((await harness.getItem(userId))?.pendingPasswordChanged ?? []) as PendingEvent[];
const published = () => eventBridge.requests.flatMap(({ entries }) => entries);
const details = () => published().map((entry) => JSON.parse(entry.Detail ?? '{}') as Record<string, unknown>);

beforeAll(async () => {
  [h, quiet, eventBridge] = await Promise.all([startHarness({}, undefined, { EVENT_BUS_NAME: BUS }), startHarness(), startEventBridgeStandIn()]);
  relay = relayDependencies(relayConfig(), eventBridgePublisher(BUS, eventBridge.client()));
});
afterAll(async () => {
  await Promise.all([h.stop(), quiet.stop(), eventBridge.stop()]);
});
beforeEach(() => {
  eventBridge.requests.length = 0;
  eventBridge.answerWith({ failedEntryCount: 0 });
});

describe('the change records its PasswordChanged event with its own write', () => {
  it('answers 200 without calling the bus, and leaves one pending event carrying the change\'s identity', async () => {
    const userId = await change();

    const item = await h.getItem(userId);
    expect(eventBridge.requests).toEqual([]);
    expect(item?.pendingPasswordChanged).toEqual([{
      changeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userId,
      changedAt: item?.passwordChangedAt,
      region: 'eu-west-1',
      requestId: expect.stringMatching(/^api-/),
      sourceIp: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Forged: line',
    }]);
  });

  it('records nothing when EVENT_BUS_NAME is unset', async () => {
    const userId = await change(quiet);

    expect(await quiet.getItem(userId)).not.toHaveProperty('pendingPasswordChanged');
  });

  it('keeps the event of a change whose function stops right after the write: the write alone carries it', async () => {
    const { userId } = await h.seedUser();
    const stopped = new Error('function stopped');
    const deps = { ...h.deps, store: { ...h.deps.store, beginAttempt: h.deps.store.beginAttempt.bind(h.deps.store), releaseAttempt: h.deps.store.releaseAttempt.bind(h.deps.store), replacePasswordHash: async (change: Parameters<typeof h.deps.store.replacePasswordHash>[0]) => {
      await h.deps.store.replacePasswordHash(change);
      throw stopped;
    } } };

    await expect(changePassword(deps, { userId, tokenIssuedAt: undefined, authentication: {}, oldPassword: SEED_OLD, newPassword: SEED_NEW })).rejects.toBe(stopped);
    expect(await relay.relay(userId)).toBe(1);

    expect(details()).toEqual([expect.objectContaining({ userId, changedAt: (await h.getItem(userId))?.passwordChangedAt })]);
    expect(await pendingOf(userId)).toEqual([]);
  });
});

describe('the relay', () => {
  it('publishes the event with the change\'s identity, then clears it', async () => {
    const userId = await change();
    const [pending] = await pendingOf(userId);

    expect(await relay.relay(userId)).toBe(1);

    expect(published()).toEqual([{ EventBusName: BUS, Source: PASSWORD_CHANGED_EVENT.source, DetailType: PASSWORD_CHANGED_EVENT.detailType, Time: Date.parse(pending?.changedAt ?? '') / 1000, Detail: expect.any(String) }]);
    const { region: _region, ...detail } = pending ?? ({} as PendingEvent);
    expect(details()).toEqual([detail]);
    expect(await pendingOf(userId)).toEqual([]);
    expect(await relay.relay(userId)).toBe(0);
    expect(published()).toHaveLength(1);
  });

  it.each([
    ['refuses the entry (200 with FailedEntryCount 1)', { failedEntryCount: 1 }],
    ['fails (500)', { status: 500, type: 'InternalException' }],
  ] as const)('keeps the event pending while the bus %s, and publishes it with the same identity once the bus answers', async (_case, answer) => {
    eventBridge.answerWith(answer);
    const userId = await change();
    const [pending] = await pendingOf(userId);

    await expect(relay.relay(userId)).rejects.toThrow();
    expect(await pendingOf(userId)).toEqual([pending]);
    eventBridge.answerWith({ failedEntryCount: 0 });
    await relay.relay(userId);

    expect(details().map((d) => d.changeId)).toEqual([pending?.changeId, pending?.changeId]);
    expect(await pendingOf(userId)).toEqual([]);
  });

  it('keeps the events of two changes made while the bus is down, and publishes both, oldest first', async () => {
    eventBridge.answerWith({ status: 500, type: 'InternalException' });
    const { userId, token } = await h.seedUser();
    for (const [oldPassword, newPassword] of [[SEED_OLD, SEED_NEW], [SEED_NEW, 'Third-Str0ng-P@ssphrase']]) {
      expect((await h.invoke(apiEvent({ token, body: { oldPassword, newPassword } }))).statusCode).toBe(200);
    }
    const pending = await pendingOf(userId);
    expect(pending).toHaveLength(2);

    await expect(relay.relay(userId)).rejects.toThrow();
    eventBridge.answerWith({ failedEntryCount: 0 });
    eventBridge.requests.length = 0;
    expect(await relay.relay(userId)).toBe(2);

    expect(details().map((d) => d.changeId)).toEqual(pending.map((e) => e.changeId));
    expect(await pendingOf(userId)).toEqual([]);
  });

  it('clears only the change it published: an event recorded meanwhile stays', async () => {
    const userId = await change();
    const [first] = await pendingOf(userId);
    const later: PendingEvent = { changeId: 'later-change', userId, changedAt: new Date().toISOString(), region: 'eu-west-1' };
    await h.setAttributes(userId, { pendingPasswordChanged: [first, later] });

    await relay.outbox.clear(userId, first?.changeId ?? '');
    await relay.outbox.clear(userId, first?.changeId ?? '');

    expect(await pendingOf(userId)).toEqual([later]);
  });

  it('publishes only its own Region\'s events: another Region\'s relay publishes those', async () => {
    const userId = await change();
    const elsewhere = relayDependencies(relayConfig({ AWS_REGION: 'eu-west-2' }), eventBridgePublisher(BUS, eventBridge.client()));

    expect(await elsewhere.relay(userId)).toBe(0);
    expect(published()).toEqual([]);
    expect(await relay.relay(userId)).toBe(1);
  });

  it('relays the events of every Region in a sweep', async () => {
    const userId = await change();
    const [own] = await pendingOf(userId);
    const elsewhere = { ...own, changeId: 'recorded-elsewhere', region: 'eu-west-2' } as PendingEvent;
    await h.setAttributes(userId, { pendingPasswordChanged: [own, elsewhere] });

    expect(await relay.relayEveryRegion(userId)).toBe(2);

    expect(details().map((d) => d.changeId)).toEqual([own?.changeId, 'recorded-elsewhere']);
    expect(await pendingOf(userId)).toEqual([]);
  });

  it('finds every user with pending events, for a sweep', async () => {
    const [a, b] = [await change(), await change()];

    const users: string[] = [];
    for await (const userId of relay.outbox.usersWithPending()) users.push(userId);

    expect(users).toEqual(expect.arrayContaining([a, b]));
    for (const userId of users) await relay.relay(userId);
    const left: string[] = [];
    for await (const userId of relay.outbox.usersWithPending()) left.push(userId);
    expect(left).toEqual([]);
  });
});

describe('passwordChangedRelay (the stream target)', () => {
  /** The stream record DynamoDB writes for the user's item as it now is (NEW_IMAGE). */
  const streamRecord = async (userId: string, sequence: string) => ({
    eventID: sequence,
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: { Keys: marshall({ userId }), NewImage: marshall(await h.getItem(userId) ?? {}), SequenceNumber: sequence, StreamViewType: 'NEW_IMAGE' },
  });
  const handler = () => createRelayHandler(relayHandlerDependencies(relayConfig(), eventBridgePublisher(BUS, eventBridge.client())));

  /** The handler with its real relay, each user it relays for noted, and its log lines kept. */
  const observed = () => {
    const deps = relayHandlerDependencies(relayConfig(), eventBridgePublisher(BUS, eventBridge.client()));
    const relayed: string[] = [];
    const logger = new KeptLines({ logLevel: 'INFO', serviceName: 'relay-test' });
    const run = createRelayHandler({ ...deps, logger, relay: (userId) => (relayed.push(userId), deps.relay(userId)) });
    return { run, relayed, lines: logger.entries };
  };

  it('publishes the events the records name, and reports no failure; a stale record publishes nothing twice', async () => {
    const userId = await change();
    const record = await streamRecord(userId, '100');

    expect(await handler()({ Records: [record, record] }, lambdaContext())).toEqual({ batchItemFailures: [] });

    expect(details().map((d) => d.userId)).toEqual([userId]);
  });

  it('reports the first record it could not relay, so Lambda retries from there and nothing after it is lost', async () => {
    const [a, b] = [await change(), await change()];
    const records = [await streamRecord(a, '200'), await streamRecord(b, '201')];
    eventBridge.answerWith({ status: 500, type: 'InternalException' });

    expect(await handler()({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
    eventBridge.answerWith({ failedEntryCount: 0 });
    expect(await handler()({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });

    expect(await pendingOf(a)).toEqual([]);
    expect(await pendingOf(b)).toEqual([]);
  });
  it('logs what it published, with the invocation\'s request id, and nothing for a record with nothing left to publish', async () => {
    const userId = await change();
    const record = await streamRecord(userId, '300');
    const { run, lines } = observed();
    const context = lambdaContext();

    await run({ Records: [record, record] }, context);

    expect(lines).toEqual([expect.objectContaining({ level: 'INFO', message: 'PasswordChanged events published', userId, published: 1, function_request_id: context.awsRequestId })]);
  });

  it('logs the user and the error\'s name of a record it could not relay, and nothing of the bus\'s answer', async () => {
    const userId = await change();
    eventBridge.answerWith({ status: 500, type: 'InternalException' });
    const { run, lines } = observed();

    expect(await run({ Records: [await streamRecord(userId, '400')] }, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: '400' }] });

    expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', message: 'PasswordChanged event not published yet; retried from this record', userId, errorName: 'InternalException' })]);
  });

  it('skips a malformed record with an error line and relays the records after it', async () => {
    const userId = await change();
    const { run, relayed, lines } = observed();

    expect(await run({ Records: [{ dynamodb: { NewImage: {} } }, await streamRecord(userId, '500')] }, lambdaContext())).toEqual({ batchItemFailures: [] });

    expect(relayed).toEqual([userId]);
    expect(lines.map((line) => line.message)).toEqual(['Stream record malformed; skipped', 'PasswordChanged events published']);
  });

  it('relays each user of this Region once, and no one for another Region\'s event, an entry of another shape or an image without events', async () => {
    const userId = await change();
    const [own] = await pendingOf(userId);
    const otherRegion = { ...own, changeId: 'other-region', userId: 'someone-else', region: 'eu-west-2' };
    const image = marshall({ userId, pendingPasswordChanged: [own, own, otherRegion, { changeId: 'no-user-or-region' }, 'not an event'] });
    const { run, relayed, lines } = observed();

    const result = await run({ Records: [
      { dynamodb: { SequenceNumber: '600', NewImage: image } },
      { dynamodb: { SequenceNumber: '601', NewImage: marshall({ userId }) } },
      { dynamodb: { SequenceNumber: '602' } },
    ] }, lambdaContext());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(relayed).toEqual([userId]);
    expect(lines).toHaveLength(1);
  });

  it('answers an event without records with no failure and no log line', async () => {
    const { run, relayed, lines } = observed();

    expect(await run({}, lambdaContext())).toEqual({ batchItemFailures: [] });

    expect(relayed).toEqual([]);
    expect(lines).toEqual([]);
  });
});
