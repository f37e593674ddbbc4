import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/core/errors.js';
import type { SessionState, VerifiedToken } from '../../lib/core/ports.js';
import { authorizeToken } from '../../lib/core/token-authorization.js';
import { appErrorOf } from '../support/rejection.js';

/**
 * The authorizer's decision over its two ports. The verifier and the store here are the ports'
 * contracts in a line each; the real ones run in tests/http/token-authorizer.test.ts.
 */
const CHANGED_AT = '2026-11-27T10:00:00.000Z';
const CHANGED_SECOND = Date.parse(CHANGED_AT) / 1000;

const deps = (verified: VerifiedToken | AppError | Error, state: SessionState | undefined | Error) => ({
  verifyToken: () => (verified instanceof Error ? Promise.reject(verified) : Promise.resolve(verified)),
  sessions: { sessionState: () => (state instanceof Error ? Promise.reject(state) : Promise.resolve(state)) },
});

describe('authorizeToken', () => {
  it('allows a token of a user who never changed the password, with the user id', async () => {
    expect(await authorizeToken(deps({ userId: 'u1', issuedAt: 1 }, { passwordChangedAt: undefined, passwordChangedBySession: undefined }), 'Bearer t')).toEqual({ allowed: true, userId: 'u1' });
  });

  it.each([
    ['no bearer token', new AppError('NO_AUTH_TOKEN'), 'noToken'],
    ['a token that fails verification', new AppError('UNAUTHORIZED'), 'invalidToken'],
  ])('denies %s without reading the store', async (_case, refusal, reason) => {
    const read = { sessionState: () => Promise.reject(new Error('must not be read')) };
    expect(await authorizeToken({ verifyToken: () => Promise.reject(refusal), sessions: read }, undefined)).toEqual({ allowed: false, reason });
  });

  it('denies a user without a record', async () => {
    expect(await authorizeToken(deps({ userId: 'gone', issuedAt: 1 }, undefined), 'Bearer t')).toEqual({ allowed: false, reason: 'unknownUser', userId: 'gone' });
  });

  it('denies a token revoked by the last change, and allows the changing session’s and a newer one', async () => {
    const state = { passwordChangedAt: CHANGED_AT, passwordChangedBySession: 'sid-a' };
    expect(await authorizeToken(deps({ userId: 'u1', issuedAt: CHANGED_SECOND - 1, sessionId: 'sid-b' }, state), 'Bearer t')).toEqual({ allowed: false, reason: 'revokedByPasswordChange', userId: 'u1' });
    expect(await authorizeToken(deps({ userId: 'u1', issuedAt: CHANGED_SECOND - 1, sessionId: 'sid-a' }, state), 'Bearer t')).toEqual({ allowed: true, userId: 'u1' });
    expect(await authorizeToken(deps({ userId: 'u1', issuedAt: CHANGED_SECOND, sessionId: undefined }, state), 'Bearer t')).toEqual({ allowed: true, userId: 'u1' });
  });

  it.each([
    ['the key source fails (503)', new AppError('SERVICE_UNAVAILABLE'), { userId: 'u1', issuedAt: 1 } as const],
    ['the verifier hits a bug (500)', new AppError('INTERNAL'), { userId: 'u1', issuedAt: 1 } as const],
    ['the verifier throws something else', new TypeError('boom'), { userId: 'u1', issuedAt: 1 } as const],
  ])('rejects, never allows, when %s', async (_case, failure) => {
    const error = await authorizeToken(deps(failure, undefined), 'Bearer t').then(() => undefined, (e: unknown) => e);
    expect(error).toBe(failure);
  });

  it('rejects, never allows, when the store fails', async () => {
    const failure = new AppError('SERVICE_UNAVAILABLE');
    expect((await appErrorOf(authorizeToken(deps({ userId: 'u1', issuedAt: 1 }, failure), 'Bearer t'))).key).toBe('SERVICE_UNAVAILABLE');
  });
});
