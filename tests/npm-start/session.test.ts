import { describe, expect, inject, it } from 'vitest';
import { CHANGE_PASSWORD_ROUTE, SESSION_ROUTE } from '../../lib/http/routes.js';
import { putUser } from '../../scripts/local/dynamodb.js';
import { openApiProblems } from '../support/openapi.js';
import { claims, nowSeconds, signToken } from '../support/tokens.js';

/**
 * Sign out everywhere but this device, over real HTTP through `npm start`: serverless-offline runs
 * the token authorizer in front of GET /v1/session as API Gateway does (its own 401 without a
 * token, 403 for a denied one), and POST /v1/users/profile/change-password records the session.
 */
const { baseUrl, dynamoEndpoint, table, jwtSecret, output } = inject('localServer');
const key = new TextEncoder().encode(jwtSecret);
const PASSWORD = 'CurrentSecureP@ss123';

const token = (sub: string, iat: number, sid?: string) => signToken(claims(sub, { iat, sid }), key, 'HS256');
const session = (authorization?: string) =>
  fetch(`${baseUrl}${SESSION_ROUTE.path}`, { headers: authorization === undefined ? {} : { Authorization: authorization } });
const change = (bearer: string) =>
  fetch(`${baseUrl}${CHANGE_PASSWORD_ROUTE.path}`, {
    method: CHANGE_PASSWORD_ROUTE.method,
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ oldPassword: PASSWORD, newPassword: 'NewSecureP@ssw0rd!' }),
  });

describe('GET /v1/session behind the token authorizer (npm start)', () => {
  it('prints a curl for it', () => {
    expect(output).toMatch(/curl -sS http:\/\/localhost:\d+\/v1\/session -H 'Authorization: Bearer [\w.-]+'/);
  });

  it('answers the user id for a valid token, 401 without a token and 403 for a bad one', async () => {
    const userId = 'session-user-1';
    await putUser(dynamoEndpoint, table, { userId, password: PASSWORD }, 4);

    const allowed = await session(`Bearer ${await token(userId, nowSeconds())}`);
    expect(allowed.status).toBe(200);
    expect(openApiProblems({ statusCode: allowed.status, headers: Object.fromEntries(allowed.headers.entries()), body: await allowed.clone().text() }, 'get', SESSION_ROUTE.path)).toEqual([]);
    expect(await allowed.text()).toBe(`{"status":true,"data":{"userId":"${userId}"}}`);
    expect((await session()).status).toBe(401);
    expect((await session('Bearer not.a.token')).status).toBe(403);
    expect((await session(`Bearer ${await token('session-nobody', nowSeconds())}`)).status).toBe(403);
  });

  it('after a change made with a sid token, denies the user’s other older tokens and allows the changing session’s and newer ones', async () => {
    const userId = 'session-user-2';
    await putUser(dynamoEndpoint, table, { userId, password: PASSWORD }, 4);
    const before = nowSeconds() - 60;
    const phone = await token(userId, before, 'sid-phone');
    const laptop = await token(userId, before, 'sid-laptop');
    const noSid = await token(userId, before);
    for (const t of [phone, laptop, noSid]) expect((await session(`Bearer ${t}`)).status).toBe(200);

    expect((await change(phone)).status).toBe(200);

    expect((await session(`Bearer ${phone}`)).status).toBe(200);
    expect((await session(`Bearer ${laptop}`)).status).toBe(403);
    expect((await session(`Bearer ${noSid}`)).status).toBe(403);
    // A sign-in after the change, from any device (iat within the verifier's clock tolerance ahead).
    expect((await session(`Bearer ${await token(userId, nowSeconds() + 1, 'sid-laptop')}`)).status).toBe(200);
  });
});
