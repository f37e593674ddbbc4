import { beforeAll, describe, expect, expectTypeOf, inject, it } from 'vitest';
import { ChangePasswordClientError, createChangePasswordClient, type ChangePasswordClient, type ChangePasswordResult } from '../../client/change-password.js';
import { mintToken } from '../../scripts/local/dev-token.js';
import { putUser } from '../../scripts/local/dynamodb.js';
import { closedPort } from '../support/fault-servers.js';
import { startStandIn as standIn } from '../support/stand-in.js';
import { openApiCheckedFetch } from '../support/openapi.js';

/**
 * The typed client against the server `npm start` runs (shared by the HTTP tests, with its own
 * user), and against stand-ins for transport failures.
 */
const OLD = 'CurrentSecureP@ss123';
const NEW = 'NewSecureP@ssw0rd!';
const USER = 'client-test-user';

const server = inject('localServer');
let client: ChangePasswordClient;
/** A token for USER, issued before any change of its password. */
let token: string;

beforeAll(async () => {
  await putUser(server.dynamoEndpoint, server.table, { userId: USER, password: OLD }, 4);
  token = await mintToken(USER, { secret: server.jwtSecret });
  // Every answer the client receives from the real server must also conform to docs/openapi.yaml.
  client = createChangePasswordClient({ baseUrl: server.baseUrl, fetch: openApiCheckedFetch });
});

describe('createChangePasswordClient against npm start', () => {
  it('returns ok with the typed data, then the 5023 envelope as a value (no throw) for a wrong old password', async () => {
    const changed = await client.changePassword({ oldPassword: OLD, newPassword: NEW }, token);
    expect(changed).toEqual({ ok: true, status: 200, data: { passwordChanged: 'OK' } });

    // A token minted after the change: the one above now only serves a retry of that change.
    const fresh = await mintToken(USER, { secret: server.jwtSecret });
    const again = await client.changePassword({ oldPassword: OLD, newPassword: 'Another-P@ssw0rd-7' }, fresh);
    expect(again).toEqual({ ok: false, status: 400, error: { code: 5023, message: 'Incorrect old password' } });
  });

  it('narrows on ok: data on success, error.code on failure', () => {
    expectTypeOf<Extract<ChangePasswordResult, { ok: true }>['data']>().toEqualTypeOf<{ passwordChanged: 'OK' }>();
    expectTypeOf<Extract<ChangePasswordResult, { ok: false }>['error']['code']>().toExtend<number>();
  });

  it('returns 401 4002 without a token and 401 4001 with a forged one', async () => {
    expect(await client.changePassword({ oldPassword: OLD, newPassword: NEW }, undefined)).toMatchObject({ ok: false, status: 401, error: { code: 4002 } });
    const forged = await mintToken(USER, { secret: 'another-secret-that-is-long-enough-for-hs256' });
    expect(await client.changePassword({ oldPassword: OLD, newPassword: NEW }, forged)).toMatchObject({ ok: false, status: 401, error: { code: 4001 } });
  });

  it('returns the field errors of a 1002', async () => {
    const result = await client.changePassword({ oldPassword: 'short', newPassword: NEW }, token);
    expect(result).toEqual({ ok: false, status: 400, error: { code: 1002, message: 'Request body fields are invalid', details: { fieldErrors: ['oldPassword:tooShort'] } } });
  });
});

describe('createChangePasswordClient transport failures', () => {
  it('throws a network error, without the passwords or the token, when nothing listens', async () => {
    const port = await closedPort();
    const offline = createChangePasswordClient({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await offline.changePassword({ oldPassword: OLD, newPassword: NEW }, 'the-token').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ChangePasswordClientError);
    expect(error).toMatchObject({ kind: 'network' });
    const text = JSON.stringify({ message: (error as Error).message, cause: (error as Error).cause });
    for (const secret of [OLD, NEW, 'the-token']) expect(text).not.toContain(secret);
  });

  it('throws a timeout error when the server does not answer in time', async () => {
    const silent = await standIn(() => undefined);
    try {
      const slow = createChangePasswordClient({ baseUrl: silent.baseUrl, timeoutMs: 200 });
      await expect(slow.changePassword({ oldPassword: OLD, newPassword: NEW }, 't')).rejects.toMatchObject({ name: 'ChangePasswordClientError', kind: 'timeout' });
    } finally {
      await silent.stop();
    }
  });

  it('throws an aborted error when the caller aborts', async () => {
    const silent = await standIn(() => undefined);
    try {
      const controller = new AbortController();
      const pending = createChangePasswordClient({ baseUrl: silent.baseUrl }).changePassword({ oldPassword: OLD, newPassword: NEW }, 't', { signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
    } finally {
      await silent.stop();
    }
  });

  it('throws unexpected-response with the status for an answer that is not this API’s (API Gateway throttle)', async () => {
    const gateway = await standIn((_req, res) => {
      res.writeHead(429, { 'Content-Type': 'application/json' }).end('{"message":"Too Many Requests"}');
    });
    try {
      const throttled = createChangePasswordClient({ baseUrl: gateway.baseUrl });
      await expect(throttled.changePassword({ oldPassword: OLD, newPassword: NEW }, 't')).rejects.toMatchObject({ kind: 'unexpected-response', status: 429 });
    } finally {
      await gateway.stop();
    }
  });

  it('returns a 503 envelope as a value with retryAfterSeconds', async () => {
    const sick = await standIn((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '2' }).end('{"status":false,"error":{"code":9001,"message":"Service temporarily unavailable"}}');
    });
    try {
      const result = await createChangePasswordClient({ baseUrl: sick.baseUrl }).changePassword({ oldPassword: OLD, newPassword: NEW }, 't');
      expect(result).toEqual({ ok: false, status: 503, error: { code: 9001, message: 'Service temporarily unavailable' }, retryAfterSeconds: 2 });
    } finally {
      await sick.stop();
    }
  });
});
