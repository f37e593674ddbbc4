import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PublishEvent } from '../../core/password-changed.js';
import { PASSWORD_CHANGED_EVENT } from '../../core/password-changed-event.js';

/**
 * Publishes `PasswordChanged` (lib/core/password-changed-event.ts) on an EventBridge bus so the
 * platform can tell the user (OWASP ASVS 6.3.7): one PutEvents entry whose time is the change's
 * and whose detail is the relayed one, `changeId` included, so every publication of a change is
 * recognisably the same. Rejects when the call fails or the entry is refused, leaving the event
 * pending for the relay's next try.
 */
export const eventBridgePublisher = (busName: string, client?: Pick<EventBridgeClient, 'send'>): PublishEvent => async (detail) => {
  // Loaded on first use: only the relay evaluates the EventBridge SDK.
  const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
  // Stryker disable next-line ObjectLiteral: 3 is also the SDK's default; said here as the relay's retry budget
  client ??= new EventBridgeClient({ maxAttempts: 3 });
  const { FailedEntryCount } = await client.send(new PutEventsCommand({
    Entries: [{
      EventBusName: busName,
      Source: PASSWORD_CHANGED_EVENT.source,
      DetailType: PASSWORD_CHANGED_EVENT.detailType,
      Time: new Date(detail.changedAt),
      Detail: JSON.stringify(detail),
    }],
  }));
  if (FailedEntryCount) throw new Error(`EventBridge refused ${FailedEntryCount} entry`);
};
