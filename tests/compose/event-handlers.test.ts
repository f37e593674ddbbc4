import { describe, expect, it } from 'vitest';
import { passwordChangedNoticeHandler, passwordChangedRelayHandler } from '../../lib/compose.js';
import { loadNoticeConfig, loadRelayConfig } from '../../lib/config/load.js';
import { lambdaContext } from '../support/harness.js';

/**
 * The event functions' handlers as Lambda builds them from their configuration: each answers an
 * event that asks nothing of DynamoDB, EventBridge or SES (their paths are tests/events/).
 */
describe('the event functions, composed', () => {
  it('passwordChangedRelay answers a batch without records with no failure', async () => {
    const handler = passwordChangedRelayHandler(loadRelayConfig({ USERS_TABLE: 'users', EVENT_BUS_NAME: 'bus' }));

    expect(await handler({ Records: [] }, lambdaContext())).toEqual({ batchItemFailures: [] });
  });

  it('passwordChangedNotice answers an event that is not a PasswordChanged with a skip', async () => {
    const config = loadNoticeConfig({ USERS_TABLE: 'users', IDEMPOTENCY_TABLE: 'idempotency', NOTICE_FROM_ADDRESS: 'no-reply@example.com', NOTICE_RESET_URL: 'https://app.example.com/reset' });

    expect(await passwordChangedNoticeHandler(config)({ id: 'not-an-event' }, lambdaContext())).toEqual({ sent: false, reason: 'malformedEvent' });
  });
});
