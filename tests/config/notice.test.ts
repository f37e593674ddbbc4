import { describe, expect, it } from 'vitest';
import { loadNoticeConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/core/settings.js';

/** The notice function's configuration: its own three variables, the table layout, no JWT settings. */
const VALID = { USERS_TABLE: 'users', IDEMPOTENCY_TABLE: 'idempotency', NOTICE_FROM_ADDRESS: 'no-reply@example.com', NOTICE_RESET_URL: 'https://app.example.com/reset' };
const refusal = (env: Record<string, string>): string => {
  try {
    loadNoticeConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('loadNoticeConfig', () => {
  it('reads the sender, the reset page, both tables and the layout, and needs no JWT key source', () => {
    const config = loadNoticeConfig({ ...VALID, NOTICE_FROM_ADDRESS: ' no-reply@example.com ', USERS_KEY: 'pk=USER#{sub},sk=PROFILE', USERS_ATTRIBUTE_NAMES: 'email=mail', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });
    expect(config).toMatchObject({
      usersTable: 'users',
      idempotencyTable: 'idempotency',
      notice: { fromAddress: 'no-reply@example.com', resetUrl: 'https://app.example.com/reset' },
      dynamodb: { endpoint: 'http://127.0.0.1:8000', placeholderCredentials: true },
      observability: { serviceName: 'change-password', tracing: false },
    });
    expect(config.usersLayout.attributes.email).toBe('mail');
    expect(config.usersLayout.key.map((k) => k.attribute)).toEqual(['pk', 'sk']);
  });

  it.each([
    ['no sender', { NOTICE_FROM_ADDRESS: '' }, 'NOTICE_FROM_ADDRESS must be the sender\'s email address, an SES verified identity such as no-reply@example.com (got "")'],
    ['a display-name sender', { NOTICE_FROM_ADDRESS: 'Example <no-reply@example.com>' }, 'NOTICE_FROM_ADDRESS must be the sender\'s email address'],
    ['no reset page', { NOTICE_RESET_URL: ' ' }, 'NOTICE_RESET_URL must be the https:// page where a user resets a password they did not change (got "")'],
    ['an http reset page', { NOTICE_RESET_URL: 'http://app.example.com/reset' }, 'NOTICE_RESET_URL must be the https:// page'],
    ['a reset page that is not a URL', { NOTICE_RESET_URL: 'reset' }, '(got "reset")'],
    ['no idempotency table', { IDEMPOTENCY_TABLE: '' }, 'IDEMPOTENCY_TABLE is required'],
    ['no users table', { USERS_TABLE: '' }, 'USERS_TABLE is required'],
    ['a bad layout', { USERS_KEY: 'pk=USER' }, 'USERS_KEY must put {sub}'],
    ['a bad endpoint', { DYNAMODB_ENDPOINT: 'not a url' }, 'DYNAMODB_ENDPOINT must be a URL'],
  ])('refuses %s, naming the variable', (_case, change, message) => {
    expect(refusal({ ...VALID, ...change })).toContain(message);
  });
});
