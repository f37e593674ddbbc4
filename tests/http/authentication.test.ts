import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/core/errors.js';
import type { VerifiedToken } from '../../lib/core/ports.js';
import { authentication, verifiedToken, type AuthenticatedContext } from '../../lib/http/authentication.js';
import { createLogger } from '../../lib/http/logger.js';
import type { HttpEvent } from '../../lib/http/event.js';

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

describe('authentication', () => {
  it('asks the verifier about no header at all when the event has no headers (it answers 401 4002), instead of failing on them', async () => {
    // Arrange: header normalisation leaves an event without headers as it is
    const asked: (string | undefined)[] = [];
    const middleware = authentication((authorization) => {
      asked.push(authorization);
      return Promise.resolve({ userId: 'u1', issuedAt: 1 });
    }, createLogger({ serviceName: 'test' }));
    const request = { event: { requestContext: {} } as unknown as HttpEvent, context: {} as AuthenticatedContext };

    // Act
    await middleware.before?.(request as never);

    // Assert
    expect(asked).toEqual([undefined]);
    expect(request.context.token?.userId).toBe('u1');
  });
});
