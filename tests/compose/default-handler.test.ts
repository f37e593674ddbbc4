import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpResult } from '../../lib/http/event.js';
import { changePasswordHandler } from '../../lib/compose.js';
import { loadConfig } from '../../lib/config/load.js';
import { mintToken } from '../../scripts/local/dev-token.js';
import { apiEvent, lambdaContext, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../support/harness.js';
import { startSsmStandIn } from '../support/ssm.js';

/**
 * The exported `handler`, composed from the environment exactly as Lambda loads it, against the
 * test's DynamoDB API server; and what it writes to the log.
 */
let h: Harness;
let lines: string[] = [];
let handler: (event: unknown, context: unknown) => Promise<HttpResult>;

beforeAll(async () => {
  h = await startHarness();
  vi.stubEnv('DYNAMODB_ENDPOINT', h.endpoint);
  vi.stubEnv('USERS_TABLE', h.table);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(chunk.toString());
    return true;
  });
  vi.resetModules();
  ({ handler } = (await import('../../functions/change-password/handler.js')) as unknown as { handler: typeof handler });
});

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await h.stop();
});

describe('the exported handler', () => {
  it('reads its configuration from the environment and changes the password', async () => {
    const { userId, token } = await h.seedUser();
    const res = await handler(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect((await h.getItem(userId))?.passwordChangedAt).toEqual(expect.any(String));
  });

  it('logs one structured line per request with the request id, and never a password, hash, token or body', async () => {
    lines = [];
    const { userId, token } = await h.seedUser({ email: 'logs@example.org' });
    const hashBefore = (await h.getItem(userId))?.passwordHash as string;
    const context = lambdaContext();
    const requests = [
      apiEvent({ token, body: { oldPassword: 'Wrong-P@ssw0rd-1', newPassword: SEED_NEW } }),
      apiEvent({ token, rawBody: `{"oldPassword":"${SEED_OLD}","newPassword":` }),
      apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: 'weakweakweak' } }),
      apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }),
    ];
    for (const event of requests) await handler(event, context);
    const hashAfter = (await h.getItem(userId))?.passwordHash as string;

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map((e) => e.statusCode)).toEqual([400, 400, 400, 200]);
    // The audit trail: one record per attempt with who, which request, from where, and the outcome.
    for (const entry of entries) {
      expect(entry).toMatchObject({ message: 'password change attempt', function_request_id: context.awsRequestId, userId, sourceIp: '203.0.113.7', apiRequestId: expect.any(String) });
    }
    expect(entries.map((e) => [e.outcome, e.code])).toEqual([['refused', 5023], ['refused', 1001], ['refused', 5025], ['changed', undefined]]);
    const text = lines.join('');
    for (const secret of [SEED_OLD, SEED_NEW, 'Wrong-P@ssw0rd-1', 'weakweakweak', token, hashBefore, hashAfter, '"oldPassword"']) {
      expect(text).not.toContain(secret);
    }
  });

  it('starts each request’s lines afresh: no user id carried over from the request before', async () => {
    const { userId, token } = await h.seedUser();
    await handler(apiEvent({ token, body: { oldPassword: 'Wrong-P@ssw0rd-1', newPassword: SEED_NEW } }), lambdaContext());
    lines = [];

    await handler(apiEvent({ body: {} }), lambdaContext());

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map((e) => e.statusCode)).toEqual([401]);
    expect(entries[0]).not.toHaveProperty('userId');
    expect(lines.join('')).not.toContain(userId);
  });
});

describe('JWT_SECRET_PARAMETER, as the composition wires it', () => {
  it('reads the secret from SSM (the client Lambda would build, here pointed at a stand-in) on the first request, once', async () => {
    const NAME = '/change-password/prod/jwt-secret';
    const SECRET = 'a-32-byte-or-longer-hs256-secret-from-ssm';
    const ssm = await startSsmStandIn();
    try {
      ssm.answerWith({ value: SECRET });
      const { endpoint, region, credentials } = ssm.clientConfig;
      for (const [name, value] of Object.entries({ AWS_ENDPOINT_URL_SSM: endpoint, AWS_REGION: region, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey })) vi.stubEnv(name, value);
      const change = changePasswordHandler(loadConfig({ USERS_TABLE: h.table, DYNAMODB_ENDPOINT: h.endpoint, STAGE: 'prod', JWT_SECRET_PARAMETER: NAME }));
      expect(ssm.requests).toEqual([]);

      for (const _ of [1, 2]) {
        const { token: devToken, userId } = await h.seedUser();
        const token = await mintToken(userId, { secret: SECRET });
        expect((await change(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }), lambdaContext())).statusCode).toBe(200);
        expect((await change(apiEvent({ token: devToken, body: { oldPassword: SEED_NEW, newPassword: SEED_OLD } }), lambdaContext())).statusCode).toBe(401);
      }

      expect(ssm.requests).toEqual([{ target: 'AmazonSSM.GetParameter', body: { Name: NAME, WithDecryption: true } }]);
    } finally {
      await ssm.stop();
    }
  });
});
