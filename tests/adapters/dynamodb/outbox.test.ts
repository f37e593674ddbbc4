import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lib/adapters/dynamodb/client.js';
import { DynamoOutbox, pendingEventsOf } from '../../../lib/adapters/dynamodb/outbox.js';
import { DEFAULT_LAYOUT } from '../../../lib/adapters/dynamodb/table-layout.js';
import type { PendingEvent } from '../../../lib/core/password-changed.js';
import { ensureUsersTable, startEmbeddedDynamo } from '../../../scripts/local/dynamodb.js';
import { rawDocumentClient } from '../../support/harness.js';

/** The outbox on the users table, through the real SDK client against a real DynamoDB API server (dynalite). */
const TABLE = 'outbox';

let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
let raw: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  await ensureUsersTable(dynamo.endpoint, TABLE);
  raw = rawDocumentClient(dynamo.endpoint);
});
afterAll(() => dynamo.stop());

const event = (userId: string, changeId: string): PendingEvent => ({ changeId, userId, changedAt: '2026-12-07T05:00:00.000Z', region: 'eu-west-1' });
const seed = async (userId: string, pending: unknown[]) => {
  await raw.send(new PutCommand({ TableName: TABLE, Item: { userId, passwordHash: 'h', pendingPasswordChanged: pending } }));
};
const pendingOn = async (userId: string) => (await raw.send(new GetCommand({ TableName: TABLE, Key: { userId }, ConsistentRead: true }))).Item?.pendingPasswordChanged as unknown[];

/**
 * An outbox whose client records every call's input; `beforeUpdate` runs before each conditional
 * clear is sent (another writer moving the list, or a fault the server cannot give on demand).
 */
const recordedOutbox = (beforeUpdate?: (round: number) => Promise<void>) => {
  const doc = createDocumentClient({ endpoint: dynamo.endpoint });
  const calls: Record<string, unknown>[] = [];
  let updates = 0;
  doc.middlewareStack.add((next) => async (args) => {
    calls.push(args.input as Record<string, unknown>);
    if ('UpdateExpression' in args.input) await beforeUpdate?.(updates++);
    return next(args);
  }, { step: 'initialize', name: 'record' });
  return { outbox: new DynamoOutbox(doc, TABLE, DEFAULT_LAYOUT), calls };
};
const updatesOf = (calls: Record<string, unknown>[]) => calls.filter((call) => 'UpdateExpression' in call);

describe('pendingEventsOf', () => {
  it('keeps, in order, only the entries with a string change id, user, time and Region', () => {
    const a = event('u', 'a');
    const b = event('u', 'b');
    const item = { pendingPasswordChanged: [a, null, 'a', { ...a, region: 1 }, { changeId: 'c', userId: 'u' }, { ...a, changedAt: undefined }, b] };

    expect(pendingEventsOf(item, DEFAULT_LAYOUT)).toEqual([a, b]);
  });

  it('reads no event from no item, or from an attribute that is not a list', () => {
    expect(pendingEventsOf(undefined, DEFAULT_LAYOUT)).toEqual([]);
    expect(pendingEventsOf({ pendingPasswordChanged: 'a' }, DEFAULT_LAYOUT)).toEqual([]);
    expect(pendingEventsOf({}, DEFAULT_LAYOUT)).toEqual([]);
  });
});

describe('DynamoOutbox', () => {
  it('reads the pending events with a strongly consistent, projected GetItem', async () => {
    await seed('reader', [event('reader', 'a')]);
    const { outbox, calls } = recordedOutbox();

    expect(await outbox.pending('reader')).toEqual([event('reader', 'a')]);

    expect(calls).toEqual([{ TableName: TABLE, Key: { userId: 'reader' }, ConsistentRead: true, ProjectionExpression: '#pending', ExpressionAttributeNames: { '#pending': 'pendingPasswordChanged' } }]);
  });

  it('sends nothing for a user id no key can hold', async () => {
    const { outbox, calls } = recordedOutbox();
    const tooLong = 'x'.repeat(3000);

    expect(await outbox.pending(tooLong)).toEqual([]);
    await outbox.clear(tooLong, 'a');

    expect(calls).toEqual([]);
  });

  it('clears the event again when another write moved the list between its read and its write', async () => {
    const userId = 'moved-once';
    await seed(userId, [event(userId, 'a')]);
    const { outbox, calls } = recordedOutbox(async (round) => {
      if (round === 0) await seed(userId, [event(userId, 'newer'), event(userId, 'a')]);
    });

    await outbox.clear(userId, 'a');

    expect(await pendingOn(userId)).toEqual([event(userId, 'newer')]);
    expect(updatesOf(calls).map((call) => call.UpdateExpression)).toEqual(['REMOVE #pending[0]', 'REMOVE #pending[1]']);
  });

  it('gives up after three rounds when the list keeps moving, leaving the event for the next relay', async () => {
    const userId = 'always-moving';
    await seed(userId, [event(userId, 'a')]);
    const { outbox, calls } = recordedOutbox(async (round) => {
      await seed(userId, [...Array.from({ length: round + 1 }, (_, i) => event(userId, `newer-${i}`)), event(userId, 'a')]);
    });

    await expect(outbox.clear(userId, 'a')).rejects.toThrow(new Error('pending event kept moving; left for the next relay'));

    expect(updatesOf(calls)).toHaveLength(3);
    expect((await pendingOn(userId)).at(-1)).toEqual(event(userId, 'a'));
  });

  it('passes on any other failure of the clear at once', async () => {
    const userId = 'failing';
    await seed(userId, [event(userId, 'a')]);
    const outage = new Error('connection reset');
    const { outbox, calls } = recordedOutbox(() => Promise.reject(outage));

    await expect(outbox.clear(userId, 'a')).rejects.toBe(outage);

    expect(updatesOf(calls)).toHaveLength(1);
  });

  it('lists, with a strongly consistent scan, each user whose record holds a pending event, skipping records holding none', async () => {
    await seed('sweep-a', [event('sweep-a', 'a')]);
    await seed('sweep-junk', ['not an event']);
    await raw.send(new UpdateCommand({ TableName: TABLE, Key: { userId: 'sweep-empty' }, UpdateExpression: 'SET pendingPasswordChanged = :none', ExpressionAttributeValues: { ':none': [] } }));
    const { outbox, calls } = recordedOutbox();

    const users: string[] = [];
    for await (const userId of outbox.usersWithPending()) users.push(userId);

    expect(users).toContain('sweep-a');
    expect(users.filter((userId) => userId.startsWith('sweep-'))).toEqual(['sweep-a']);
    expect(users.every((userId) => typeof userId === 'string')).toBe(true);
    expect(calls[0]).toMatchObject({ TableName: TABLE, ConsistentRead: true, FilterExpression: 'size(#pending) > :none' });
  });
});
