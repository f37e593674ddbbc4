import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../../../lib/adapters/dynamodb/client.js';
import { idempotencyStore } from '../../../lib/adapters/dynamodb/idempotency-store.js';
import { ensureIdempotencyTable, startEmbeddedDynamo } from '../../../scripts/local/dynamodb.js';
import { lambdaContext } from '../../support/harness.js';

/**
 * Powertools Idempotency's DynamoDB store on the table infra/idempotency-table.yml defines, against a
 * real DynamoDB API server: the record's key and TTL attribute are the ones the table declares.
 */
let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
});
afterAll(() => dynamo.stop());

describe('idempotencyStore', () => {
  it('keeps one record per event id in the table: key `id` (a hash, no event data), `expiration` in epoch seconds for the TTL', async () => {
    const table = `idempotency-${randomUUID()}`;
    await ensureIdempotencyTable(dynamo.endpoint, table);
    let runs = 0;
    const handle = makeIdempotent((_event: { id: string; detail: { userId: string } }, _context: unknown) => Promise.resolve({ run: ++runs }), {
      persistenceStore: idempotencyStore(createDynamoClient({ endpoint: dynamo.endpoint }), table),
      config: new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: 3600 }),
    });
    const event = { id: 'event-1', detail: { userId: 'secret-user-id' } };

    const before = Math.floor(Date.now() / 1000);
    expect(await handle(event, lambdaContext())).toEqual({ run: 1 });
    expect(await handle({ ...event, detail: { userId: 'another' } }, lambdaContext())).toEqual({ run: 1 });
    expect(await handle({ ...event, id: 'event-2' }, lambdaContext())).toEqual({ run: 2 });

    const { Items = [] } = await createDocumentClient({ endpoint: dynamo.endpoint }).send(new ScanCommand({ TableName: table }));
    expect(Items).toHaveLength(2);
    for (const item of Items) {
      expect(item.id).toMatch(/#[A-Za-z0-9+/]{22}==$/);
      expect(item.status).toBe('COMPLETED');
      expect(item.expiration).toBeGreaterThanOrEqual(before + 3600);
      expect(item.expiration).toBeLessThan(before + 3600 + 120);
    }
    expect(JSON.stringify(Items)).not.toContain('secret-user-id');
  });
});
