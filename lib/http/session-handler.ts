import { toErrorResponse } from '../core/errors.js';
import { jsonResponse } from './envelope.js';
import type { HttpResult } from './event.js';
import type { AuthorizerContext } from './token-authorizer.js';

/** The part of an HTTP API (payload 2.0) event a route behind the token authorizer reads. */
export interface AuthorizedEvent {
  requestContext?: { authorizer?: { lambda?: Partial<AuthorizerContext> | null } | null };
}

/**
 * GET /v1/session: the sample route behind the token authorizer. It answers the user id the
 * authorizer put in the context, which is all a platform route needs to know who is calling.
 * Reached without it (a route deployed without the authorizer) it answers 500, never a user.
 */
const answer = (event: AuthorizedEvent): HttpResult => {
  const userId = event.requestContext?.authorizer?.lambda?.userId;
  if (typeof userId !== 'string' || userId === '') {
    const { status, body } = toErrorResponse(undefined);
    return jsonResponse(status, body);
  }
  return jsonResponse(200, { status: true, data: { userId } });
};

/** A promise, as the Node.js runtime expects of a handler that takes no callback. */
export const createSessionHandler = () => (event: AuthorizedEvent): Promise<HttpResult> => Promise.resolve(answer(event));
