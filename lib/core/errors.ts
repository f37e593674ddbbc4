/**
 * The one table of error codes. Every failure the endpoint can answer is a row here; the README's
 * "Errors" table is this table. Codes by family: 1xxx request shape, 3xxx entities, 4xxx
 * authentication, 5xxx password rules, 9xxx server side.
 */
export const ERRORS = {
  // Documented by the contract (seed): codes and messages are fixed.
  INCORRECT_OLD_PASSWORD: { status: 400, code: 5023, message: 'Incorrect old password' },
  UNAUTHORIZED: { status: 401, code: 4001, message: 'Unauthorized' },
  NO_AUTH_TOKEN: { status: 401, code: 4002, message: 'No auth token' },
  ENTITY_NOT_FOUND: { status: 404, code: 3001, message: 'Entity not found' },
  // Our additions, in the same envelope.
  MALFORMED_BODY: { status: 400, code: 1001, message: 'Request body must be a JSON object' },
  INVALID_FIELDS: { status: 400, code: 1002, message: 'Request body fields are invalid' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 1003, message: 'Content-Type must be application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, code: 1004, message: 'Request body is too large' },
  METHOD_NOT_ALLOWED: { status: 405, code: 1005, message: 'Method not allowed' },
  MFA_REQUIRED: { status: 403, code: 4003, message: 'Multi-factor authentication required' },
  PASSWORD_UNCHANGED: { status: 400, code: 5024, message: 'New password must differ from the old password' },
  PASSWORD_POLICY: { status: 400, code: 5025, message: 'New password does not meet the password policy' },
  CONCURRENT_CHANGE: { status: 409, code: 5026, message: 'Password was changed by another request; retry with the current password' },
  PASSWORD_REUSED: { status: 400, code: 5027, message: 'New password was used recently; choose another' },
  TOO_MANY_ATTEMPTS: { status: 429, code: 5029, message: 'Too many attempts; try again later' },
  SERVICE_UNAVAILABLE: { status: 503, code: 9001, message: 'Service temporarily unavailable' },
  INTERNAL: { status: 500, code: 9000, message: 'Internal server error' },
} as const satisfies Record<string, { status: number; code: number; message: string }>;

export type ErrorKey = keyof typeof ERRORS;

/** Machine-readable detail that is safe to return: rule ids and field names, never values. */
export type ErrorDetails = Readonly<Record<string, readonly string[] | string | number>>;

/**
 * A failure with a row in {@link ERRORS}. `cause` is for logs only and must never carry a
 * password, hash, token or body; `details` is returned to the client.
 */
export class AppError extends Error {
  readonly key: ErrorKey;
  readonly details: ErrorDetails | undefined;
  /** Sent as `Retry-After` (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(key: ErrorKey, options: { details?: ErrorDetails; cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(ERRORS[key].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.key = key;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The JSON body every failure answers with. */
export interface ErrorEnvelope {
  status: false;
  error: { code: number; message: string; details?: ErrorDetails };
}

/** Maps any thrown value to its status and envelope; anything unknown is a generic 500. */
export const toErrorResponse = (error: unknown): { status: number; body: ErrorEnvelope; retryAfterSeconds: number | undefined } => {
  const key: ErrorKey = error instanceof AppError ? error.key : 'INTERNAL';
  const { status, code, message } = ERRORS[key];
  const details = error instanceof AppError ? error.details : undefined;
  return {
    status,
    body: { status: false, error: details ? { code, message, details } : { code, message } },
    retryAfterSeconds: error instanceof AppError ? error.retryAfterSeconds : undefined,
  };
};
