import { AppError } from '../../core/errors.js';

/**
 * An SDK failure is DynamoDB's (network, throttling, 5xx): 503, retryable. A ValidationException
 * is a request this code built wrongly: 500. The cause keeps the error name and status, no data.
 */
export const dependencyFailure = (error: unknown): AppError => {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return new AppError(name === 'ValidationException' ? 'INTERNAL' : 'SERVICE_UNAVAILABLE', { cause: { dependency: 'dynamodb', name, status } });
};
