import { describe, expect, it } from 'vitest';
import { sessionHandler } from '../../lib/compose.js';
import { RESPONSE_HEADERS } from '../../lib/http/envelope.js';
import { SESSION_ROUTE } from '../../lib/http/routes.js';
import { openApiProblems } from '../support/openapi.js';

/** GET /v1/session: the user id the token authorizer put in the request context, and nothing without it. */
const built = sessionHandler();
/** Every answer must also conform to docs/openapi.yaml. */
const handler = async (event: Parameters<typeof built>[0]) => {
  const answer = await built(event);
  expect(openApiProblems(answer, SESSION_ROUTE.method.toLowerCase(), SESSION_ROUTE.path)).toEqual([]);
  return answer;
};

describe('GET /v1/session', () => {
  it('answers the authorizer context’s user id in the success envelope', async () => {
    const answer = await handler({ requestContext: { authorizer: { lambda: { userId: 'ana' } } } });
    expect(answer).toEqual({ statusCode: 200, headers: RESPONSE_HEADERS, body: '{"status":true,"data":{"userId":"ana"}}' });
  });

  it.each([
    ['no request context (a direct invoke)', {}],
    ['no authorizer context (a route deployed without the authorizer)', { requestContext: {} }],
    ['a null authorizer context', { requestContext: { authorizer: null } }],
    ['an empty user id', { requestContext: { authorizer: { lambda: { userId: '' } } } }],
    ['a lambda context of another authorizer', { requestContext: { authorizer: { lambda: null } } }],
  ])('answers 500 9000, never a user, with %s', async (_case, event) => {
    const answer = await handler(event);
    expect(answer.statusCode).toBe(500);
    expect(answer.body).toBe('{"status":false,"error":{"code":9000,"message":"Internal server error"}}');
  });
});
