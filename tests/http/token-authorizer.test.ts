import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { exportJWK, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tokenAuthorizerDependencies, tokenAuthorizerHandler } from '../../lib/compose.js';
import { AppError } from '../../lib/core/errors.js';
import { createTokenAuthorizer } from '../../lib/http/token-authorizer.js';
import { loadUserAccess } from '../../lib/config/user-access.js';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { mintToken } from '../../scripts/local/dev-token.js';
import { ensureUsersTable, putUser, startEmbeddedDynamo } from '../../scripts/local/dynamodb.js';
import { closedPort } from '../support/fault-servers.js';
import { lambdaContext, rawDocumentClient } from '../support/harness.js';
import { appErrorOf } from '../support/rejection.js';
import { startJsonStandIn, type StandIn } from '../support/stand-in.js';
import { claims, DEV_SECRET_KEY, nowSeconds, signToken } from '../support/tokens.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The token authorizer as Lambda runs it (the composition's handler, configured from variables)
 * against a real DynamoDB API server (dynalite): allow with the user id, deny every other token,
 * and throw, never allow, when it cannot decide.
 */
const TABLE = 'authorizer-users';
const CHANGED_AT_SECONDS = nowSeconds() - 3600;

let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
let userCounter = 0;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  await ensureUsersTable(dynamo.endpoint, TABLE);
});
afterAll(() => dynamo.stop());

/** The payload 2.0 request-authorizer event API Gateway sends, with the Authorization header when given. */
const authorizerEvent = (authorization?: string, headerName = 'authorization'): APIGatewayRequestAuthorizerEventV2 => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/$default/GET/v1/session',
  identitySource: authorization === undefined ? [] : [authorization],
  routeKey: 'GET /v1/session',
  rawPath: '/v1/session',
  rawQueryString: '',
  cookies: [],
  headers: authorization === undefined ? {} : { [headerName]: authorization },
  requestContext: { requestId: 'authorizer-test' } as APIGatewayRequestAuthorizerEventV2['requestContext'],
});

const authorizerWith = (env: Record<string, string> = {}) =>
  tokenAuthorizerHandler(loadUserAccess({ USERS_TABLE: TABLE, DYNAMODB_ENDPOINT: dynamo.endpoint, JWT_SECRET: DEV_JWT_SECRET, ...env }));

/** A user, optionally changed at CHANGED_AT_SECONDS by the session `by`. */
const seed = async (changed?: { by?: string }): Promise<string> => {
  const userId = `authz-user-${++userCounter}`;
  await putUser(dynamo.endpoint, TABLE, { userId, password: 'CurrentSecureP@ss123' }, 4);
  if (changed !== undefined) {
    await rawDocumentClient(dynamo.endpoint).send(new UpdateCommand({
      TableName: TABLE,
      Key: { userId },
      UpdateExpression: changed.by === undefined ? 'SET passwordChangedAt = :at' : 'SET passwordChangedAt = :at, passwordChangedBySession = :by',
      ExpressionAttributeValues: { ':at': new Date(CHANGED_AT_SECONDS * 1000).toISOString(), ...(changed.by === undefined ? {} : { ':by': changed.by }) },
    }));
  }
  return userId;
};
const bearer = async (sub: string, iat: number, sid?: string) => `Bearer ${await signToken(claims(sub, { iat, sid }), DEV_SECRET_KEY, 'HS256')}`;

describe('the token authorizer with the HS256 secret', () => {
  let built: ReturnType<typeof authorizerWith> | undefined;
  /** Built on first use: the table's endpoint is known only once the server started. */
  const authorize: ReturnType<typeof authorizerWith> = (event, context) => (built ??= authorizerWith())(event, context);

  it('allows a valid token of an existing user, with the user id in the context for the route', async () => {
    const userId = await seed();
    expect(await authorize(authorizerEvent(`Bearer ${await mintToken(userId)}`), lambdaContext())).toEqual({ isAuthorized: true, context: { userId } });
  });

  it('reads the header whatever its case, as a direct invoke may send it', async () => {
    const userId = await seed();
    expect(await authorize(authorizerEvent(`Bearer ${await mintToken(userId)}`, 'Authorization'))).toEqual({ isAuthorized: true, context: { userId } });
  });

  it('finds the Authorization header among the others', async () => {
    const userId = await seed();
    const event = authorizerEvent(`Bearer ${await mintToken(userId)}`);
    expect(await authorize({ ...event, headers: { 'content-type': 'application/json', ...event.headers, 'x-forwarded-for': '203.0.113.7' } })).toEqual({ isAuthorized: true, context: { userId } });
  });

  it('decides an event that carries no request context (a direct invoke)', async () => {
    const userId = await seed();
    const { requestContext: _none, ...event } = authorizerEvent(`Bearer ${await mintToken(userId)}`);
    expect(await authorize(event as APIGatewayRequestAuthorizerEventV2)).toEqual({ isAuthorized: true, context: { userId } });
  });

  it.each([
    ['no Authorization header', undefined],
    ['a scheme other than Bearer', 'Basic dXNlcjpwYXNz'],
    ['a token signed with another secret', 'other'],
    ['a malformed token', 'Bearer not.a.jwt'],
  ])('denies %s', async (_case, authorization) => {
    const userId = await seed();
    const value = authorization === 'other' ? `Bearer ${await mintToken(userId, { secret: 'another-secret-of-at-least-thirty-two-bytes' })}` : authorization;
    expect(await authorize(authorizerEvent(value))).toEqual({ isAuthorized: false });
  });

  it('denies a valid token of a user without a record', async () => {
    expect(await authorize(authorizerEvent(`Bearer ${await mintToken('nobody-here')}`))).toEqual({ isAuthorized: false });
  });

  it('after a change, denies older tokens of other sessions and without sid, allows the changing session’s and newer tokens', async () => {
    const userId = await seed({ by: 'sid-changer' });
    const older = CHANGED_AT_SECONDS - 10;
    expect(await authorize(authorizerEvent(await bearer(userId, older, 'sid-other')))).toEqual({ isAuthorized: false });
    expect(await authorize(authorizerEvent(await bearer(userId, older)))).toEqual({ isAuthorized: false });
    expect(await authorize(authorizerEvent(await bearer(userId, older, 'sid-changer')))).toEqual({ isAuthorized: true, context: { userId } });
    expect(await authorize(authorizerEvent(await bearer(userId, CHANGED_AT_SECONDS + 1, 'sid-other')))).toEqual({ isAuthorized: true, context: { userId } });
  });

  it('after a change made without sid, denies every older token, sid or not', async () => {
    const userId = await seed({});
    expect(await authorize(authorizerEvent(await bearer(userId, CHANGED_AT_SECONDS - 10, 'sid-any')))).toEqual({ isAuthorized: false });
    expect(await authorize(authorizerEvent(await bearer(userId, CHANGED_AT_SECONDS)))).toEqual({ isAuthorized: true, context: { userId } });
  });
});

describe('the token authorizer with the other key sources', () => {
  let jwks: StandIn;
  let rsaPrivate: CryptoKey;
  let ecPrivate: CryptoKey;
  let ecPem: string;

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    rsaPrivate = rsa.privateKey;
    ecPrivate = ec.privateKey;
    ecPem = await exportSPKI(ec.publicKey);
    jwks = await startJsonStandIn(200, JSON.stringify({ keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] }));
  });
  afterAll(() => jwks.stop());

  it('verifies with JWT_PUBLIC_KEY and with JWT_JWKS_URL, enforcing iss and aud as the change endpoint does', async () => {
    const userId = await seed();
    const byPem = authorizerWith({ JWT_SECRET: '', JWT_PUBLIC_KEY: ecPem });
    const byJwks = authorizerWith({ JWT_SECRET: '', JWT_JWKS_URL: jwks.url('/jwks.json').href, JWT_ISSUER: 'https://issuer.example', JWT_AUDIENCE: 'platform' });
    const ecToken = await signToken(claims(userId), ecPrivate, 'ES256');
    const rsaToken = await signToken(claims(userId, { iss: 'https://issuer.example', aud: 'platform' }), rsaPrivate, 'RS256', { kid: 'k1' });
    const wrongAudience = await signToken(claims(userId, { iss: 'https://issuer.example', aud: 'elsewhere' }), rsaPrivate, 'RS256', { kid: 'k1' });

    expect(await byPem(authorizerEvent(`Bearer ${ecToken}`))).toEqual({ isAuthorized: true, context: { userId } });
    expect(await byJwks(authorizerEvent(`Bearer ${rsaToken}`))).toEqual({ isAuthorized: true, context: { userId } });
    expect(await byJwks(authorizerEvent(`Bearer ${wrongAudience}`))).toEqual({ isAuthorized: false });
    expect(await byPem(authorizerEvent(`Bearer ${rsaToken}`))).toEqual({ isAuthorized: false });
  });
});

describe('the token authorizer when it cannot decide', () => {
  it('throws (API Gateway answers 500), never allows, when DynamoDB is unreachable', async () => {
    const authorize = authorizerWith({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
    const error = await appErrorOf(authorize(authorizerEvent(`Bearer ${await mintToken('anyone')}`)));
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
  });

  it('throws, never allows, when the JWKS endpoint is down', async () => {
    const authorize = authorizerWith({ JWT_SECRET: '', JWT_JWKS_URL: `http://127.0.0.1:${await closedPort()}/jwks.json` });
    const { privateKey } = await generateKeyPair('RS256');
    const token = await signToken(claims('anyone'), privateKey, 'RS256', { kid: 'k1' });
    expect((await appErrorOf(authorize(authorizerEvent(`Bearer ${token}`)))).key).toBe('SERVICE_UNAVAILABLE');
  });
});

describe('what the token authorizer logs', () => {
  it('logs a denial with its reason and user id, and a failure with its cause, never the token', async () => {
    const deps = tokenAuthorizerDependencies(loadUserAccess({ USERS_TABLE: TABLE, DYNAMODB_ENDPOINT: dynamo.endpoint, JWT_SECRET: DEV_JWT_SECRET }));
    const info = vi.spyOn(deps.logger, 'info').mockImplementation(() => undefined);
    const error = vi.spyOn(deps.logger, 'error').mockImplementation(() => undefined);
    const userId = await seed({});
    const revoked = await bearer(userId, CHANGED_AT_SECONDS - 10, 'sid-x');

    await createTokenAuthorizer(deps)(authorizerEvent(revoked));
    const failing = createTokenAuthorizer({ ...deps, sessions: { sessionState: () => Promise.reject(new AppError('SERVICE_UNAVAILABLE', { cause: { dependency: 'dynamodb' } })) } });
    await failing(authorizerEvent(`Bearer ${await mintToken(userId)}`)).catch(() => undefined);

    expect(info.mock.calls).toEqual([['token denied', { apiRequestId: 'authorizer-test', routeKey: 'GET /v1/session', reason: 'revokedByPasswordChange', userId }]]);
    expect(error.mock.calls).toEqual([['authorizer could not decide; API Gateway answers 500', { apiRequestId: 'authorizer-test', routeKey: 'GET /v1/session', errorName: 'AppError', cause: { dependency: 'dynamodb' } }]]);
    expect(JSON.stringify([info.mock.calls, error.mock.calls])).not.toContain(revoked.slice(7, 40));
  });

  it('puts the Lambda context on its log lines when Lambda gives one', async () => {
    const deps = tokenAuthorizerDependencies(loadUserAccess({ USERS_TABLE: TABLE, DYNAMODB_ENDPOINT: dynamo.endpoint, JWT_SECRET: DEV_JWT_SECRET }));
    const addContext = vi.spyOn(deps.logger, 'addContext');
    const context = lambdaContext();
    const authorize = createTokenAuthorizer(deps);

    await authorize(authorizerEvent(`Bearer ${await mintToken(await seed())}`));
    expect(addContext).not.toHaveBeenCalled();
    await authorize(authorizerEvent(`Bearer ${await mintToken(await seed())}`), context);
    expect(addContext.mock.calls).toEqual([[context]]);
  });
});
