import type { MiddlewareObj, Request } from '@middy/core';
import httpJsonBodyParser, { type RequestEvent } from '@middy/http-json-body-parser';
import type { Logger } from '@aws-lambda-powertools/logger';
import { AppError, toErrorResponse } from './errors.js';

/** The parts of an API Gateway event (REST v1 or HTTP API v2) this function reads. */
export interface HttpEvent {
  /** '2.0' for HTTP API payload v2; absent or '1.0' for REST API events. */
  version?: string;
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  httpMethod?: string;
  requestContext?: {
    requestId?: string;
    http?: { method?: string; sourceIp?: string };
    identity?: { sourceIp?: string | null };
  };
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Two 128-character passwords fit with room to spare even fully \u-escaped. */
export const MAX_BODY_BYTES = 8192;
/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 2;

/** Sent with every answer, success or failure. */
export const RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
};

const JSON_CONTENT_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * @middy/http-json-body-parser's parse step. Our checks run first (413 before 415, strict UTF-8 for
 * base64 bodies, which the parser would decode leniently), and it runs after authentication, so an
 * anonymous caller's body is never parsed. Its own guard refuses `__proto__` and `constructor`
 * holding a `prototype`; the reviver also refuses `prototype` and any `constructor` key.
 */
const parseJson = httpJsonBodyParser({
  disableContentTypeCheck: true,
  reviver: (key, value) => {
    if (FORBIDDEN_KEYS.has(key)) throw new Error('forbidden key');
    return value;
  },
}).before ?? (() => {
  throw new Error('@middy/http-json-body-parser has no before step');
});

/** The parser's answers as ours: its 415 and 422 (malformed JSON, forbidden key), anything else as is. */
const parserError = (error: unknown): unknown => {
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE');
  // Deliberately no cause: the parser's cause holds the body.
  if (status === 422) return new AppError('MALFORMED_BODY');
  return error;
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

export const requestMethod = (event: HttpEvent): string | undefined => event.requestContext?.http?.method ?? event.httpMethod;

/**
 * Reads the body as a JSON object: 413 when over {@link MAX_BODY_BYTES}, 415 unless the content
 * type is JSON, 400 1001 when it is not valid UTF-8, not JSON, not an object, or uses a key that
 * could pollute prototypes. Expects lower-cased header names.
 */
export const readJsonObject = (event: HttpEvent): Record<string, unknown> => {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > MAX_BODY_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
  if (!JSON_CONTENT_TYPE.test(event.headers?.['content-type'] ?? '')) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
  let text: string;
  try {
    text = event.isBase64Encoded === true ? strictUtf8.decode(bytes) : raw;
  } catch {
    throw new AppError('MALFORMED_BODY');
  }
  // The parser replaces event.body with the parsed value; it gets a copy, never the request's event.
  const request = { event: { headers: event.headers, body: text, isBase64Encoded: false } } as unknown as Request<RequestEvent>;
  try {
    void parseJson(request);
  } catch (error) {
    throw parserError(error);
  }
  const parsed: unknown = request.event.body;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AppError('MALFORMED_BODY');
  return parsed as Record<string, unknown>;
};

/**
 * Register first, so it sees every answer last: adds the response headers to a success, and turns
 * any error into the envelope with its status. 4xx are logged at info, 5xx at error with the
 * error's cause (which never holds secrets by construction).
 */
export const jsonEnvelope = (logger: Logger): MiddlewareObj<HttpEvent, HttpResult> => ({
  after: (request) => {
    const { response } = request;
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
