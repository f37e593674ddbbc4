import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lib/adapters/dynamodb/client.js';
import { DynamoSessionStore } from '../../../lib/adapters/dynamodb/session-store.js';
import { parseTableLayout } from '../../../lib/adapters/dynamodb/table-layout.js';
import { ensureUsersTable, startEmbeddedDynamo } from '../../../scripts/local/dynamodb.js';
import { dynamoError, startCannedServer } from '../../support/fault-servers.js';
import { rawDocumentClient } from '../../support/harness.js';
import { appErrorOf } from '../../support/rejection.js';

/** The token authorizer's read, through the real SDK client against a real DynamoDB API server (dynalite). */
const TABLE = 'sessions';
const RENAMED_TABLE = 'sessions-renamed';
const RENAMED = parseTableLayout({ USERS_KEY: 'pk=USER#{sub},sk=PROFILE', USERS_ATTRIBUTE_NAMES: 'passwordChangedAt=pwdAt,passwordChangedBySession=pwdBy' });

let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
let raw: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  await ensureUsersTable(dynamo.endpoint, TABLE);
  await ensureUsersTable(dynamo.endpoint, RENAMED_TABLE, RENAMED);
  raw = rawDocumentClient(dynamo.endpoint);
});
afterAll(() => dynamo.stop());

/** A store whose client records the input of every call it sends. */
const recordedStore = (table = TABLE, layout?: typeof RENAMED) => {
  const doc = createDocumentClient({ endpoint: dynamo.endpoint });
  const calls: Record<string, unknown>[] = [];
  doc.middlewareStack.add((next) => (args) => {
    calls.push(args.input as Record<string, unknown>);
    return next(args);
  }, { step: 'initialize', name: 'record' });
  return { store: new DynamoSessionStore(doc, table, layout), calls };
};

describe('sessionState', () => {
  it('reads the change time and session with one strongly consistent, projected GetItem', async () => {
    await raw.send(new PutCommand({ TableName: TABLE, Item: { userId: 'ana', passwordHash: 'h', passwordChangedAt: '2026-11-27T10:00:00.000Z', passwordChangedBySession: 'sid-a', email: 'ana@example.org' } }));
    const { store, calls } = recordedStore();

    expect(await store.sessionState('ana')).toEqual({ passwordChangedAt: '2026-11-27T10:00:00.000Z', passwordChangedBySession: 'sid-a' });
    expect(calls).toEqual([{
      TableName: TABLE,
      Key: { userId: 'ana' },
      ConsistentRead: true,
      ProjectionExpression: '#key, #at, #by',
      ExpressionAttributeNames: { '#key': 'userId', '#at': 'passwordChangedAt', '#by': 'passwordChangedBySession' },
    }]);
  });

  it('tells a user who never changed (a record without either attribute, or with values of another type) from no user', async () => {
    await raw.send(new PutCommand({ TableName: TABLE, Item: { userId: 'never', passwordHash: 'h' } }));
    await raw.send(new PutCommand({ TableName: TABLE, Item: { userId: 'odd', passwordChangedAt: 42, passwordChangedBySession: { sid: 'x' } } }));
    const { store } = recordedStore();

    expect(await store.sessionState('never')).toEqual({ passwordChangedAt: undefined, passwordChangedBySession: undefined });
    expect(await store.sessionState('odd')).toEqual({ passwordChangedAt: undefined, passwordChangedBySession: undefined });
    expect(await store.sessionState('nobody')).toBeUndefined();
  });

  it('addresses the whole key and the renamed attributes of the configured layout', async () => {
    await raw.send(new PutCommand({ TableName: RENAMED_TABLE, Item: { pk: 'USER#bo', sk: 'PROFILE', pwdAt: '2026-11-27T10:00:00.000Z', pwdBy: 'sid-b' } }));
    await raw.send(new PutCommand({ TableName: RENAMED_TABLE, Item: { pk: 'USER#bo', sk: 'SETTINGS', pwdAt: 'not this item' } }));
    const { store } = recordedStore(RENAMED_TABLE, RENAMED);

    expect(await store.sessionState('bo')).toEqual({ passwordChangedAt: '2026-11-27T10:00:00.000Z', passwordChangedBySession: 'sid-b' });
  });

  it('answers no user, without a call, for a subject no key can hold', async () => {
    const { store, calls } = recordedStore();
    expect(await store.sessionState('x'.repeat(2049))).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it.each([
    ['fails (500)', dynamoError('InternalServerError', 'Internal server error', 500), 'SERVICE_UNAVAILABLE', { dependency: 'dynamodb', name: 'InternalServerError', status: 500 }],
    ['refuses the request itself (ValidationException)', dynamoError('ValidationException', 'One or more parameter values were invalid'), 'INTERNAL', { dependency: 'dynamodb', name: 'ValidationException', status: 400 }],
  ])('rejects when DynamoDB %s: %s, with the error name and status in the cause', async (_case, answer, key, cause) => {
    const server = await startCannedServer(answer);
    try {
      const store = new DynamoSessionStore(createDocumentClient({ endpoint: server.endpoint }), TABLE);
      const error = await appErrorOf(store.sessionState('anyone'));
      expect(error.key).toBe(key);
      expect(error.cause).toEqual(cause);
    } finally {
      await server.stop();
    }
  });
});

describe('sessionState where changes may keep the other sessions (OTHER_SESSIONS_ON_CHANGE=user-choice)', () => {
  it('reads the recorded not-before too, under its configured name', async () => {
    await raw.send(new PutCommand({ TableName: TABLE, Item: { userId: 'kept', passwordChangedAt: '2026-11-27T10:00:00.000Z', tokensValidFrom: '1970-01-01T00:00:00.000Z', passwordChangedBySession: 'sid-a' } }));
    const renamed = parseTableLayout({ USERS_KEY: 'userId={sub}', USERS_ATTRIBUTE_NAMES: 'tokensValidFrom=validFrom' });
    await raw.send(new PutCommand({ TableName: TABLE, Item: { userId: 'renamed', passwordChangedAt: '2026-11-27T10:00:00.000Z', validFrom: '2026-11-01T00:00:00.000Z' } }));
    const doc = createDocumentClient({ endpoint: dynamo.endpoint });

    expect(await new DynamoSessionStore(doc, TABLE, undefined, { keptSessions: true }).sessionState('kept')).toEqual({ passwordChangedAt: '2026-11-27T10:00:00.000Z', tokensValidFrom: '1970-01-01T00:00:00.000Z', passwordChangedBySession: 'sid-a' });
    expect((await new DynamoSessionStore(doc, TABLE, renamed, { keptSessions: true }).sessionState('renamed'))?.tokensValidFrom).toBe('2026-11-01T00:00:00.000Z');
    // Without the option every change ended the sessions: the recorded not-before is not read.
    expect(await new DynamoSessionStore(doc, TABLE).sessionState('kept')).not.toHaveProperty('tokensValidFrom');
  });
});
