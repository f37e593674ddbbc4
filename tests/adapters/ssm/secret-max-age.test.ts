import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSecretFetcher, SECRET_MAX_AGE_SECONDS } from '../../../lib/adapters/ssm/secret-parameter.js';
import { startSsmStandIn } from '../../support/ssm.js';

/**
 * How long a fetched secret is reused (SECRET_MAX_AGE_SECONDS), on a clock moved by hand: Date,
 * which Powertools Parameters' cache reads, is faked; timers stay real for the SDK.
 */
const NAME = '/change-password/test/jwt-secret';
let ssm: Awaited<ReturnType<typeof startSsmStandIn>>;

beforeAll(async () => {
  ssm = await startSsmStandIn();
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterAll(async () => {
  vi.useRealTimers();
  await ssm.stop();
});
beforeEach(() => {
  vi.setSystemTime(1_800_000_000_000);
  ssm.requests.length = 0;
});

describe('the secret fetcher', () => {
  it(`reuses a secret for ${SECRET_MAX_AGE_SECONDS} s, then reads it again, so a rotation takes effect within five minutes`, async () => {
    // Arrange
    const fetchSecret = createSecretFetcher(ssm.clientConfig);
    ssm.answerWith({ value: 'first-secret-value-of-32-bytes-or-more' });
    expect(await fetchSecret(NAME)).toBe('first-secret-value-of-32-bytes-or-more');
    ssm.answerWith({ value: 'rotated-secret-value-of-32-bytes-or-more' });

    // Act / Assert: still the first a second before the five minutes end, the rotated one after them
    vi.setSystemTime(1_800_000_000_000 + (SECRET_MAX_AGE_SECONDS - 1) * 1000);
    expect(await fetchSecret(NAME)).toBe('first-secret-value-of-32-bytes-or-more');
    expect(ssm.requests).toHaveLength(1);
    vi.setSystemTime(1_800_000_000_000 + (SECRET_MAX_AGE_SECONDS + 1) * 1000);
    expect(await fetchSecret(NAME)).toBe('rotated-secret-value-of-32-bytes-or-more');
    expect(ssm.requests).toHaveLength(2);
  });
});
