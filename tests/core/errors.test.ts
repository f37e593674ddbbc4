import { describe, expect, it } from 'vitest';
import { AppError, ERRORS, toErrorResponse, type ErrorKey } from '../../lib/core/errors.js';

const keys = Object.keys(ERRORS) as ErrorKey[];

describe('ERRORS table', () => {
  it('gives every row a distinct code', () => {
    // Arrange
    const codes = Object.values(ERRORS).map((row) => row.code);

    // Act
    const distinct = new Set(codes);

    // Assert
    expect(distinct.size).toBe(codes.length);
  });

  it('keeps the four contract rows exactly as the seed documents them', () => {
    // Act / Assert
    expect(ERRORS.INCORRECT_OLD_PASSWORD).toEqual({ status: 400, code: 5023, message: 'Incorrect old password' });
    expect(ERRORS.UNAUTHORIZED).toEqual({ status: 401, code: 4001, message: 'Unauthorized' });
    expect(ERRORS.NO_AUTH_TOKEN).toEqual({ status: 401, code: 4002, message: 'No auth token' });
    expect(ERRORS.ENTITY_NOT_FOUND).toEqual({ status: 404, code: 3001, message: 'Entity not found' });
  });

  it('uses only error HTTP statuses (4xx or 5xx)', () => {
    // Act
    const statuses = Object.values(ERRORS).map((row) => row.status);

    // Assert
    expect(statuses.every((status) => status >= 400 && status <= 599)).toBe(true);
  });
});

describe('toErrorResponse', () => {
  // The table as documented (README, docs/openapi.yaml), written out here rather than read from
  // ERRORS, so that a changed row fails instead of changing the expectation with it.
  const DOCUMENTED: Record<ErrorKey, [number, number, string]> = {
    INCORRECT_OLD_PASSWORD: [400, 5023, 'Incorrect old password'],
    UNAUTHORIZED: [401, 4001, 'Unauthorized'],
    NO_AUTH_TOKEN: [401, 4002, 'No auth token'],
    ENTITY_NOT_FOUND: [404, 3001, 'Entity not found'],
    MALFORMED_BODY: [400, 1001, 'Request body must be a JSON object'],
    INVALID_FIELDS: [400, 1002, 'Request body fields are invalid'],
    UNSUPPORTED_MEDIA_TYPE: [415, 1003, 'Content-Type must be application/json'],
    PAYLOAD_TOO_LARGE: [413, 1004, 'Request body is too large'],
    METHOD_NOT_ALLOWED: [405, 1005, 'Method not allowed'],
    MFA_REQUIRED: [403, 4003, 'Multi-factor authentication required'],
    PASSWORD_UNCHANGED: [400, 5024, 'New password must differ from the old password'],
    PASSWORD_POLICY: [400, 5025, 'New password does not meet the password policy'],
    CONCURRENT_CHANGE: [409, 5026, 'Password was changed by another request; retry with the current password'],
    PASSWORD_REUSED: [400, 5027, 'New password was used recently; choose another'],
    TOO_MANY_ATTEMPTS: [429, 5029, 'Too many attempts; try again later'],
    SERVICE_UNAVAILABLE: [503, 9001, 'Service temporarily unavailable'],
    INTERNAL: [500, 9000, 'Internal server error'],
  };

  it('has exactly the documented keys', () => {
    expect([...keys].sort()).toEqual(Object.keys(DOCUMENTED).sort());
  });

  it.each(Object.entries(DOCUMENTED))('maps AppError %s to its documented status, code and message', (key, [status, code, message]) => {
    // Act
    const response = toErrorResponse(new AppError(key as ErrorKey));

    // Assert
    expect(response).toEqual({ status, body: { status: false, error: { code, message } } });
    expect(response.body.error).not.toHaveProperty('details');
  });

  it('answers 401 4001 "Unauthorized" for an UNAUTHORIZED AppError', () => {
    // Act
    const response = toErrorResponse(new AppError('UNAUTHORIZED'));

    // Assert
    expect(response).toEqual({ status: 401, body: { status: false, error: { code: 4001, message: 'Unauthorized' } } });
  });

  it('includes details only when the AppError carries them', () => {
    // Arrange
    const error = new AppError('PASSWORD_POLICY', { details: { failedRules: ['minLength', 'symbol'] } });

    // Act
    const response = toErrorResponse(error);

    // Assert
    expect(response).toEqual({
      status: 400,
      body: {
        status: false,
        error: { code: 5025, message: 'New password does not meet the password policy', details: { failedRules: ['minLength', 'symbol'] } },
      },
    });
  });

  it('never puts the cause of an AppError into the body', () => {
    // Arrange
    const error = new AppError('UNAUTHORIZED', { cause: { reason: 'secret-cause-marker' } });

    // Act
    const response = toErrorResponse(error);

    // Assert
    expect(JSON.stringify(response)).not.toContain('secret-cause-marker');
    expect(response.body.error).toEqual({ code: 4001, message: 'Unauthorized' });
  });

  it('maps a plain Error to 500 9000 "Internal server error" without copying its message', () => {
    // Arrange
    const error = new Error('ConditionalCheckFailed on table users-prod for hash $2b$12$leak');

    // Act
    const response = toErrorResponse(error);

    // Assert
    expect(response).toEqual({ status: 500, body: { status: false, error: { code: 9000, message: 'Internal server error' } } });
    expect(JSON.stringify(response)).not.toContain('users-prod');
    expect(JSON.stringify(response)).not.toContain('$2b$');
  });

  it.each([
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a look-alike object with a key', { key: 'UNAUTHORIZED', message: 'Unauthorized', details: { leak: 'x' } }],
  ])('maps a thrown non-Error (%s) to 500 9000 with no details', (_label, thrown) => {
    // Act
    const response = toErrorResponse(thrown);

    // Assert
    expect(response).toEqual({ status: 500, body: { status: false, error: { code: 9000, message: 'Internal server error' } } });
  });
});

describe('AppError', () => {
  it('carries the row message, its key, and the cause for logs', () => {
    // Arrange
    const cause = { reason: 'expired' };

    // Act
    const error = new AppError('UNAUTHORIZED', { cause });

    // Assert
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AppError');
    expect(error.message).toBe('Unauthorized');
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toBe(cause);
    expect(error.details).toBeUndefined();
  });

  it('has no cause at all when given none, so a log shows no empty one', () => {
    // Act
    const error = new AppError('NO_AUTH_TOKEN');

    // Assert
    expect(Object.hasOwn(error, 'cause')).toBe(false);
  });
});
