import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breachedPasswordCheck } from '../../lib/compose.js';
import { loadConfig } from '../../lib/config/load.js';
import { KeptLines } from '../support/kept-lines.js';
import { startRangeApi } from '../support/range-api.js';

/**
 * The Pwned Passwords check as the composition builds it, against a stand-in of the range API that
 * is down: one warning line saying what the change does next, and one metric, nothing about the password.
 */
const PASSWORD = 'Unavailable-Check-P@ss1';
let api: Awaited<ReturnType<typeof startRangeApi>>;

beforeAll(async () => {
  api = await startRangeApi();
  api.setMode('error');
});
afterAll(() => api.stop());

const checkWith = (env: Record<string, string>) => {
  const { breachedPasswords } = loadConfig({ USERS_TABLE: 't', JWT_SECRET: 'x'.repeat(32), HIBP_API_URL: api.url, ...env });
  const logger = new KeptLines({ logLevel: 'WARN' });
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
  return { check: breachedPasswordCheck(breachedPasswords, logger, metrics), lines: logger.entries, metrics };
};

describe('breachedPasswordCheck', () => {
  it('is none when HIBP_ENABLED is off', () => {
    expect(checkWith({ HIBP_ENABLED: 'false' }).check).toBeUndefined();
  });

  it.each([
    ['goes on with the offline rules', {}, 'checked on the offline rules only'],
    ['refuses the change under HIBP_FAIL_CLOSED', { HIBP_FAIL_CLOSED: 'true' }, 'refusing the change (HIBP_FAIL_CLOSED)'],
  ])('warns, when the API is unavailable, that it %s', async (_case, env, next) => {
    const { check, lines, metrics } = checkWith({ HIBP_ENABLED: 'true', ...env });

    await check?.check(PASSWORD).catch(() => undefined);

    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', message: `Pwned Passwords range API unavailable; ${next}`, reason: 'status' })]);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
    expect(metrics.serializeMetrics()).toMatchObject({ BreachedPasswordCheckUnavailable: 1 });
  });
});
