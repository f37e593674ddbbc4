import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../lib/adapters/bcrypt/password-hash.js';
import { createDocumentClient, DYNAMO_LIMITS } from '../../lib/adapters/dynamodb/client.js';
import { ATTEMPT_CONFLICT_RETRIES, DynamoUserStore } from '../../lib/adapters/dynamodb/user-store.js';
import { startWriteConflictProxy, type ProxiedCall } from '../support/fault-servers.js';
import { apiEvent, SEED_NEW, SEED_OLD, startHarness, type Harness, withoutCounter } from '../support/harness.js';

/**
 * One user changed from two Regions of a DynamoDB global table with multi-Region strong
 * consistency: DynamoDB refuses a write that conflicts with another Region's write to the item
 * (400 ReplicatedWriteConflictException) and applies nothing of it. The real handler and store talk
 * to a proxy that answers that refusal for the chosen UpdateItems and passes everything else to a
 * real DynamoDB API server, which holds the record throughout.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const BODY = { oldPassword: SEED_OLD, newPassword: SEED_NEW };
const CONFLICT = '{"status":false,"error":{"code":5026,"message":"Password was changed by another request; retry with the current password"}}';
const UNAVAILABLE = '{"status":false,"error":{"code":9001,"message":"Service temporarily unavailable"}}';

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const expression = (call: ProxiedCall) => text(call.body.UpdateExpression);
/** The conditional write that swaps the hash. */
const isFinalWrite = (call: ProxiedCall) => call.operation === 'UpdateItem' && expression(call).includes('#passwordHash = :new');
/** The two writes that take an attempt (a new window, or one more in the running one). */
const isAttemptWrite = (call: ProxiedCall) => call.operation === 'UpdateItem' && text(call.body.ConditionExpression).startsWith('attribute_exists(#key)');

/** A handler whose store reaches DynamoDB through a write-conflict proxy; its answers are checked against the OpenAPI document. */
const throughConflicts = async (conflict: (call: ProxiedCall) => boolean) => {
  const proxy = await startWriteConflictProxy(h.endpoint, conflict);
  const store = new DynamoUserStore(createDocumentClient({ endpoint: proxy.endpoint }), h.table);
  return { proxy, invoke: h.invokerWith({ store }) };
};

describe('POST /v1/users/profile/change-password on a multi-Region strongly consistent global table', () => {
  it('answers 409 5026 and writes nothing when another Region writes the user during the final write', async () => {
    // Arrange: every attempt of the final write is refused as a conflict
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    const { proxy, invoke } = await throughConflicts(isFinalWrite);
    try {
      // Act
      const res = await invoke(apiEvent({ token, body: BODY }));

      // Assert: the SDK retries the refusal itself (retryable by its model), then the store reads
      // the record back, finds another hash than its own, and answers "another change won"
      expect(res.statusCode).toBe(409);
      expect(res.body).toBe(CONFLICT);
      expect(proxy.faulted.map(({ operation }) => operation)).toEqual(Array(DYNAMO_LIMITS.maxAttempts).fill('UpdateItem'));
      expect(proxy.operations.slice(-1)).toEqual(['GetItem']);
      const stored = await h.getItem(userId);
      expect(withoutCounter(stored)).toEqual(withoutCounter(before));
      expect(await verifyPassword(SEED_OLD, stored?.passwordHash as string)).toBe(true);
    } finally {
      await proxy.stop();
    }
  });

  it('answers 200 when the SDK’s own retry of a refused final write lands', async () => {
    const { userId, token } = await h.seedUser();
    const { proxy, invoke } = await throughConflicts((call) => isFinalWrite(call) && proxy.faulted.length === 0);
    try {
      const res = await invoke(apiEvent({ token, body: BODY }));
      expect(res.statusCode).toBe(200);
      expect(proxy.faulted).toHaveLength(1);
      expect(await verifyPassword(SEED_NEW, (await h.getItem(userId))?.passwordHash as string)).toBe(true);
    } finally {
      await proxy.stop();
    }
  });

  it('answers 503 9001 with Retry-After, having taken no attempt, when every write of the attempt counter conflicts', async () => {
    // Arrange
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    const { proxy, invoke } = await throughConflicts(isAttemptWrite);
    try {
      // Act
      const res = await invoke(apiEvent({ token, body: BODY }));

      // Assert: the SDK's attempts of one call, times the store's bounded rounds, then 503
      expect(res.statusCode).toBe(503);
      expect(res.body).toBe(UNAVAILABLE);
      expect(res.headers['Retry-After']).toBe('2');
      expect(proxy.faulted).toHaveLength(DYNAMO_LIMITS.maxAttempts * (ATTEMPT_CONFLICT_RETRIES + 1));
      expect(proxy.operations.every((operation) => operation === 'UpdateItem')).toBe(true);
      expect(await h.getItem(userId)).toEqual(before);
    } finally {
      await proxy.stop();
    }
  });

  it('takes exactly one attempt and answers 200 when the attempt counter’s conflicts outlast the SDK’s retries but not the store’s', async () => {
    const { userId, token } = await h.seedUser();
    const before = await h.getItem(userId);
    const { proxy, invoke } = await throughConflicts((call) => isAttemptWrite(call) && proxy.faulted.length < DYNAMO_LIMITS.maxAttempts);
    try {
      const res = await invoke(apiEvent({ token, body: BODY }));
      expect(res.statusCode).toBe(200);
      expect(proxy.faulted).toHaveLength(DYNAMO_LIMITS.maxAttempts);
      // One reservation landed, then the final write: two UpdateItems reached DynamoDB.
      expect(proxy.operations.filter((operation) => operation === 'UpdateItem')).toHaveLength(DYNAMO_LIMITS.maxAttempts + 2);
      const after = await h.getItem(userId);
      expect(await verifyPassword(SEED_NEW, after?.passwordHash as string)).toBe(true);
      expect(withoutCounter(after)).toMatchObject({ passwordHistory: [before?.passwordHash] });
    } finally {
      await proxy.stop();
    }
  });
});
