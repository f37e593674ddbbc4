import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lib/adapters/dynamodb/client.js';
import { DEFAULT_LAYOUT, WRITTEN_ATTRIBUTES } from '../../../lib/adapters/dynamodb/table-layout.js';
import { DynamoUserStore } from '../../../lib/adapters/dynamodb/user-store.js';
import { ensureUsersTable, startEmbeddedDynamo } from '../../../scripts/local/dynamodb.js';
import { dynamoError, startCannedServer } from '../../support/fault-servers.js';
import { rawDocumentClient } from '../../support/harness.js';
import { appErrorOf } from '../../support/rejection.js';

/**
 * The DynamoDB user store alone, through the real SDK client against a real DynamoDB API server
 * (dynalite). What no server does on demand, another request's write landing between two of this
 * one's calls, is made by a step added to the client's own middleware stack, which runs a write
 * through a second client just before the chosen call goes out, and records every call sent.
 */
const TABLE = 'users';
const LIMITS = { maxAttempts: 5, windowSeconds: 900 };
const NOW_SECONDS = 1_800_000_000;
const NOW = new Date(NOW_SECONDS * 1000);
/** The newest window start that has ended at NOW. */
const EXPIRED = NOW_SECONDS - LIMITS.windowSeconds;

let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
let raw: DynamoDBDocumentClient;
let userCounter = 0;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  await ensureUsersTable(dynamo.endpoint, TABLE);
  raw = rawDocumentClient(dynamo.endpoint);
});
afterAll(() => dynamo.stop());

/** A call the store sent: the operation and its input as the SDK got it. */
interface Call {
  operation: string;
  input: Record<string, unknown>;
}

/**
 * A store on a real client. `before` runs just before each call goes out (with the calls sent
 * so far); `calls` lists every call sent.
 */
const recordedStore = (before: (call: Call, sent: readonly Call[]) => Promise<void> = () => Promise.resolve()) => {
  const doc = createDocumentClient({ endpoint: dynamo.endpoint });
  const calls: Call[] = [];
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const call = { operation: String(context.commandName).replace(/Command$/, ''), input: args.input as Record<string, unknown> };
      await before(call, [...calls]);
      calls.push(call);
      return next(args);
    },
    { step: 'initialize', name: 'recordAndInterleave' },
  );
  return { store: new DynamoUserStore(doc, TABLE), calls };
};

const operations = (calls: readonly Call[]) => calls.map((c) => c.operation);

/** Writes a user record as it stands in the table; returns its id. */
const seed = async (attributes: Record<string, unknown> = {}): Promise<string> => {
  const userId = `store-user-${++userCounter}`;
  await raw.send(new PutCommand({ TableName: TABLE, Item: { userId, passwordHash: 'stored-hash', ...attributes } }));
  return userId;
};
const item = async (userId: string) => (await raw.send(new GetCommand({ TableName: TABLE, Key: { userId }, ConsistentRead: true }))).Item;
/** Sets the brute-force counter as another request's write would. */
const setCounter = (userId: string, attempts: number, since: number) =>
  raw.send(new PutCommand({ TableName: TABLE, Item: { userId, passwordHash: 'stored-hash', oldPasswordAttempts: attempts, oldPasswordAttemptsSince: since } }));

describe('beginAttempt', () => {
  it('starts a window with the first attempt, in one write that also reads the record', async () => {
    // Arrange
    const userId = await seed({ passwordChangedAt: '2026-01-01T00:00:00.000Z', passwordHistory: ['old-hash'], email: 'ana@example.org' });
    const { store, calls } = recordedStore();

    // Act
    const attempt = await store.beginAttempt(userId, NOW, LIMITS);

    // Assert
    expect(attempt).toEqual({
      user: { userId, passwordHash: 'stored-hash', passwordChangedAt: '2026-01-01T00:00:00.000Z', passwordHistory: ['old-hash'], attributes: ['ana@example.org'], mfaEnrolled: false },
      windowStart: NOW_SECONDS,
    });
    expect(operations(calls)).toEqual(['UpdateItem']);
    expect(await item(userId)).toMatchObject({ oldPasswordAttempts: 1, oldPasswordAttemptsSince: NOW_SECONDS });
  });

  it('counts an attempt in the running window, which it names by its start', async () => {
    // Arrange
    const userId = await seed({ oldPasswordAttempts: 3, oldPasswordAttemptsSince: EXPIRED + 1 });
    const { store } = recordedStore();

    // Act
    const attempt = await store.beginAttempt(userId, NOW, LIMITS);

    // Assert
    expect(attempt.windowStart).toBe(EXPIRED + 1);
    expect(await item(userId)).toMatchObject({ oldPasswordAttempts: 4, oldPasswordAttemptsSince: EXPIRED + 1 });
  });

  it('starts a new window once the last one has ended (its start is windowSeconds ago)', async () => {
    // Arrange
    const userId = await seed({ oldPasswordAttempts: 5, oldPasswordAttemptsSince: EXPIRED });
    const { store } = recordedStore();

    // Act
    const attempt = await store.beginAttempt(userId, NOW, LIMITS);

    // Assert
    expect(attempt.windowStart).toBe(NOW_SECONDS);
    expect(await item(userId)).toMatchObject({ oldPasswordAttempts: 1, oldPasswordAttemptsSince: NOW_SECONDS });
  });

  it('refuses an attempt over the limit with the seconds left in the window, writing nothing', async () => {
    // Arrange: the window started 100 s ago
    const userId = await seed({ oldPasswordAttempts: 5, oldPasswordAttemptsSince: NOW_SECONDS - 100 });
    const { store, calls } = recordedStore();

    // Act
    const error = await appErrorOf(store.beginAttempt(userId, NOW, LIMITS));

    // Assert
    expect(error.key).toBe('TOO_MANY_ATTEMPTS');
    expect(error.retryAfterSeconds).toBe(800);
    expect(operations(calls)).toEqual(['UpdateItem', 'UpdateItem', 'GetItem']);
    expect(await item(userId)).toMatchObject({ oldPasswordAttempts: 5, oldPasswordAttemptsSince: NOW_SECONDS - 100 });
  });

  it('answers ENTITY_NOT_FOUND for a user without a record, and creates none', async () => {
    // Arrange
    const { store } = recordedStore();

    // Act
    const error = await appErrorOf(store.beginAttempt('nobody-here', NOW, LIMITS));

    // Assert
    expect(error.key).toBe('ENTITY_NOT_FOUND');
    expect(await item('nobody-here')).toBeUndefined();
  });

  it('answers ENTITY_NOT_FOUND, without calling DynamoDB, for a subject too long to be a key', async () => {
    // Arrange
    const { store, calls } = recordedStore();

    // Act
    const error = await appErrorOf(store.beginAttempt('u'.repeat(2049), NOW, LIMITS));

    // Assert
    expect(error.key).toBe('ENTITY_NOT_FOUND');
    expect(error.cause).toEqual({ reason: 'key over DynamoDB limits' });
    expect(calls).toEqual([]);
  });

  describe('when another request writes between its calls', () => {
    it('goes round again when the window ended between the two writes, and starts a new one', async () => {
      // Arrange: a full window running at the first write; before the second, it has ended
      const userId = await seed({ oldPasswordAttempts: 5, oldPasswordAttemptsSince: NOW_SECONDS - 10 });
      const { store, calls } = recordedStore(async (_call, sent) => {
        if (sent.length === 1) await setCounter(userId, 5, EXPIRED);
      });

      // Act
      const attempt = await store.beginAttempt(userId, NOW, LIMITS);

      // Assert
      expect(attempt.windowStart).toBe(NOW_SECONDS);
      expect(operations(calls)).toEqual(['UpdateItem', 'UpdateItem', 'GetItem', 'UpdateItem']);
      expect(await item(userId)).toMatchObject({ oldPasswordAttempts: 1, oldPasswordAttemptsSince: NOW_SECONDS });
    });

    it('goes round again when an attempt was given back before its read, and counts it in the running window', async () => {
      // Arrange: a full window; after both writes failed, another request gives one attempt back
      const since = NOW_SECONDS - 10;
      const userId = await seed({ oldPasswordAttempts: 5, oldPasswordAttemptsSince: since });
      const { store, calls } = recordedStore(async (_call, sent) => {
        if (sent.length === 2) await setCounter(userId, 4, since);
      });

      // Act
      const attempt = await store.beginAttempt(userId, NOW, LIMITS);

      // Assert
      expect(attempt.windowStart).toBe(since);
      expect(operations(calls)).toEqual(['UpdateItem', 'UpdateItem', 'GetItem', 'UpdateItem', 'UpdateItem']);
      expect(await item(userId)).toMatchObject({ oldPasswordAttempts: 5, oldPasswordAttemptsSince: since });
    });

    it('goes round again when a change cleared the counter between the writes', async () => {
      // Arrange: a full window; a successful change removes the counter before the second write
      const userId = await seed({ oldPasswordAttempts: 5, oldPasswordAttemptsSince: NOW_SECONDS - 10 });
      const { store } = recordedStore(async (_call, sent) => {
        if (sent.length === 1) await raw.send(new PutCommand({ TableName: TABLE, Item: { userId, passwordHash: 'changed-hash' } }));
      });

      // Act
      const attempt = await store.beginAttempt(userId, NOW, LIMITS);

      // Assert
      expect(attempt).toMatchObject({ user: { passwordHash: 'changed-hash' }, windowStart: NOW_SECONDS });
    });

    it('gives up with 503 after three rounds when the window keeps ending between the writes', async () => {
      // Arrange: before every first write a full window is running; before every second, it has ended
      const userId = await seed();
      const { store, calls } = recordedStore(async (call) => {
        if (call.operation !== 'UpdateItem') return;
        const fresh = String(call.input.UpdateExpression).includes(':now');
        await setCounter(userId, 5, fresh ? NOW_SECONDS - 10 : EXPIRED);
      });

      // Act
      const error = await appErrorOf(store.beginAttempt(userId, NOW, LIMITS));

      // Assert
      expect(error.key).toBe('SERVICE_UNAVAILABLE');
      expect(error.cause).toEqual({ dependency: 'dynamodb', reason: 'attempt counter kept moving' });
      expect(operations(calls)).toEqual(Array.from({ length: 3 }, () => ['UpdateItem', 'UpdateItem', 'GetItem']).flat());
    });
  });
});

describe('the credentials read', () => {
  it('keeps only string values: a non-string hash or date is absent, non-string history entries are dropped', async () => {
    // Arrange: data another writer left in unexpected shapes
    const userId = await seed({ passwordHash: 42, passwordChangedAt: { at: 'yesterday' }, passwordHistory: ['h1', 7, null, 'h2'] });
    const { store } = recordedStore();

    // Act
    const { user } = await store.beginAttempt(userId, NOW, LIMITS);

    // Assert
    expect(user).toEqual({ userId, passwordHash: undefined, passwordChangedAt: undefined, passwordHistory: ['h1', 'h2'], attributes: [], mfaEnrolled: false });
  });

  it('reads a history that is not a list as none', async () => {
    // Arrange
    const userId = await seed({ passwordHistory: 'h1' });
    const { store } = recordedStore();

    // Act
    const { user } = await store.beginAttempt(userId, NOW, LIMITS);

    // Assert
    expect(user.passwordHistory).toEqual([]);
  });

  it('hands the policy the non-empty string personal attributes, in their order', async () => {
    // Arrange
    const userId = await seed({ email: '', username: 'ana', name: 99, displayName: 'Ana Lima', nickname: 'not-read' });
    const { store } = recordedStore();

    // Act
    const { user } = await store.beginAttempt(userId, NOW, LIMITS);

    // Assert
    expect(user.attributes).toEqual(['ana', 'Ana Lima']);
  });
});

describe('beginAttempt for a token without the second factor (refuseMfaEnrolled)', () => {
  const REFUSE = { refuseMfaEnrolled: true };

  it.each([
    ['the boolean true', true, true],
    ['false', false, false],
    ['the string "true"', 'true', false],
    ['the number 1', 1, false],
    ['a list holding true', [true], false],
  ])('reads mfaEnrolled holding %s as enrolled = %s', async (_case, stored, enrolled) => {
    // Arrange: a locked-out user, so the read that decides the answer is the store's own
    const userId = await seed({ mfaEnrolled: stored, oldPasswordAttempts: 5, oldPasswordAttemptsSince: NOW_SECONDS - 100 });
    const { store } = recordedStore();

    // Act
    const error = await appErrorOf(store.beginAttempt(userId, NOW, LIMITS, REFUSE));

    // Assert: an enrolled user is refused for the factor before the lockout
    expect(error.key).toBe(enrolled ? 'MFA_REQUIRED' : 'TOO_MANY_ATTEMPTS');
  });

  it('refuses nobody for enrolment when no refusal is asked for: an enrolled, locked-out user gets TOO_MANY_ATTEMPTS', async () => {
    // Arrange
    const userId = await seed({ mfaEnrolled: true, oldPasswordAttempts: 5, oldPasswordAttemptsSince: NOW_SECONDS - 100 });

    // Act / Assert
    expect((await appErrorOf(recordedStore().store.beginAttempt(userId, NOW, LIMITS))).key).toBe('TOO_MANY_ATTEMPTS');
  });

  it('returns the enrolment with the record when no refusal is asked for', async () => {
    // Arrange
    const enrolled = await seed({ mfaEnrolled: true });
    const { store } = recordedStore();

    // Act / Assert
    expect((await store.beginAttempt(enrolled, NOW, LIMITS)).user.mfaEnrolled).toBe(true);
    expect((await store.beginAttempt(await seed({ mfaEnrolled: 'true' }), NOW, LIMITS)).user.mfaEnrolled).toBe(false);
  });

  it.each([
    ['no window running', {}],
    ['a window running', { oldPasswordAttempts: 2, oldPasswordAttemptsSince: NOW_SECONDS - 100 }],
    ['the window used up', { oldPasswordAttempts: 5, oldPasswordAttemptsSince: NOW_SECONDS - 100 }],
  ])('refuses an enrolled user with %s: MFA_REQUIRED mfaRequired, the counter untouched', async (_case, counter) => {
    // Arrange
    const userId = await seed({ mfaEnrolled: true, ...counter });
    const before = await item(userId);
    const { store, calls } = recordedStore();

    // Act
    const error = await appErrorOf(store.beginAttempt(userId, NOW, LIMITS, REFUSE));

    // Assert: both conditional writes fail, the read tells why
    expect(error.key).toBe('MFA_REQUIRED');
    expect(error.details).toEqual({ reason: 'mfaRequired' });
    expect(operations(calls)).toEqual(['UpdateItem', 'UpdateItem', 'GetItem']);
    expect(await item(userId)).toEqual(before);
  });

  it('takes an attempt from a user who is not enrolled, in one write, as without the option', async () => {
    // Arrange
    const fresh = await seed();
    const counting = await seed({ mfaEnrolled: false, oldPasswordAttempts: 2, oldPasswordAttemptsSince: NOW_SECONDS - 100 });
    const { store, calls } = recordedStore();

    // Act
    const first = await store.beginAttempt(fresh, NOW, LIMITS, REFUSE);
    const second = await store.beginAttempt(counting, NOW, LIMITS, REFUSE);

    // Assert
    expect([first.windowStart, second.windowStart]).toEqual([NOW_SECONDS, NOW_SECONDS - 100]);
    expect(operations(calls)).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem']);
    expect(await item(fresh)).toMatchObject({ oldPasswordAttempts: 1 });
    expect(await item(counting)).toMatchObject({ oldPasswordAttempts: 3 });
  });

  it('answers ENTITY_NOT_FOUND for a user without a record', async () => {
    expect((await appErrorOf(recordedStore().store.beginAttempt('nobody-here', NOW, LIMITS, REFUSE))).key).toBe('ENTITY_NOT_FOUND');
  });

  it('reads the enrolment from the attribute the layout names', async () => {
    // Arrange: the enrolment stored under another name; the default name holds true but is not read
    const userId = `store-user-${++userCounter}`;
    await raw.send(new PutCommand({ TableName: TABLE, Item: { userId, passwordHash: 'stored-hash', hasMfa: true, mfaEnrolled: false } }));
    const other = `store-user-${++userCounter}`;
    await raw.send(new PutCommand({ TableName: TABLE, Item: { userId: other, passwordHash: 'stored-hash', hasMfa: false, mfaEnrolled: true } }));
    const store = new DynamoUserStore(createDocumentClient({ endpoint: dynamo.endpoint }), TABLE, { ...DEFAULT_LAYOUT, attributes: { ...DEFAULT_LAYOUT.attributes, mfaEnrolled: 'hasMfa' } });

    // Act / Assert
    expect((await appErrorOf(store.beginAttempt(userId, NOW, LIMITS, REFUSE))).key).toBe('MFA_REQUIRED');
    expect((await store.beginAttempt(other, NOW, LIMITS, REFUSE)).user.mfaEnrolled).toBe(false);
  });
});

describe('releaseAttempt', () => {
  it('gives back one attempt of the window it was taken in', async () => {
    // Arrange
    const userId = await seed({ oldPasswordAttempts: 3, oldPasswordAttemptsSince: NOW_SECONDS });
    const { store } = recordedStore();

    // Act
    await store.releaseAttempt(userId, NOW_SECONDS);

    // Assert
    expect(await item(userId)).toMatchObject({ oldPasswordAttempts: 2, oldPasswordAttemptsSince: NOW_SECONDS });
  });

  it('leaves the counter of a newer window, and a counter at zero, as they are', async () => {
    // Arrange
    const [newer, zero] = await Promise.all([
      seed({ oldPasswordAttempts: 3, oldPasswordAttemptsSince: NOW_SECONDS + 5 }),
      seed({ oldPasswordAttempts: 0, oldPasswordAttemptsSince: NOW_SECONDS }),
    ]);
    const { store } = recordedStore();

    // Act
    await store.releaseAttempt(newer, NOW_SECONDS);
    await store.releaseAttempt(zero, NOW_SECONDS);

    // Assert
    expect(await item(newer)).toMatchObject({ oldPasswordAttempts: 3 });
    expect(await item(zero)).toMatchObject({ oldPasswordAttempts: 0 });
  });
});

describe('replacePasswordHash', () => {
  const change = (userId: string, newHash = 'new-hash') => ({ userId, expectedHash: 'stored-hash', newHash, changedAt: NOW, history: ['stored-hash'] });

  it('swaps the hash over the expected one in a single write, clearing the counter and leaving other attributes', async () => {
    // Arrange
    const userId = await seed({ oldPasswordAttempts: 2, oldPasswordAttemptsSince: NOW_SECONDS, email: 'ana@example.org' });
    const { store, calls } = recordedStore();

    // Act
    await store.replacePasswordHash(change(userId));

    // Assert
    expect(operations(calls)).toEqual(['UpdateItem']);
    expect(await item(userId)).toEqual({ userId, passwordHash: 'new-hash', passwordChangedAt: NOW.toISOString(), passwordHistory: ['stored-hash'], email: 'ana@example.org' });
  });

  it('records the changing token’s session, and removes a recorded one when the change has none', async () => {
    // Arrange
    const userId = await seed({ passwordChangedBySession: 'sid-older' });
    const { store } = recordedStore();

    // Act / Assert: a session that is not the older one's
    await store.replacePasswordHash({ ...change(userId), sessionId: 'sid-new' });
    expect((await item(userId))?.passwordChangedBySession).toBe('sid-new');

    // Act / Assert: no session, so no earlier one may keep its tokens
    await store.replacePasswordHash({ ...change(userId, 'newer-hash'), expectedHash: 'new-hash' });
    expect(await item(userId)).not.toHaveProperty('passwordChangedBySession');
  });

  it('decides a write whose condition failed with a strongly consistent read: its own hash already there is success', async () => {
    // Arrange: this change's hash landed before its write (a retried call whose answer was lost)
    const userId = await seed();
    const { store, calls } = recordedStore(async (call) => {
      if (call.operation === 'UpdateItem') await raw.send(new PutCommand({ TableName: TABLE, Item: { userId, passwordHash: 'new-hash' } }));
    });

    // Act
    await store.replacePasswordHash(change(userId));

    // Assert: an eventually consistent read could miss that hash and answer 409 for a change that happened
    expect(operations(calls)).toEqual(['UpdateItem', 'GetItem']);
    expect(calls[1]?.input).toEqual({ TableName: TABLE, Key: { userId }, ConsistentRead: true });
  });

  it('answers CONCURRENT_CHANGE when another hash won, and ENTITY_NOT_FOUND when the record is gone', async () => {
    // Arrange
    const raced = await seed({ passwordHash: 'other-hash' });
    const gone = 'store-user-gone';
    const { store } = recordedStore();

    // Act / Assert
    expect((await appErrorOf(store.replacePasswordHash(change(raced)))).key).toBe('CONCURRENT_CHANGE');
    expect((await appErrorOf(store.replacePasswordHash(change(gone)))).key).toBe('ENTITY_NOT_FOUND');
    expect(await item(gone)).toBeUndefined();
  });
});

describe('failures', () => {
  it.each([
    ['fails (500)', dynamoError('InternalServerError', 'Internal server error', 500), 'SERVICE_UNAVAILABLE', { dependency: 'dynamodb', name: 'InternalServerError', status: 500 }],
    ['refuses the request itself (ValidationException)', dynamoError('ValidationException', 'One or more parameter values were invalid'), 'INTERNAL', { dependency: 'dynamodb', name: 'ValidationException', status: 400 }],
  ])('when DynamoDB %s: %s, with the error name and status in the cause', async (_case, answer, key, cause) => {
    // Arrange
    const server = await startCannedServer(answer);
    try {
      const store = new DynamoUserStore(createDocumentClient({ endpoint: server.endpoint }), TABLE);

      // Act
      const error = await appErrorOf(store.beginAttempt('anyone', NOW, LIMITS));

      // Assert
      expect(error.key).toBe(key);
      expect(error.cause).toEqual(cause);
    } finally {
      await server.stop();
    }
  });

  it.each([
    ['an error without DynamoDB metadata', () => new TypeError('middleware failed'), { dependency: 'dynamodb', name: 'TypeError', status: undefined }],
    // Typed as an Error only so that it may be thrown: it is a plain string.
    ['something that is not an Error', () => 'not an error' as unknown as Error, { dependency: 'dynamodb', name: 'UnknownError', status: undefined }],
  ])('answers SERVICE_UNAVAILABLE when the client throws %s', async (_case, thrown, cause) => {
    // Arrange: the fault comes from the client's own stack, before any request is sent
    const { store } = recordedStore(() => Promise.reject(thrown()));

    // Act
    const error = await appErrorOf(store.beginAttempt('anyone', NOW, LIMITS));

    // Assert
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    expect(error.cause).toEqual(cause);
  });
});

describe('the table layout', () => {
  it('declares as written exactly the attributes its writes set or remove (the configuration keeps them out of the key)', async () => {
    // Arrange
    const userId = await seed();
    const { store, calls } = recordedStore();

    // Act: every kind of write
    const { windowStart } = await store.beginAttempt(userId, NOW, LIMITS);
    await store.beginAttempt(userId, NOW, LIMITS);
    await store.releaseAttempt(userId, windowStart);
    await store.replacePasswordHash({ userId, expectedHash: 'stored-hash', newHash: 'new-hash', changedAt: NOW, history: [], event: { changeId: 'c1', userId, changedAt: NOW.toISOString(), region: 'eu-west-1' } });

    // Assert
    const updates = calls.filter((c) => c.operation === 'UpdateItem');
    const written = new Set(updates.flatMap((c) => String(c.input.UpdateExpression).match(/#\w+/g) ?? []).map((alias) => alias.slice(1)));
    expect([...written].sort()).toEqual([...WRITTEN_ATTRIBUTES].sort());
  });

  it('needs a partition key', () => {
    // Act / Assert
    expect(() => new DynamoUserStore(createDocumentClient({ endpoint: dynamo.endpoint }), TABLE, { ...DEFAULT_LAYOUT, key: [] })).toThrow(
      new TypeError('a table layout names at least its partition key'),
    );
  });
});

describe('replacePasswordHash when the user keeps the other sessions', () => {
  it('records the not-before it is given and leaves the recorded session alone; a later change that ends them removes it', async () => {
    // Arrange
    const userId = await seed({ passwordChangedBySession: 'sid-older' });
    const { store } = recordedStore();
    const change = { userId, expectedHash: 'stored-hash', newHash: 'new-hash', changedAt: NOW, history: ['stored-hash'] };

    // Act / Assert
    await store.replacePasswordHash({ ...change, sessionId: 'sid-new', keptSessions: { tokensValidFrom: '2026-01-01T00:00:00.000Z' } });
    expect(await item(userId)).toMatchObject({ passwordHash: 'new-hash', passwordChangedAt: NOW.toISOString(), tokensValidFrom: '2026-01-01T00:00:00.000Z', passwordChangedBySession: 'sid-older' });

    await store.replacePasswordHash({ ...change, expectedHash: 'new-hash', newHash: 'newer-hash', sessionId: 'sid-new' });
    expect(await item(userId)).not.toHaveProperty('tokensValidFrom');
    expect((await item(userId))?.passwordChangedBySession).toBe('sid-new');
  });
});
