import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventBridgePublisher } from '../../../lib/adapters/eventbridge/change-notifier.js';
import { startEventBridgeStandIn } from '../../support/eventbridge.js';

/**
 * The publisher as the composition builds it, with no client given: the EventBridge client it makes
 * itself, configured as in Lambda from the environment (region, credentials; here also the
 * endpoint, AWS_ENDPOINT_URL_EVENTBRIDGE, which points it at the local PutEvents stand-in).
 */
let eventBridge: Awaited<ReturnType<typeof startEventBridgeStandIn>>;
const detail = { changeId: 'f1c6a3a4-5d0e-4b7a-9f57-0f7f3c1e2d9a', userId: 'user-1', changedAt: '2026-01-02T03:04:05.000Z', requestId: 'api-1', sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0' };

beforeAll(async () => {
  eventBridge = await startEventBridgeStandIn();
  for (const [name, value] of Object.entries({ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint })) vi.stubEnv(name, value);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await eventBridge.stop();
});
beforeEach(() => {
  eventBridge.requests.length = 0;
  eventBridge.answerWith({ failedEntryCount: 0 });
});

describe('eventBridgePublisher without a client', () => {
  it('publishes through the EventBridge client it builds from the environment, under the source and type rules match on', async () => {
    // Act
    await eventBridgePublisher('platform-bus')(detail);

    // Assert: the platform's rules name these two strings, so they are spelled out here
    expect(eventBridge.requests).toHaveLength(1);
    expect(eventBridge.requests[0]?.entries).toEqual([{
      EventBusName: 'platform-bus',
      Source: 'change-password',
      DetailType: 'PasswordChanged',
      Time: Date.parse('2026-01-02T03:04:05.000Z') / 1000,
      Detail: JSON.stringify(detail),
    }]);
  });

  it('tries a failing PutEvents three times, then reports the failure', async () => {
    // Arrange
    eventBridge.answerWith({ status: 500, type: 'InternalException' });

    // Act
    const error = await eventBridgePublisher('platform-bus')(detail).then(() => undefined, (e: unknown) => e);

    // Assert
    expect(String((error as Error).message)).toMatch(/stand-in failure/);
    expect(eventBridge.requests).toHaveLength(3);
  });

  it('rejects when PutEvents answers 200 but refuses the entry, so the event stays pending', async () => {
    // Arrange
    eventBridge.answerWith({ failedEntryCount: 1 });

    // Act
    const error = await eventBridgePublisher('platform-bus')(detail).then(() => undefined, (e: unknown) => e);

    // Assert
    expect(String((error as Error).message)).toBe('EventBridge refused 1 entry');
    expect(eventBridge.requests).toHaveLength(1);
  });
});
