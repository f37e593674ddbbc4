import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { AppError } from '../core/errors.js';
import type { HttpEvent, HttpResult } from './event.js';

/** Two 128-character passwords fit with room to spare even fully \u-escaped. */
export const MAX_BODY_BYTES = 8192;

const JSON_CONTENT_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const PARSER_PACKAGE = '@middy/http-json-body-parser';

// Stryker disable BlockStatement: without the throw the body is undefined, which objectBody refuses with the same 1001
const decoded = (bytes: Buffer): string => {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new AppError('MALFORMED_BODY');
  }
};
// Stryker restore BlockStatement

/**
 * Before the JSON parser: 413 when the body is over {@link MAX_BODY_BYTES}, 415 unless the
 * content type is JSON (`application/*+json` and a charset are fine), 400 1001 when a base64 body
 * is not valid UTF-8 (the parser would decode it leniently). The rest of the chain gets a copy of
 * the event with the body as text: the parser replaces that body with its value, and the caller's
 * event stays as it was sent (a retried invoke sends the same one). Expects lower-cased header names.
 */
export const bodyChecks = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: (request) => {
    const { event } = request;
    // Stryker disable next-line StringLiteral: a missing body and any text that is no JSON object both end in 1001
    const raw = typeof event.body === 'string' ? event.body : '';
    // Stryker disable next-line StringLiteral: Node reads an empty encoding name as UTF-8
    const bytes = event.isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (bytes.byteLength > MAX_BODY_BYTES) throw new AppError('PAYLOAD_TOO_LARGE');
    // Stryker disable next-line OptionalChaining,StringLiteral: authentication, earlier in the chain, has refused any event without headers; a missing type and any other text both fail the pattern
    if (!JSON_CONTENT_TYPE.test(event.headers?.['content-type'] ?? '')) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
    request.event = { ...event, body: event.isBase64Encoded === true ? decoded(bytes) : raw, isBase64Encoded: false };
  },
});

/**
 * @middy/http-json-body-parser, replacing the body with its parsed value. Our content-type check
 * ran already ({@link bodyChecks}). Its own guard refuses `__proto__` and `constructor` holding a
 * `prototype`; the reviver also refuses `prototype` and any `constructor` key. Typed for the parts
 * of the API Gateway event this function reads, which are those the parser reads.
 */
export const jsonBodyParser = (): MiddlewareObj<HttpEvent, HttpResult> =>
  httpJsonBodyParser({
    disableContentTypeCheck: true,
    reviver: (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new Error('forbidden key');
      return value;
    },
  }) as unknown as MiddlewareObj<HttpEvent, HttpResult>;

/**
 * The parser's answers as ours: its 415 becomes 1003 and its 422 (malformed JSON, forbidden key)
 * 1001, deliberately without its cause, which holds the body. Register it after the envelope, so
 * that its onError runs first.
 */
export const parserErrors = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: (request) => {
    const error = request.error as { statusCode?: number; cause?: { package?: string } } | null;
    if (error?.cause?.package !== PARSER_PACKAGE) return;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: the parser runs with its content-type check off (disableContentTypeCheck), so it never answers 415
    if (error.statusCode === 415) request.error = new AppError('UNSUPPORTED_MEDIA_TYPE');
    // Stryker disable next-line ConditionalExpression: with 415 never answered (above), every error of the parser is a 422
    if (error.statusCode === 422) request.error = new AppError('MALFORMED_BODY');
  },
});

/** After the parser: the body must be a JSON object (not an array, a string or null): 400 1001. */
export const objectBody = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: ({ event }) => {
    const parsed = event.body;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AppError('MALFORMED_BODY');
  },
});
