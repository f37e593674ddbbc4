import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler, type HandlerDeps } from '../../functions/change-password/handler.js';
import { DEV_JWT_SECRET, loadConfig } from '../../lib/config.js';
import { requestMethod, type HttpEvent, type HttpResult } from '../../lib/http.js';
import { hashPasswordWithSalt, saltForNextHash, verifyPassword } from '../../lib/password-hash.js';
import { buildPolicy } from '../../lib/password-policy.js';
import { createTokenVerifier } from '../../lib/token.js';
import { silentNotifier } from '../../lib/change-notifier.js';
import { createDocumentClient, DynamoUserStore } from '../../lib/user-store.js';
import { ensureUsersTable, mintToken, putUser, startEmbeddedDynamo } from '../../scripts/local-dev.js';
import { assertMatchesOpenApi } from './openapi.js';

export const TEST_COST = 4;
export const SEED_OLD = 'CurrentSecureP@ss123';
export const SEED_NEW = 'NewSecureP@ssw0rd!';

let requestCounter = 0;

/** The protection limits as configured by default (LOCKOUT_*, PASSWORD_HISTORY_SIZE, REPLAY_WINDOW_SECONDS). */
export const DEFAULT_LIMITS = loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET }).protection;

/** A Lambda context as the runtime gives one; the remaining time drives middy's early timeout. */
export const lambdaContext = (remainingMs = 10_000): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'change-password-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:change-password-test',
  memoryLimitInMB: '1024',
  awsRequestId: `req-${++requestCounter}`,
  logGroupName: '/aws/lambda/change-password-test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => remainingMs,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** An HTTP API (payload v2) event for the route, with overridable parts. */
export const apiEvent = (parts: { token?: string | undefined; body?: unknown; headers?: Record<string, string>; method?: string; rawBody?: string; isBase64Encoded?: boolean } = {}): HttpEvent => ({
  version: '2.0',
  headers: {
    'content-type': 'application/json',
    ...(parts.token === undefined ? {} : { authorization: `Bearer ${parts.token}` }),
    ...parts.headers,
  },
  body: parts.rawBody ?? JSON.stringify(parts.body ?? {}),
  isBase64Encoded: parts.isBase64Encoded ?? false,
  requestContext: { requestId: `api-${requestCounter}`, http: { method: parts.method ?? 'POST', sourceIp: '203.0.113.7' } },
});

export const parseBody = (result: HttpResult): unknown => JSON.parse(result.body);

/** The envelope's error code, or undefined for a success. */
export const errorCode = (result: HttpResult): number | undefined => (parseBody(result) as { error?: { code: number } }).error?.code;

/**
 * A clock the test moves by hand, so a window's edges do not drift while a slow machine runs the
 * test. `reset()` (call it in beforeEach) puts it back at its start: no test inherits another's time.
 */
export const testClock = (startOffsetMs = 0) => {
  const base = Date.now();
  let offsetMs = startOffsetMs;
  return {
    now: (): Date => new Date(base + offsetMs),
    seconds: (): number => Math.floor((base + offsetMs) / 1000),
    advance: (ms: number): void => {
      offsetMs += ms;
    },
    /** Back to the start, or to `offset` ms from when the clock was made. */
    reset: (offset = startOffsetMs): void => {
      offsetMs = offset;
    },
  };
};

/**
 * A stored record without the brute-force counter's bookkeeping (`oldPasswordAttempts*`), which
 * every request that reaches the old-password check moves: what "a refusal changes nothing" compares.
 */
export const withoutCounter = (item: Record<string, unknown> | undefined): Record<string, unknown> | undefined =>
  item === undefined ? undefined : Object.fromEntries(Object.entries(item).filter(([k]) => !k.startsWith('oldPasswordAttempts')));

/**
 * A plain DocumentClient for the test's own reads and writes: not the function's client (no
 * tracing, default retries), so arranging and checking a record never goes through the code under test.
 */
export const rawDocumentClient = (endpoint: string): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));

/**
 * A real DynamoDB API server (dynalite) with the users table, and the real handler wired to it,
 * exactly as in production except for the bcrypt cost.
 */
export const startHarness = async (overrides: Partial<HandlerDeps> = {}) => {
  const dynamo = await startEmbeddedDynamo();
  const table = `users-${Math.random().toString(36).slice(2)}`;
  await ensureUsersTable(dynamo.endpoint, table);
  const config = loadConfig({ USERS_TABLE: table, JWT_SECRET: DEV_JWT_SECRET });
  const store = new DynamoUserStore(createDocumentClient({ endpoint: dynamo.endpoint }), table);
  const deps: HandlerDeps = {
    verifyToken: createTokenVerifier(config.jwt),
    store,
    policy: buildPolicy(config.policy),
    hashPassword: hashPasswordWithSalt,
    saltFor: (current) => saltForNextHash(current, TEST_COST),
    verifyPassword,
    clock: () => new Date(),
    limits: config.protection,
    notifier: silentNotifier,
    onNotifyError: () => undefined,
    corsAllowedOrigins: [],
    ...overrides,
  };
  /** A handler built with some dependencies replaced, on the same table; its answers are checked too. */
  const invokerWith = (replaced: Partial<HandlerDeps>) => {
    const built = createHandler({ ...deps, ...replaced });
    return async (event: HttpEvent, context: Context = lambdaContext()): Promise<HttpResult> => {
      const result = await built(event, context);
      // A preflight is documented under OPTIONS; any other method is answered as POST's route is.
      assertMatchesOpenApi(result, requestMethod(event)?.toUpperCase() === 'OPTIONS' ? 'options' : 'post');
      return result;
    };
  };
  const invoke = invokerWith({});
  const raw = rawDocumentClient(dynamo.endpoint);
  let userCounter = 0;
  return {
    endpoint: dynamo.endpoint,
    table,
    deps,
    /** Runs the handler; every answer must conform to docs/openapi.yaml, or the test fails. */
    invoke,
    invokerWith,
    /** POSTs a change of `oldPassword` to `newPassword` with `token`. */
    change: (token: string, oldPassword: string, newPassword: string) => invoke(apiEvent({ token, body: { oldPassword, newPassword } })),
    /** Seeds a user with the seed's old password (or another) and returns its id and a valid token. */
    seedUser: async (attributes: Record<string, unknown> = {}, password = SEED_OLD) => {
      const userId = `user-${++userCounter}`;
      await putUser(dynamo.endpoint, table, { userId, password, ...attributes }, TEST_COST);
      // Issued 20 s ahead (inside the verifier's 30 s tolerance), so a test's own change does not
      // make the token stale halfway through a slow run; the stale-token tests mint their own.
      return { userId, token: await mintToken(userId, { issuedAt: Math.floor(Date.now() / 1000) + 20 }) };
    },
    getItem: async (userId: string): Promise<Record<string, unknown> | undefined> =>
      (await raw.send(new GetCommand({ TableName: table, Key: { userId }, ConsistentRead: true }))).Item,
    /** Sets attributes of a stored record directly, as another service or an old version would. */
    setAttributes: async (userId: string, values: Record<string, unknown>): Promise<void> => {
      const names = Object.keys(values);
      await raw.send(new UpdateCommand({
        TableName: table,
        Key: { userId },
        UpdateExpression: `SET ${names.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, values[n]])),
      }));
    },
    /** Removes attributes of a stored record, e.g. the hash of a user who signs in only through a federation. */
    removeAttributes: async (userId: string, names: string[]): Promise<void> => {
      await raw.send(new UpdateCommand({
        TableName: table,
        Key: { userId },
        UpdateExpression: `REMOVE ${names.map((_, i) => `#n${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
      }));
    },
    deleteUser: async (userId: string): Promise<void> => {
      await raw.send(new DeleteCommand({ TableName: table, Key: { userId } }));
    },
    stop: dynamo.stop,
  };
};

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/**
 * One harness for a test file, started before its tests and stopped after them, with a clock the
 * tests move by hand (an hour back by default, so tokens minted now are newer than any change it
 * stamps) that is put back before each test. `h` may be used in tests and hooks, not at import.
 */
export const useHarness = (overrides: Partial<HandlerDeps> = {}, { clockOffsetMs = -3_600_000 } = {}) => {
  const clock = testClock(clockOffsetMs);
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness({ clock: clock.now, ...overrides });
  });
  afterAll(() => started?.stop());
  beforeEach(() => clock.reset());
  const h = new Proxy({} as Harness, {
    get: (_target, key) => {
      if (started === undefined) throw new Error('the harness starts in beforeAll: use it inside tests and hooks');
      return Reflect.get(started, key) as unknown;
    },
  });
  return { clock, h };
};
