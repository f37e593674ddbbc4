import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/core/settings.js';
import { VARIABLES } from '../../lib/config/variables.js';

const DEFAULT_HIBP_API_URL = VARIABLES.HIBP_API_URL.default;

/** HIBP_* settings: defaults per stage, and a clear ConfigError for a bad value. */
const env = (overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({ USERS_TABLE: 'users', JWT_SECRET: 's'.repeat(32), ...overrides });

describe('breached-password settings', () => {
  it('are off on stage local (tests and npm start stay offline), with the documented defaults', () => {
    expect(loadConfig(env()).breachedPasswords).toEqual({ enabled: false, apiUrl: DEFAULT_HIBP_API_URL, timeoutMs: 1000, maxBreaches: 0, failClosed: false });
  });

  it.each(['dev', 'prod'])('are on for the deployed stage %s unless HIBP_ENABLED=false', (stage) => {
    expect(loadConfig(env({ STAGE: stage })).breachedPasswords.enabled).toBe(true);
    expect(loadConfig(env({ STAGE: stage, HIBP_ENABLED: 'false' })).breachedPasswords.enabled).toBe(false);
  });

  it('take HIBP_ENABLED, HIBP_API_URL, HIBP_TIMEOUT_MS, HIBP_MAX_BREACHES and HIBP_FAIL_CLOSED', () => {
    const config = loadConfig(env({ HIBP_ENABLED: 'true', HIBP_API_URL: 'http://127.0.0.1:9999', HIBP_TIMEOUT_MS: '300', HIBP_MAX_BREACHES: '10', HIBP_FAIL_CLOSED: 'TRUE' }));
    expect(config.breachedPasswords).toEqual({ enabled: true, apiUrl: 'http://127.0.0.1:9999', timeoutMs: 300, maxBreaches: 10, failClosed: true });
  });

  it.each([
    ['HIBP_ENABLED', 'yes', /HIBP_ENABLED must be true or false/],
    ['HIBP_FAIL_CLOSED', '1', /HIBP_FAIL_CLOSED must be true or false/],
    ['HIBP_TIMEOUT_MS', '0', /HIBP_TIMEOUT_MS must be a whole number from 50 to 5000/],
    ['HIBP_MAX_BREACHES', '-1', /HIBP_MAX_BREACHES must be a whole number/],
    ['HIBP_API_URL', 'http://mirror.internal', /HIBP_API_URL must be an https:\/\/ URL/],
    ['HIBP_API_URL', 'not a url', /HIBP_API_URL must be an https:\/\/ URL/],
  ])('refuse %s=%s at cold start', (name, value, message) => {
    expect(() => loadConfig(env({ [name]: value }))).toThrow(ConfigError);
    expect(() => loadConfig(env({ [name]: value }))).toThrow(message);
  });
});
