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
    });
    // It logs and does nothing else Powertools does: neither a metrics namespace nor a trace switch.
    expect(config.observability).toEqual({ serviceName: 'change-password' });
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

  it('reads NOTICE_ADDRESS_ATTRIBUTES as up to 10 attribute names, each once, `email` when unset', () => {
    expect(loadNoticeConfig(VALID).addressAttributes).toEqual(['email']);
    expect(loadNoticeConfig({ ...VALID, NOTICE_ADDRESS_ATTRIBUTES: ' email, recoveryEmail,email ' }).addressAttributes).toEqual(['email', 'recoveryEmail']);
    const ten = Array.from({ length: 10 }, (_, i) => `a${i}`);
    expect(loadNoticeConfig({ ...VALID, NOTICE_ADDRESS_ATTRIBUTES: ten.join(',') }).addressAttributes).toEqual(ten);
    expect(loadNoticeConfig({ ...VALID, NOTICE_ADDRESS_ATTRIBUTES: 'x'.repeat(255) }).addressAttributes).toEqual(['x'.repeat(255)]);
  });

  it.each([
    ['no name', ' , '],
    ['11 names', Array.from({ length: 11 }, (_, i) => `a${i}`).join(',')],
    ['a name with a space', 'email,recovery email'],
    ['a name with a control character', 'email\u0007'],
    ['a name of 256 characters', 'x'.repeat(256)],
  ])('refuses NOTICE_ADDRESS_ATTRIBUTES with %s, quoting the value', (_case, value) => {
    expect(refusal({ ...VALID, NOTICE_ADDRESS_ATTRIBUTES: value })).toBe(
      `NOTICE_ADDRESS_ATTRIBUTES must list 1 to 10 attribute names, comma-separated, such as email,recoveryEmail (got "${value}")`,
    );
  });
});
