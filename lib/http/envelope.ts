import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { AppError, toErrorResponse } from '../core/errors.js';
import type { HttpEvent, HttpResult } from './event.js';

/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 2;

/** Sent with every answer, success or failure. */
export const RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
};

/** A JSON answer with the response headers; a 503 always says when to retry. */
export const jsonResponse = (statusCode: number, payload: unknown, retryAfterSeconds?: number): HttpResult => {
  const retryAfter = retryAfterSeconds ?? (statusCode === 503 ? RETRY_AFTER_SECONDS : undefined);
  return {
    statusCode,
    headers: { ...RESPONSE_HEADERS, ...(retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) }) },
    body: JSON.stringify(payload),
  };
};

/**
 * Adds the response headers to a success, and turns any error into the envelope with its status.
 * 4xx are logged at info, 5xx at error with the error's cause (which never holds secrets by
 * construction). Its onError runs after those of every middleware registered after it.
 */
export const jsonEnvelope = (logger: Logger): MiddlewareObj<HttpEvent, HttpResult> => ({
  // Stryker disable next-line BlockStatement: middy runs `after` only on the handler's answer, which jsonResponse built with these headers already
  after: (request) => {
    const { response } = request;
    // Stryker disable next-line ConditionalExpression: as above; the handler always answers
    if (response) response.headers = { ...RESPONSE_HEADERS, ...response.headers };
  },
  onError: (request) => {
    const { status, body, retryAfterSeconds } = toErrorResponse(request.error);
    const error = request.error;
    const fields = {
      outcome: status >= 500 ? 'failed' : 'refused',
      statusCode: status,
      code: body.error.code,
      cause: error instanceof AppError ? error.cause : undefined,
    };
    if (status >= 500) {
      // Stack frames only: a third-party error's first line (its message) could quote input.
      const frames = error instanceof AppError ? undefined : error?.stack?.split('\n').slice(1).join('\n');
      logger.error('password change attempt', { ...fields, errorName: error?.name, frames });
    } else {
      logger.info('password change attempt', fields);
    }
    request.response = jsonResponse(status, body, retryAfterSeconds);
  },
});
