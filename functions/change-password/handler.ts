import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { guardWithSignal } from '../../lib/abort-guard.js';
import { createBreachedPasswordCheck } from '../../lib/breached-passwords.js';
import { changePassword, type ChangePasswordDeps } from '../../lib/change-password.js';
import { eventBridgeNotifier, silentNotifier } from '../../lib/change-notifier.js';
import { parseChangePasswordBody } from '../../lib/change-password-schema.js';
import { loadConfig, type BreachedPasswordConfig } from '../../lib/config.js';
import { AppError } from '../../lib/errors.js';
import { jsonEnvelope, jsonResponse, readJsonObject, requestMethod, type HttpEvent, type HttpResult } from '../../lib/http.js';
import { logger } from '../../lib/logger.js';
import { METRIC, metrics, outcomeMetrics, traceClient, tracing } from '../../lib/observability.js';
import { hashPasswordWithSalt, saltForNextHash, verifyPassword } from '../../lib/password-hash.js';
import { buildPolicy } from '../../lib/password-policy.js';
import { createTokenVerifier, type TokenVerifier } from '../../lib/token.js';
import { createDocumentClient, DynamoUserStore } from '../../lib/user-store.js';

/** Everything the handler is built from; tests build it with their own store, cost or clock. */
export interface HandlerDeps extends ChangePasswordDeps {
  verifyToken: TokenVerifier;
  /** Browser origins allowed by CORS; empty turns CORS off. */
  corsAllowedOrigins: readonly string[];
}

/** Lambda reserves this much of its remaining time to answer 503 instead of being killed. */
const TIMEOUT_MARGIN_MS = 500;

const sourceIp = (event: HttpEvent): string | undefined =>
  event.requestContext?.http?.sourceIp ?? event.requestContext?.identity?.sourceIp ?? undefined;

/** Wires one request through: method, token, body, use case; every failure leaves as an envelope. */
export const createHandler = (deps: HandlerDeps) => {
  const handler = middy<HttpEvent, HttpResult, Error, Context>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new AppError('SERVICE_UNAVAILABLE', { cause: { reason: 'lambda timeout approaching' } });
    },
  })
    .use(httpHeaderNormalizer())
    // Observability: trace (no response capture), then metrics flushed after the outcome is counted.
    .use(tracing())
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(outcomeMetrics(metrics))
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }));
  if (deps.corsAllowedOrigins.length > 0) {
    // Answers the browser's preflight itself (before authentication) and tags every answer.
    handler.use(httpCors({
      origins: [...deps.corsAllowedOrigins],
      disableBeforePreflightResponse: false,
      methods: 'POST,OPTIONS',
      headers: 'Authorization,Content-Type',
      maxAge: 600,
    }));
  }
  return handler
    .use(jsonEnvelope(logger))
    .handler(async (event, _context, { signal }) => {
      const requestId = event.requestContext?.requestId;
      const ip = sourceIp(event);
      // The audit trail: every log line of this request carries these (never a secret).
      logger.appendKeys({ apiRequestId: requestId, sourceIp: ip });
      const method = requestMethod(event);
      if (method !== undefined && method.toUpperCase() !== 'POST') throw new AppError('METHOD_NOT_ALLOWED');
      // Authenticate before reading the body: an anonymous caller learns nothing but 401.
      const { userId, issuedAt } = await deps.verifyToken(event.headers?.authorization);
      logger.appendKeys({ userId });
      const parsed = parseChangePasswordBody(readJsonObject(event));
      if (!parsed.ok) throw new AppError('INVALID_FIELDS', { details: { fieldErrors: parsed.fieldErrors } });
      // After middy's early 503 the use case may still be running: no store call may start then.
      const guarded = { ...deps, store: guardWithSignal(deps.store, signal) };
      const outcome = await changePassword(guarded, { userId, tokenIssuedAt: issuedAt, ...parsed.body, requestId, sourceIp: ip });
      logger.info('password change attempt', { outcome, statusCode: 200 });
      return jsonResponse(200, { status: true, data: { passwordChanged: 'OK' } });
    });
};

/**
 * The Pwned Passwords range check as configured (HIBP_*), or none when disabled. An unavailable
 * API is a warning line and a metric, with the reason only: nothing about the password.
 */
export const breachedPasswordCheck = (config: BreachedPasswordConfig) =>
  config.enabled
    ? createBreachedPasswordCheck({
        ...config,
        onUnavailable: (reason) => {
          logger.warn(`Pwned Passwords range API unavailable; ${config.failClosed ? 'refusing the change (HIBP_FAIL_CLOSED)' : 'checked on the offline rules only'}`, { reason });
          metrics.addMetric(METRIC.breachCheckUnavailable, MetricUnit.Count, 1);
        },
      })
    : undefined;

/** The production composition: configuration and clients are built once, at cold start. */
const buildDefaultDeps = (): HandlerDeps => {
  const config = loadConfig();
  return {
    verifyToken: createTokenVerifier(config.jwt),
    store: new DynamoUserStore(traceClient(createDocumentClient({ endpoint: config.dynamodbEndpoint })), config.usersTable, config.usersLayout),
    policy: buildPolicy(config.policy),
    hashPassword: hashPasswordWithSalt,
    saltFor: (current) => saltForNextHash(current, config.bcryptCost),
    verifyPassword,
    clock: () => new Date(),
    limits: config.protection,
    notifier: config.eventBusName === undefined ? silentNotifier : eventBridgeNotifier(config.eventBusName),
    onNotifyError: (error) => logger.error('PasswordChanged event not published; the change stands', { errorName: (error as Error).name }),
    corsAllowedOrigins: config.corsAllowedOrigins,
    breachedPasswords: breachedPasswordCheck(config.breachedPasswords),
  };
};

export const handler = createHandler(buildDefaultDeps());
