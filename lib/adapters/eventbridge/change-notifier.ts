import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PASSWORD_CHANGED_EVENT, passwordChangedDetail } from '../../core/password-changed-event.js';
import type { ChangeNotifier } from '../../core/ports.js';

/**
 * Publishes `PasswordChanged` (lib/core/password-changed-event.ts) on an EventBridge bus so the
 * platform can tell the user (OWASP ASVS 6.3.7).
 */
export const eventBridgeNotifier = (busName: string, client?: Pick<EventBridgeClient, 'send'>): ChangeNotifier => ({
  async passwordChanged(change) {
    // Loaded on first use: a function without EVENT_BUS_NAME never evaluates the EventBridge SDK.
    const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    client ??= new EventBridgeClient({ maxAttempts: 2 });
    const { FailedEntryCount } = await client.send(new PutEventsCommand({
      Entries: [{
        EventBusName: busName,
        Source: PASSWORD_CHANGED_EVENT.source,
        DetailType: PASSWORD_CHANGED_EVENT.detailType,
        Time: change.changedAt,
        Detail: JSON.stringify(passwordChangedDetail(change)),
      }],
    }));
    if (FailedEntryCount) throw new Error(`EventBridge refused ${FailedEntryCount} entry`);
  },
});
