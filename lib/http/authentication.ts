import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { AppError } from '../core/errors.js';
import type { TokenVerifier, VerifiedToken } from '../core/ports.js';
import type { HttpEvent, HttpResult } from './event.js';

/** The Lambda context with the verified token that {@link authentication} adds for the handler. */
export type AuthenticatedContext = Context & { token?: VerifiedToken };

/**
 * Verifies the bearer token (401 4002 without one, 401 4001 for a bad one) and puts it on the
 * context; every later log line of the request carries the user id. Register it before the body
 * middlewares: an anonymous caller learns nothing but 401, and its body is never parsed.
 */
export const authentication = (verifyToken: TokenVerifier, logger: Logger): MiddlewareObj<HttpEvent, HttpResult, Error, AuthenticatedContext> => ({
  before: async (request) => {
    const token = await verifyToken(request.event.headers?.authorization);
    request.context.token = token;
    logger.appendKeys({ userId: token.userId });
  },
});

/** The token {@link authentication} verified: a handler behind it can count on one. */
export const verifiedToken = (context: AuthenticatedContext): VerifiedToken => {
  if (context.token === undefined) throw new AppError('INTERNAL', { cause: { reason: 'handler reached without authentication' } });
  return context.token;
};
