import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { ChangeNotifier } from '../../core/ports.js';

/** The EventBridge `source` and `detail-type` of the event published after a change. */
export const EVENT_SOURCE = 'change-password';
export const EVENT_DETAIL_TYPE = 'PasswordChanged';

/**
 * Publishes `PasswordChanged` on an EventBridge bus so the platform can tell the user (OWASP ASVS
 * 6.3.7). The detail carries who, when and from where; never a password, hash or token.
 */
export const eventBridgeNotifier = (busName: string, client?: Pick<EventBridgeClient, 'send'>): ChangeNotifier => ({
  async passwordChanged({ userId, changedAt, requestId, sourceIp, signOutOtherSessions }) {
    // Loaded on first use: a function without EVENT_BUS_NAME never evaluates the EventBridge SDK.
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    client ??= new EventBridgeClient({ maxAttempts: 2 });
    const { FailedEntryCount } = await client.send(new PutEventsCommand({
      Entries: [{
        EventBusName: busName,
        Source: EVENT_SOURCE,
        DetailType: EVENT_DETAIL_TYPE,
        Time: changedAt,
        Detail: JSON.stringify({ userId, changedAt: changedAt.toISOString(), requestId, sourceIp, signOutOtherSessions }),
      }],
    }));
    if (FailedEntryCount) throw new Error(`EventBridge refused ${FailedEntryCount} entry`);
  },
});
