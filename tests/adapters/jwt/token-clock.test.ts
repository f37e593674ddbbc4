import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier } from '../../../lib/adapters/jwt/token-verifier.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../../lib/core/ports.js';
import { appErrorOf } from '../../support/rejection.js';
import { claims, signToken } from '../../support/tokens.js';

/**
 * The verifier's own time check, `iat` at most CLOCK_TOLERANCE_SECONDS ahead, at its exact edge:
 * the clock (Date, which jose reads too) is frozen on a whole second, so "now + tolerance" is a
 * whole number of seconds that a token's iat can equal.
 */
const SECRET = 'unit-test-hs256-secret-of-at-least-32-bytes';
const NOW_SECONDS = 1_800_000_000;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW_SECONDS * 1000);
});
afterAll(() => vi.useRealTimers());

describe('a token issued in the future', () => {
  const verify = createTokenVerifier({ key: { kind: 'secret', secret: SECRET }, issuer: undefined, audience: undefined });
  const tokenIssuedAt = (iat: number) => signToken(claims('user-123', { iat, exp: NOW_SECONDS + 300 }), new TextEncoder().encode(SECRET), 'HS256');

  it(`is accepted with iat exactly ${CLOCK_TOLERANCE_SECONDS} s ahead`, async () => {
    // Act
    const result = await verify(`Bearer ${await tokenIssuedAt(NOW_SECONDS + CLOCK_TOLERANCE_SECONDS)}`);

    // Assert
    expect(result).toEqual({ userId: 'user-123', issuedAt: NOW_SECONDS + CLOCK_TOLERANCE_SECONDS });
  });

  it(`is refused with iat ${CLOCK_TOLERANCE_SECONDS + 1} s ahead`, async () => {
    // Act
    const error = await appErrorOf(verify(`Bearer ${await tokenIssuedAt(NOW_SECONDS + CLOCK_TOLERANCE_SECONDS + 1)}`));

    // Assert
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toEqual({ reason: 'iat in the future' });
  });
});
