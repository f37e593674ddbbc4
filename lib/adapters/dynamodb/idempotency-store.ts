import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Where Powertools Idempotency keeps one record per event (IDEMPOTENCY_TABLE, infra/idempotency-table.yml):
 * partition key `id` (the function's name and an MD5 of the event's `id`, never event data), the
 * record's end of life in `expiration` (epoch seconds, the table's TTL attribute), `status`, and
 * the saved outcome in `data`. It speaks through the function's one DynamoDB client (endpoint,
 * timeouts, retries: client.ts); its calls are conditional PutItem, GetItem, UpdateItem, DeleteItem.
 */
export const idempotencyStore = (client: DynamoDBClient, tableName: string): DynamoDBPersistenceLayer =>
  new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
