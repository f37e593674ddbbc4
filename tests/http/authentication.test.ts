import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/core/errors.js';
import type { VerifiedToken } from '../../lib/core/ports.js';
import { verifiedToken, type AuthenticatedContext } from '../../lib/http/authentication.js';

/** The handler reads the token the authentication middleware verified; reached without it, it answers 500, never as a user. */
const context = (token?: VerifiedToken) => ({ token }) as unknown as AuthenticatedContext;

describe('verifiedToken', () => {
  it('returns the token the middleware put on the context', () => {
    const token: VerifiedToken = { userId: 'u1', issuedAt: 1 };
    expect(verifiedToken(context(token))).toBe(token);
  });

  it('throws INTERNAL, saying why, when no middleware verified a token', () => {
    let thrown: unknown;
    try {
      verifiedToken(context());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ key: 'INTERNAL', cause: { reason: 'handler reached without authentication' } });
  });
});
