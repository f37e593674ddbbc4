import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult, Context } from 'aws-lambda';
import { authorizeToken, type TokenAuthorizationDeps } from '../core/token-authorization.js';

/** What a route behind the authorizer finds in `event.requestContext.authorizer.lambda`. */
export interface AuthorizerContext {
  userId: string;
}

export type TokenAuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext> | { isAuthorized: false };

/** API Gateway lower-cases header names in payload 2.0; a direct invoke or serverless-offline may not. */
const authorizationHeader = (headers: APIGatewayRequestAuthorizerEventV2['headers']): string | undefined =>
  Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];

export interface TokenAuthorizerDeps extends TokenAuthorizationDeps {
  logger: Logger;
}

/**
 * The HTTP API Lambda authorizer (payload 2.0, simple responses): `{ isAuthorized: true, context:
 * { userId } }` for a token the platform may serve, `{ isAuthorized: false }` (API Gateway's own
 * 403) for any other. When it cannot decide (the JWKS endpoint, SSM or DynamoDB failed) it throws,
 * which API Gateway answers with 500: never an allow. A plain handler, no middy: it has no body,
 * CORS or envelope to handle, and every kilobyte is paid on each platform route's cold start.
 */
export const createTokenAuthorizer = (deps: TokenAuthorizerDeps) => async (event: APIGatewayRequestAuthorizerEventV2, context?: Context): Promise<TokenAuthorizerResult> => {
  const { logger } = deps;
  if (context !== undefined) logger.addContext(context);
  const keys = { apiRequestId: event.requestContext?.requestId, routeKey: event.routeKey };
  try {
    const decision = await authorizeToken(deps, authorizationHeader(event.headers));
    if (decision.allowed) return { isAuthorized: true, context: { userId: decision.userId } };
    logger.info('token denied', { ...keys, reason: decision.reason, userId: decision.userId });
    return { isAuthorized: false };
  } catch (error) {
    logger.error('authorizer could not decide; API Gateway answers 500', { ...keys, errorName: (error as Error).name, cause: (error as Error).cause });
    throw error;
  }
};
