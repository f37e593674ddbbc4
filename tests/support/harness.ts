import type { Context } from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { itemKey, type UserAttribute } from '../../lib/adapters/dynamodb/table-layout.js';
import { changePasswordDependencies } from '../../lib/compose.js';
import { loadConfig } from '../../lib/config/load.js';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { createHandler, type HandlerDeps } from '../../lib/http/change-password-handler.js';
import { requestMethod, type HttpEvent, type HttpResult } from '../../lib/http/event.js';
import { ensureUsersTable, putUser, startEmbeddedDynamo } from '../../scripts/local/dynamodb.js';
import { mintToken } from '../../scripts/local/dev-token.js';
import { DEFAULT_TABLE_LAYOUT, type LayoutFixture } from './layouts.js';
import { assertMatchesOpenApi } from './openapi.js';

export const TEST_COST = 4;
export const SEED_OLD = 'CurrentSecureP@ss123';
export const SEED_NEW = 'NewSecureP@ssw0rd!';

let requestCounter = 0;

/** The protection limits as configured by default (LOCKOUT_*, PASSWORD_HISTORY_SIZE, REPLAY_WINDOW_SECONDS). */
export const DEFAULT_LIMITS = loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET }).protection;

/** The observability settings a test gives the process (metrics on or off, tracing as in Lambda): the harness's handlers follow them. */
const OBSERVABILITY_VARIABLES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_TRACE_ENABLED', 'AWS_EXECUTION_ENV', 'AWS_SAM_LOCAL'];

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
 * A real DynamoDB API server (dynalite) with the users table, and the real handler wired to it by
 * the composition, exactly as in production except for the bcrypt cost and the scheduling of a
 * process that runs many changes at once. `layout` shapes the table (USERS_KEY,
 * USERS_ATTRIBUTE_NAMES) and gives every seeded user its neighbouring items; `env` is the rest of
 * the function's environment (e.g. MFA_REQUIRED), parsed by the configuration as in production.
 */
export const startHarness = async (overrides: Partial<HandlerDeps> = {}, layout: LayoutFixture = DEFAULT_TABLE_LAYOUT, env: Record<string, string> = {}) => {
  const dynamo = await startEmbeddedDynamo();
  const table = `users-${Math.random().toString(36).slice(2)}`;
  const observability = Object.fromEntries(OBSERVABILITY_VARIABLES.map((name) => [name, process.env[name]]));
  const config = loadConfig({ ...observability, USERS_TABLE: table, JWT_SECRET: DEV_JWT_SECRET, DYNAMODB_ENDPOINT: dynamo.endpoint, BCRYPT_COST: String(TEST_COST), ...layout.env, ...env });
  const { usersLayout } = config;
  await ensureUsersTable(dynamo.endpoint, table, usersLayout);
  const deps: HandlerDeps = {
    ...changePasswordDependencies(config, { concurrency: 'many' }),
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
  /** Every neighbouring item written, as written: none may ever change. */
  const neighbours = new Map<string, Record<string, unknown>>();
  /** The stored item with the service's attributes under their logical names, as tests speak of them. */
  const keyOf = (item: Record<string, unknown>) => JSON.stringify(usersLayout.key.map(({ attribute }) => item[attribute]));
  const logical = (item: Record<string, unknown> | undefined) => {
    if (item === undefined) return undefined;
    const byAttribute = new Map(Object.entries(usersLayout.attributes).map(([name, attribute]) => [attribute, name]));
    return Object.fromEntries(Object.entries(item).map(([attribute, value]) => [byAttribute.get(attribute) ?? attribute, value]));
  };
  return {
    endpoint: dynamo.endpoint,
    table,
    usersLayout,
    deps,
    /** Runs the handler; every answer must conform to docs/openapi.yaml, or the test fails. */
    invoke,
    invokerWith,
    /** POSTs a change of `oldPassword` to `newPassword` with `token`. */
    change: (token: string, oldPassword: string, newPassword: string) => invoke(apiEvent({ token, body: { oldPassword, newPassword } })),
    /** Seeds a user with the seed's old password (or another) and returns its id and a valid token. */
    seedUser: async (attributes: Record<string, unknown> = {}, password = SEED_OLD) => {
      const userId = `user-${++userCounter}`;
      await putUser(dynamo.endpoint, table, { userId, password, ...attributes }, TEST_COST, { layout: usersLayout });
      for (const item of layout.neighbours(userId)) {
        await raw.send(new PutCommand({ TableName: table, Item: item }));
        neighbours.set(keyOf(item), item);
      }
      // Issued 20 s ahead (inside the verifier's clock tolerance), so a test's own change does not
      // make the token stale halfway through a slow run; the stale-token tests mint their own.
      return { userId, token: await mintToken(userId, { issuedAt: Math.floor(Date.now() / 1000) + 20 }) };
    },
    /** The user's record (its whole key), with the service's attributes under their logical names. */
    getItem: async (userId: string): Promise<Record<string, unknown> | undefined> =>
      logical((await raw.send(new GetCommand({ TableName: table, Key: itemKey(usersLayout, userId), ConsistentRead: true }))).Item),
    /** Sets attributes of the user's record, named logically (e.g. passwordHash) whatever the layout. */
    setAttributes: async (userId: string, values: Record<string, unknown>): Promise<void> => {
      const entries = Object.entries(values);
      await raw.send(new UpdateCommand({
        TableName: table,
        Key: itemKey(usersLayout, userId),
        UpdateExpression: `SET ${entries.map((_, i) => `#n${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#n${i}`, usersLayout.attributes[name as UserAttribute] ?? name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
      }));
    },
    /** Removes attributes of the user's record, named logically, e.g. the hash of a user who signs in only through a federation. */
    removeAttributes: async (userId: string, names: string[]): Promise<void> => {
      await raw.send(new UpdateCommand({
        TableName: table,
        Key: itemKey(usersLayout, userId),
        UpdateExpression: `REMOVE ${names.map((_, i) => `#n${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, usersLayout.attributes[n as UserAttribute] ?? n])),
      }));
    },
    /** Neighbouring items that are no longer exactly as seeded (should always be none). */
    changedNeighbours: async (): Promise<unknown[]> => {
      const { Items = [] } = await raw.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
      const now = new Map(Items.map((item) => [keyOf(item), item]));
      return [...neighbours].filter(([key, item]) => !isDeepStrictEqual(now.get(key), item)).map(([key]) => key);
    },
    /** Deletes the user's record (its whole key). */
    deleteUser: async (userId: string): Promise<void> => {
      await raw.send(new DeleteCommand({ TableName: table, Key: itemKey(usersLayout, userId) }));
    },
    stop: dynamo.stop,
  };
};

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/**
 * One harness for a test file, started before its tests and stopped after them, with a clock the
 * tests move by hand (an hour back by default, so tokens minted now are newer than any change it
 * stamps) that is put back before each test. `h` may be used in tests and hooks, not at import.
 * `layout`: the table layout (tests/support/layouts.ts), default today's; `env`: other variables.
 */
export const useHarness = (
  overrides: Partial<HandlerDeps> = {},
  { clockOffsetMs = -3_600_000, layout = DEFAULT_TABLE_LAYOUT, env = {} }: { clockOffsetMs?: number; layout?: LayoutFixture; env?: Record<string, string> } = {},
) => {
  const clock = testClock(clockOffsetMs);
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness({ clock: clock.now, ...overrides }, layout, env);
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
