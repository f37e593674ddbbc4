import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpResult } from '../../lib/http/event.js';
import { apiEvent, lambdaContext, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../support/harness.js';

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
