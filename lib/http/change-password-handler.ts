import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import { changePassword, type ChangePasswordDeps } from '../core/change-password.js';
import { AppError } from '../core/errors.js';
import type { TokenVerifier } from '../core/ports.js';
import { guardWithSignal } from './abort-guard.js';
import { authentication, verifiedToken, type AuthenticatedContext } from './authentication.js';
import { bodyChecks, jsonBodyParser, objectBody, parserErrors } from './body.js';
import { jsonEnvelope, jsonResponse } from './envelope.js';
import { sourceIp, userAgent, type HttpEvent, type HttpResult } from './event.js';
import { onlyMethod } from './only-method.js';
import { outcomeMetrics, type Tracing } from './observability.js';
import { parseChangePasswordBody } from './request-schema.js';
import { CHANGE_PASSWORD_ROUTE } from './routes.js';

/** Everything the handler is built from: the use case's dependencies and the edge's own. */
export interface HandlerDeps extends ChangePasswordDeps {
  verifyToken: TokenVerifier;
  /** Browser origins allowed by CORS; empty turns CORS off. */
  corsAllowedOrigins: readonly string[];
  logger: Logger;
  metrics: Metrics;
  tracing: Tracing;
}

/** Lambda reserves this much of its remaining time to answer 503 instead of being killed. */
const TIMEOUT_MARGIN_MS = 500;

/** Every log line of the request carries these (the audit trail; never a secret). */
const requestKeys = (logger: Logger): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: ({ event }) => {
    logger.appendKeys({ apiRequestId: event.requestContext?.requestId, sourceIp: sourceIp(event), userAgent: userAgent(event) });
  },
});

/**
 * The middy chain, middleware first and handler last. Before the handler, in this order:
 *
 *  1. header names lower-cased; tracing; metrics (flushed by logMetrics, counted by
 *     outcomeMetrics once the envelope has chosen the answer); the logger's Lambda context;
 *  2. CORS, when origins are set: answers the browser's preflight itself (before authentication);
 *  3. the envelope: every error below becomes `{status:false,error:{code,message}}` with its status;
 *  4. the audit keys, then 405 for another method;
 *  5. authentication: 401 4002 / 4001 before the body is looked at;
 *  6. the body: 413 before 415, strict UTF-8, then @middy/http-json-body-parser (its 415 and 422
 *     become 1003 and 1001, forbidden keys refused), then 1001 unless it is an object.
 *
 * The handler validates the fields (400 1002) and runs the use case. An early 503 is answered
 * 500 ms before the Lambda deadline, and no store call starts after it.
 */
export const createHandler = (deps: HandlerDeps) => {
  const { logger, metrics } = deps;
  const handler = middy<HttpEvent, HttpResult, Error, AuthenticatedContext>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new AppError('SERVICE_UNAVAILABLE', { cause: { reason: 'lambda timeout approaching' } });
    },
  })
    .use(httpHeaderNormalizer())
    .use(deps.tracing.middlewares)
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(outcomeMetrics(metrics))
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }));
  if (deps.corsAllowedOrigins.length > 0) {
    handler.use(httpCors({
      origins: [...deps.corsAllowedOrigins],
      disableBeforePreflightResponse: false,
      methods: `${CHANGE_PASSWORD_ROUTE.method},OPTIONS`,
      headers: 'Authorization,Content-Type',
      maxAge: 600,
    }));
  }
  return handler
    .use(jsonEnvelope(logger))
    .use(requestKeys(logger))
    .use(onlyMethod(CHANGE_PASSWORD_ROUTE.method))
    .use(authentication(deps.verifyToken, logger))
    .use(bodyChecks())
    .use(parserErrors())
    .use(jsonBodyParser())
    .use(objectBody())
    .handler(async (event, context, { signal }) => {
      const { userId, issuedAt, amr, acr, authTime, sessionId } = verifiedToken(context);
      const parsed = parseChangePasswordBody(event.body as Record<string, unknown>, deps.otherSessions === 'user-choice');
      if (!parsed.ok) throw new AppError('INVALID_FIELDS', { details: { fieldErrors: parsed.fieldErrors } });
      // After middy's early 503 the use case may still be running: no store call may start then.
      const guarded = { ...deps, store: guardWithSignal(deps.store, signal) };
      const requestId = event.requestContext?.requestId;
      const outcome = await changePassword(guarded, { userId, tokenIssuedAt: issuedAt, tokenSessionId: sessionId, authentication: { amr, acr, authTime }, ...parsed.body, requestId, sourceIp: sourceIp(event), userAgent: userAgent(event) });
      // The audit line says what became of the other sessions (OTHER_SESSIONS_ON_CHANGE).
      logger.info('password change attempt', { outcome, statusCode: 200, otherSessions: parsed.body.signOutOtherSessions === false ? 'kept' : 'signedOut' });
      return jsonResponse(200, { status: true, data: { passwordChanged: 'OK' } });
    });
};
