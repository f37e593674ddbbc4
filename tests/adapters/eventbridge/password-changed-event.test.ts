import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpResult } from '../../../lib/http/event.js';
import { eventBridgeNotifier } from '../../../lib/adapters/eventbridge/change-notifier.js';
import { PASSWORD_CHANGED_EVENT } from '../../../lib/core/password-changed-event.js';
import { verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { startEventBridgeStandIn } from '../../support/eventbridge.js';
import { apiEvent, errorCode, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../../support/harness.js';

/**
 * The PasswordChanged event (EVENT_BUS_NAME): the real EventBridge SDK client against a local
 * stand-in for PutEvents, through the real handler.
 */
let h: Harness;
let eventBridge: Awaited<ReturnType<typeof startEventBridgeStandIn>>;
let failures: unknown[] = [];
let change: (token: string, oldPassword: string, newPassword: string) => Promise<HttpResult>;

beforeAll(async () => {
  [h, eventBridge] = await Promise.all([startHarness(), startEventBridgeStandIn()]);
  const invoke = h.invokerWith({ notifier: eventBridgeNotifier('platform-bus', eventBridge.client()), onNotifyError: (e) => failures.push(e) });
  change = (token, oldPassword, newPassword) => invoke(apiEvent({ token, body: { oldPassword, newPassword } }));
});
afterAll(async () => {
  await h.stop();
  await eventBridge.stop();
});
beforeEach(() => {
  failures = [];
  eventBridge.requests.length = 0;
  eventBridge.answerWith({ failedEntryCount: 0 });
});

describe('PasswordChanged event', () => {
  it('publishes who, when and from where after a change, and nothing secret', async () => {
    const { userId, token } = await h.seedUser();

    const res = await change(token, SEED_OLD, SEED_NEW);

    expect(res.statusCode).toBe(200);
    const item = await h.getItem(userId);
    expect(eventBridge.requests).toHaveLength(1);
    expect(eventBridge.requests[0]?.target).toBe('AWSEvents.PutEvents');
    const entries = eventBridge.requests[0]?.entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ EventBusName: 'platform-bus', Source: PASSWORD_CHANGED_EVENT.source, DetailType: PASSWORD_CHANGED_EVENT.detailType });
    expect(entries[0]?.Time).toBe(Date.parse(item?.passwordChangedAt as string) / 1000);
    expect(JSON.parse(entries[0]?.Detail ?? '')).toEqual({ userId, changedAt: item?.passwordChangedAt, requestId: expect.stringMatching(/^api-/), sourceIp: '203.0.113.7' });
    for (const secret of [SEED_OLD, SEED_NEW, token, item?.passwordHash as string]) expect(JSON.stringify(eventBridge.requests)).not.toContain(secret);
    expect(failures).toEqual([]);
  });

  it('publishes nothing for a refused change', async () => {
    const { token } = await h.seedUser();
    expect(errorCode(await change(token, 'Wrong-P@ss-1', 'Other-P@ssw0rd1'))).toBe(5023);
    expect(eventBridge.requests).toEqual([]);
  });

  it.each([
    ['EventBridge refuses the entry (200 with FailedEntryCount 1)', { failedEntryCount: 1 }, /EventBridge refused 1 entry/],
    ['EventBridge fails (500)', { status: 500, type: 'InternalException' }, /stand-in failure/],
  ] as const)('keeps the change and reports the failure when %s', async (_case, answer, reported) => {
    eventBridge.answerWith(answer);
    const { userId, token } = await h.seedUser();

    const res = await change(token, SEED_OLD, SEED_NEW);

    expect(res.statusCode).toBe(200);
    expect(await verifyPassword(SEED_NEW, (await h.getItem(userId))?.passwordHash as string)).toBe(true);
    expect(eventBridge.requests).toHaveLength(1);
    expect(failures).toHaveLength(1);
    expect(String((failures[0] as Error).message)).toMatch(reported);
  });
});
