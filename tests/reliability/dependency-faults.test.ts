import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type HandlerDeps } from '../../lib/http/change-password-handler.js';
import { DYNAMO_LIMITS } from '../../lib/adapters/dynamodb/client.js';
import type { HttpEvent, HttpResult } from '../../lib/http/event.js';
import { verifyPassword } from '../../lib/adapters/bcrypt/password-hash.js';
import { createTokenVerifier } from '../../lib/adapters/jwt/token-verifier.js';
import type { UserStore } from '../../lib/core/ports.js';
import { createDocumentClient } from '../../lib/adapters/dynamodb/client.js';
import { DynamoUserStore } from '../../lib/adapters/dynamodb/user-store.js';
import { ensureUsersTable, putUser, startEmbeddedDynamo } from '../../scripts/local/dynamodb.js';
import { mintToken } from '../../scripts/local/dev-token.js';
import { closedPort, deferred, dynamoError, startBlackhole, startCannedServer, startLossyProxy } from '../support/fault-servers.js';
import { apiEvent, lambdaContext, SEED_NEW, SEED_OLD, startHarness, TEST_COST, type Harness, withoutCounter } from '../support/harness.js';
import { startJsonStandIn } from '../support/stand-in.js';
import { claims, signToken } from '../support/tokens.js';

/**
 * Dependency failures: what the client sees and what happens to the record when
 * DynamoDB or the JWKS endpoint is unreachable, slow, throttling or broken, and when the Lambda
 * deadline arrives first. Faults come from local servers on 127.0.0.1 (real SDK, real sockets) or,
 * for faults no server produces on demand, from wrapping the store; the record lives in a real
 * DynamoDB API server throughout.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const BODY = { oldPassword: SEED_OLD, newPassword: SEED_NEW };
const UNAVAILABLE = '{"status":false,"error":{"code":9001,"message":"Service temporarily unavailable"}}';
const INTERNAL = '{"status":false,"error":{"code":9000,"message":"Internal server error"}}';
/** The requirement: a sick dependency is answered within 10 s. */
const REQUIREMENT_MS = 10_000;
/** Far beyond the requirement, so these tests prove the SDK bounds, not middy's early timeout. */
const LONG_LAMBDA = 60_000;

const storeAt = (endpoint: string, table: string) => new DynamoUserStore(createDocumentClient({ endpoint }), table);
/** Reads from one store, writes to another: a DynamoDB that fails between the read and the write. */
const splitStore = (reads: UserStore, writes: UserStore): UserStore => ({
  beginAttempt: (userId, now, limits) => reads.beginAttempt(userId, now, limits),
  releaseAttempt: (userId, windowStart) => reads.releaseAttempt(userId, windowStart),
  replacePasswordHash: (change) => writes.replacePasswordHash(change),
});
const handlerWith = (deps: Partial<HandlerDeps>) => createHandler({ ...h.deps, ...deps });
const timed = async (run: () => Promise<HttpResult>) => {
  const started = performance.now();
  const res = await run();
  return { res, ms: performance.now() - started };
};

/** The record is unchanged, counter aside, and the old password still works. */
const expectUntouched = async (userId: string, before: Record<string, unknown> | undefined) => {
  expect(withoutCounter(await h.getItem(userId))).toEqual(withoutCounter(before));
  expect(await verifyPassword(SEED_OLD, before?.passwordHash as string)).toBe(true);
};

interface Fault {
  name: string;
  start: () => Promise<{ endpoint: string; attempts: () => number | undefined; stop: () => Promise<void> }>;
}

const faults: Fault[] = [
  {
    name: 'unreachable (connection refused)',
    start: async () => ({ endpoint: `http://127.0.0.1:${await closedPort()}`, attempts: () => undefined, stop: () => Promise.resolve() }),
  },
  {
    name: 'slow (accepts the connection, never answers)',
    start: async () => {
      const hole = await startBlackhole();
      return { endpoint: hole.endpoint, attempts: hole.connections, stop: hole.stop };
    },
  },
  {
    name: 'throttling (400 ProvisionedThroughputExceededException)',
    start: async () => {
      const server = await startCannedServer(dynamoError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.'));
      return { endpoint: server.endpoint, attempts: () => server.targets.length, stop: server.stop };
    },
  },
  {
    name: 'failing (500 InternalServerError)',
    start: async () => {
      const server = await startCannedServer(dynamoError('InternalServerError', 'Internal server error', 500));
      return { endpoint: server.endpoint, attempts: () => server.targets.length, stop: server.stop };
    },
  },
];

describe('POST /v1/users/profile/change-password when DynamoDB is sick', () => {
  const cases = faults.flatMap((fault) => [
    { ...fault, phase: 'for the read' as const },
    { ...fault, phase: 'between the read and the write' as const },
  ]);

  it.concurrent.for(cases)('answers 503 9001 with Retry-After within 10 s and writes nothing when DynamoDB is $name $phase', async (fault, { expect }) => {
    // Arrange
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    const sick = await fault.start();
    const faulty = storeAt(sick.endpoint, h.table);
    const store = fault.phase === 'for the read' ? faulty : splitStore(h.deps.store, faulty);
    const handler = handlerWith({ store });

    try {
      // Act
      const { res, ms } = await timed(() => handler(apiEvent({ token, body: BODY }), lambdaContext(LONG_LAMBDA)));

      // Assert
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe(UNAVAILABLE);
      expect(res.headers['Retry-After']).toBe('2');
      // One SDK call, retried exactly as configured, then given up: the configured bound, not luck.
      // (A refused connection leaves nothing to count: that stand-in reports undefined.)
      expect(sick.attempts()).toBe(fault.name.startsWith('unreachable') ? undefined : DYNAMO_LIMITS.maxAttempts);
      expect(ms).toBeLessThan(REQUIREMENT_MS);
      await expectUntouched(userId, before);
    } finally {
      await sick.stop();
    }
  });

  it('answers 500 9000 without retrying when DynamoDB rejects the request itself (ValidationException)', async () => {
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    const server = await startCannedServer(dynamoError('ValidationException', 'One or more parameter values were invalid'));
    try {
      const res = await handlerWith({ store: storeAt(server.endpoint, h.table) })(apiEvent({ token, body: BODY }), lambdaContext());
      expect(res.statusCode).toBe(500);
      expect(res.body).toBe(INTERNAL);
      // The first call of a change: the conditional UpdateItem that reserves an attempt and reads the user.
      expect(server.targets).toEqual(['DynamoDB_20120810.UpdateItem']);
      await expectUntouched(userId, before);
    } finally {
      await server.stop();
    }
  });

  it('recovers by itself when DynamoDB comes back: the same handler instance answers 503, then 200', async () => {
    // Arrange: a handler built once (as at cold start) against a DynamoDB that is not there yet
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const table = 'users-recovery';
    const handler = handlerWith({ store: storeAt(endpoint, table) });
    const token = await mintToken('recovering-user');

    // Act 1: DynamoDB down
    const down = await handler(apiEvent({ token, body: BODY }), lambdaContext(LONG_LAMBDA));

    // Act 2: DynamoDB back on the same address, same handler
    const dynamo = await startEmbeddedDynamo(port);
    try {
      await ensureUsersTable(endpoint, table);
      await putUser(endpoint, table, { userId: 'recovering-user', password: SEED_OLD }, TEST_COST);
      const up = await handler(apiEvent({ token, body: BODY }), lambdaContext(LONG_LAMBDA));

      // Assert
      expect(down.statusCode).toBe(503);
      expect(up.statusCode).toBe(200);
    } finally {
      await dynamo.stop();
    }
  });
});

describe('POST /v1/users/profile/change-password when something fails mid-request', () => {
  it('answers a generic 500 9000 for an unexpected error, with nothing internal in it', async () => {
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    const store: UserStore = {
      beginAttempt: () => Promise.reject(new TypeError(`Cannot read properties of undefined (reading '${SEED_OLD}')`)),
      releaseAttempt: () => Promise.resolve(),
      replacePasswordHash: () => Promise.reject(new Error('unreachable')),
    };
    const res = await handlerWith({ store })(apiEvent({ token, body: BODY }), lambdaContext());
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe(INTERNAL);
    await expectUntouched(userId, before);
  });

  it('answers 500 9000 and writes nothing when hashing the new password fails after the old one verified', async () => {
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    let writes = 0;
    const store: UserStore = {
      beginAttempt: (id, now, limits) => h.deps.store.beginAttempt(id, now, limits),
      releaseAttempt: (id, windowStart) => h.deps.store.releaseAttempt(id, windowStart),
      replacePasswordHash: (change) => ((writes += 1), h.deps.store.replacePasswordHash(change)),
    };
    const res = await handlerWith({ store, hasher: { ...h.deps.hasher, hashWithSalt: () => Promise.reject(new RangeError('bcrypt exploded')) } })(apiEvent({ token, body: BODY }), lambdaContext());
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe(INTERNAL);
    expect(writes).toBe(0);
    await expectUntouched(userId, before);
  });

  it('answers 503 when DynamoDB fails after bcrypt, before the write lands; the same request then succeeds', async () => {
    // Arrange: reads work, the write goes to a DynamoDB that refuses connections until it "recovers"
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    const broken = storeAt(`http://127.0.0.1:${await closedPort()}`, h.table);
    let healthy = false;
    const store: UserStore = {
      beginAttempt: (id, now, limits) => h.deps.store.beginAttempt(id, now, limits),
      releaseAttempt: (id, windowStart) => h.deps.store.releaseAttempt(id, windowStart),
      replacePasswordHash: (change) => (healthy ? h.deps.store : broken).replacePasswordHash(change),
    };
    const handler = handlerWith({ store });

    // Act
    const failed = await handler(apiEvent({ token, body: BODY }), lambdaContext());
    const afterFailure = await h.getItem(userId);
    healthy = true;
    const retried = await handler(apiEvent({ token, body: BODY }), lambdaContext());

    // Assert
    expect(failed.statusCode).toBe(503);
    expect(withoutCounter(afterFailure)).toEqual(withoutCounter(before));
    expect(retried.statusCode).toBe(200);
    expect(await verifyPassword(SEED_NEW, (await h.getItem(userId))?.passwordHash as string)).toBe(true);
  });

  it('answers 200 when the write landed but its response was lost and the SDK retry hits the condition', async () => {
    // Arrange: a proxy that applies the hash swap (the second UpdateItem, after the attempt
    // reservation), then resets the connection instead of answering
    const { userId, token } = await h.seedUser();
    const proxy = await startLossyProxy(h.endpoint, (operation, nth) => operation === 'UpdateItem' && nth === 2);
    try {
      // Act
      const res = await handlerWith({ store: storeAt(proxy.endpoint, h.table) })(apiEvent({ token, body: BODY }), lambdaContext());

      // Assert: the retry met its own hash (conditional check failed), which is success, not 409
      expect(proxy.operations.filter((op) => op === 'UpdateItem')).toHaveLength(3);
      expect(res.statusCode).toBe(200);
      const stored = (await h.getItem(userId))?.passwordHash as string;
      expect(await verifyPassword(SEED_NEW, stored)).toBe(true);
    } finally {
      await proxy.stop();
    }
  });

  it('answers 404 3001 and creates nothing when the record is deleted between the read and the write', async () => {
    // Arrange
    const { userId, token } = await h.seedUser();
    const store: UserStore = {
      beginAttempt: async (id, now, limits) => {
        const found = await h.deps.store.beginAttempt(id, now, limits);
        await h.deleteUser(id);
        return found;
      },
      releaseAttempt: (id, windowStart) => h.deps.store.releaseAttempt(id, windowStart),
      replacePasswordHash: (change) => h.deps.store.replacePasswordHash(change),
    };

    // Act
    const res = await handlerWith({ store })(apiEvent({ token, body: BODY }), lambdaContext());

    // Assert
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('{"status":false,"error":{"code":3001,"message":"Entity not found"}}');
    expect(await h.getItem(userId)).toBeUndefined();
  });
});

describe('POST /v1/users/profile/change-password when the Lambda deadline arrives first', () => {
  it('answers 503 before the deadline and never starts the write afterwards', async () => {
    // Arrange: 600 ms left, so middy answers at 100 ms; the read is held until after that answer
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    const gate = deferred();
    const hashed = deferred();
    let writes = 0;
    const store: UserStore = {
      beginAttempt: async (id, now, limits) => {
        const found = await h.deps.store.beginAttempt(id, now, limits);
        await gate.promise;
        return found;
      },
      releaseAttempt: (id, windowStart) => h.deps.store.releaseAttempt(id, windowStart),
      replacePasswordHash: (change) => ((writes += 1), h.deps.store.replacePasswordHash(change)),
    };
    const hashWithSalt = async (password: string, salt: string) => {
      const hash = await h.deps.hasher.hashWithSalt(password, salt);
      hashed.resolve();
      return hash;
    };
    const handler = handlerWith({ store, hasher: { ...h.deps.hasher, hashWithSalt } });

    // Act
    const res = await handler(apiEvent({ token, body: BODY }), lambdaContext(600));
    gate.resolve(); // the slow read finally answers; the use case carries on in the background
    await hashed.promise; // ... past both bcrypt steps, to the point where it would write
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assert
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe(UNAVAILABLE);
    expect(res.headers['Retry-After']).toBe('2');
    expect(writes).toBe(0);
    await expectUntouched(userId, before);
  });

  it('answers within the deadline even when every dependency hangs (no SDK bound involved)', async () => {
    const { token } = await h.seedUser();
    const never: UserStore = { beginAttempt: () => new Promise(() => undefined), releaseAttempt: () => new Promise(() => undefined), replacePasswordHash: () => new Promise(() => undefined) };
    const res = await handlerWith({ store: never })(apiEvent({ token, body: BODY }), lambdaContext(700));
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe(UNAVAILABLE);
  });
});

describe('POST /v1/users/profile/change-password when the JWKS endpoint is sick', () => {
  let signingKey: CryptoKey;
  let jwks: { keys: JWK[] };
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  });
  const rsToken = (sub: string) => signToken(claims(sub), signingKey, 'RS256', { kid: 'k1' });
  const jwksHandler = (url: URL) => handlerWith({ verifyToken: createTokenVerifier({ key: { kind: 'jwks', url }, issuer: undefined, audience: undefined }) });

  const sickJwks: { name: string; start: () => Promise<{ url: URL; stop: () => Promise<void> }> }[] = [
    { name: 'down (connection refused)', start: async () => ({ url: new URL(`http://127.0.0.1:${await closedPort()}/jwks.json`), stop: () => Promise.resolve() }) },
    {
      name: 'failing (500)',
      start: async () => {
        const server = await startJsonStandIn(500, '{"error":"boom"}');
        return { url: server.url('/jwks.json'), stop: server.stop };
      },
    },
    {
      name: 'slow (never answers; jose gives up after 3 s)',
      start: async () => {
        const hole = await startBlackhole();
        return { url: hole.url('/jwks.json'), stop: hole.stop };
      },
    },
  ];

  it.concurrent.for(sickJwks)('answers 503 9001, not 401, when the JWKS endpoint is $name', async (sick, { expect }) => {
    const { userId } = await h.seedUser();
    const before = await h.getItem(userId);
    const jwksEndpoint = await sick.start();
    try {
      const event: HttpEvent = apiEvent({ token: await rsToken(userId), body: BODY });
      const { res, ms } = await timed(() => jwksHandler(jwksEndpoint.url)(event, lambdaContext(LONG_LAMBDA)));
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe(UNAVAILABLE);
      expect(res.headers['Retry-After']).toBe('2');
      expect(ms).toBeLessThan(REQUIREMENT_MS);
      expect(await h.getItem(userId)).toEqual(before);
    } finally {
      await jwksEndpoint.stop();
    }
  });

  it('recovers when the JWKS endpoint comes back: same handler, 503 then 200', async () => {
    const { userId } = await h.seedUser();
    const port = await closedPort();
    const handler = jwksHandler(new URL(`http://127.0.0.1:${port}/jwks.json`));
    const down = await handler(apiEvent({ token: await rsToken(userId), body: BODY }), lambdaContext());
    const server = await startJsonStandIn(200, JSON.stringify(jwks), port);
    try {
      const up = await handler(apiEvent({ token: await rsToken(userId), body: BODY }), lambdaContext());
      expect(down.statusCode).toBe(503);
      expect(up.statusCode).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
