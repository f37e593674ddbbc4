import middy, { type MiddlewareObj } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { toErrorResponse } from '../core/errors.js';
import type { PublishedPolicy } from '../core/policy/published-policy.js';
import { jsonResponse } from './envelope.js';
import type { HttpEvent, HttpResult } from './event.js';
import { onlyMethod } from './only-method.js';
import { PASSWORD_POLICY_ROUTE } from './routes.js';

/** The same for every caller and changed only by a deployment: shared caches may keep it five minutes. */
export const PASSWORD_POLICY_CACHE_CONTROL = 'public, max-age=300';

/** What GET /v1/password-policy is built from (lib/compose.ts). */
export interface PasswordPolicyHandlerDeps {
  policy: PublishedPolicy;
  /** Browser origins allowed by CORS; empty turns CORS off. */
  corsAllowedOrigins: readonly string[];
}

/** Any error as the envelope (405 for another method; nothing else is expected), never cacheable. */
const envelope = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: (request) => {
    const { status, body } = toErrorResponse(request.error);
    request.response = jsonResponse(status, body);
  },
});

/**
 * GET /v1/password-policy: the rules a change is judged by, without a token (an app shows them
 * before the user types). The answer is built once, at cold start, and sent with the change
 * route's hardening headers, but cacheable. No logger, no store, no policy code: the bundle
 * stays small (tests/deploy/ checks it).
 */
export const createPasswordPolicyHandler = ({ policy, corsAllowedOrigins }: PasswordPolicyHandlerDeps) => {
  const answer = jsonResponse(200, { status: true, data: policy });
  answer.headers['Cache-Control'] = PASSWORD_POLICY_CACHE_CONTROL;
  const handler = middy<HttpEvent, HttpResult>().use(httpHeaderNormalizer());
  // A GET with no custom header is a simple request: the allowed origin on the answer is all CORS needs.
  if (corsAllowedOrigins.length > 0) handler.use(httpCors({ origins: [...corsAllowedOrigins], methods: PASSWORD_POLICY_ROUTE.method }));
  return handler
    .use(envelope())
    .use(onlyMethod(PASSWORD_POLICY_ROUTE.method))
    .handler(() => ({ ...answer, headers: { ...answer.headers } }));
};
