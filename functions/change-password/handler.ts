import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { guardWithSignal } from '../../lib/abort-guard.js';
import { changePassword, type ChangePasswordDeps } from '../../lib/change-password.js';
import { parseChangePasswordBody } from '../../lib/change-password-schema.js';
import { loadConfig } from '../../lib/config.js';
import { AppError } from '../../lib/errors.js';
import { jsonEnvelope, jsonResponse, readJsonObject, requestMethod, type HttpEvent, type HttpResult } from '../../lib/http.js';
import { logger } from '../../lib/logger.js';
import { hashPassword, verifyPassword } from '../../lib/password-hash.js';
import { buildPolicy } from '../../lib/password-policy.js';
import { createTokenVerifier, type TokenVerifier } from '../../lib/token.js';
import { createDocumentClient, DynamoUserStore } from '../../lib/user-store.js';

/** Everything the handler is built from; tests build it with their own store, cost or clock. */
export interface HandlerDeps extends ChangePasswordDeps {
  verifyToken: TokenVerifier;
}

/** Lambda reserves this much of its remaining time to answer 503 instead of being killed. */
const TIMEOUT_MARGIN_MS = 500;

/** Wires one request through: method, token, body, use case; every failure leaves as an envelope. */
export const createHandler = (deps: HandlerDeps) =>
  middy<HttpEvent, HttpResult, Error, Context>({
    timeoutEarlyInMillis: TIMEOUT_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new AppError('SERVICE_UNAVAILABLE', { cause: { reason: 'lambda timeout approaching' } });
    },
  })
    .use(httpHeaderNormalizer())
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(jsonEnvelope(logger))
    .handler(async (event, _context, { signal }) => {
      const method = requestMethod(event);
      if (method !== undefined && method.toUpperCase() !== 'POST') throw new AppError('METHOD_NOT_ALLOWED');
      // Authenticate before reading the body: an anonymous caller learns nothing but 401.
      const { userId } = await deps.verifyToken(event.headers?.authorization);
      logger.appendKeys({ userId });
      const parsed = parseChangePasswordBody(readJsonObject(event));
      if (!parsed.ok) throw new AppError('INVALID_FIELDS', { details: { fieldErrors: parsed.fieldErrors } });
      // After middy's early 503 the use case may still be running: no store call may start then.
      await changePassword({ ...deps, store: guardWithSignal(deps.store, signal) }, { userId, ...parsed.body });
      logger.info('change-password succeeded', { outcome: 'changed', statusCode: 200 });
      return jsonResponse(200, { status: true, data: { passwordChanged: 'OK' } });
    });

/** The production composition: configuration and clients are built once, at cold start. */
const buildDefaultDeps = (): HandlerDeps => {
  const config = loadConfig();
  return {
    verifyToken: createTokenVerifier(config.jwt),
    store: new DynamoUserStore(createDocumentClient({ endpoint: config.dynamodbEndpoint }), config.usersTable),
    policy: buildPolicy(config.policy),
    hashPassword: (password) => hashPassword(password, config.bcryptCost),
    verifyPassword,
    clock: () => new Date(),
  };
};

export const handler = createHandler(buildDefaultDeps());
