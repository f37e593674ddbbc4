/**
 * Local development helpers shared by `npm start`, `npm run token`, `npm run user:create` and the
 * tests: an embedded DynamoDB API server (dynalite, in memory), the users table as defined in
 * infra/users-table.yml, users, and dev tokens.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { load as loadYaml } from 'js-yaml';
import { hashPassword } from '../lib/password-hash.js';

// The demo user and dev tokens live in a module without the AWS SDK, so `npm run token` starts fast.
export { DEFAULT_TABLE, DEMO_USER, mintToken } from './dev-token.js';


const localClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/**
 * Starts dynalite on 127.0.0.1 (port 0 picks a free one); resolves to its endpoint and a stop function.
 * With TEST_DYNAMODB=dynamodb-local it starts AWS's DynamoDB Local (Java) instead: a second,
 * independent implementation of the API for the same tests (`npm run test:dynamodb-local`).
 */
export const startEmbeddedDynamo = async (port = 0): Promise<{ endpoint: string; stop: () => Promise<void> }> => {
  // Loaded on use: `npm run token` and `npm run user:create` start no server and skip their cost.
  if (process.env.TEST_DYNAMODB === 'dynamodb-local') {
    // The run's one shared instance (tests/support/dynamodb-local-setup.ts), unless a port is asked for.
    const shared = process.env.TEST_DYNAMODB_ENDPOINT;
    if (port === 0 && shared) return { endpoint: shared, stop: () => Promise.resolve() };
    return (await import('./dynamodb-local.js')).startDynamoDbLocal(port);
  }
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${actual}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** The table's keys exactly as deployed: read from infra/users-table.yml. */
const tableDefinition = (table: string): CreateTableCommandInput => {
  const file = new URL('../infra/users-table.yml', import.meta.url);
  const doc = loadYaml(readFileSync(file, 'utf8')) as { Resources: { UsersTable: { Properties: Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'BillingMode'> } } };
  const { AttributeDefinitions, KeySchema, BillingMode } = doc.Resources.UsersTable.Properties;
  return { TableName: table, AttributeDefinitions, KeySchema, BillingMode };
};

/** Creates the users table if it does not exist yet. */
export const ensureUsersTable = async (endpoint: string, table: string): Promise<'created' | 'exists'> => {
  const client = localClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(tableDefinition(table)));
  return 'created';
};

/**
 * Writes a user record with the password hashed as this service stores it. With `onlyIfMissing`
 * it refuses (ConditionalCheckFailedException) to replace an existing user.
 */
export const putUser = async (
  endpoint: string,
  table: string,
  user: { userId: string; password: string; [attribute: string]: unknown },
  cost: number,
  { onlyIfMissing = false }: { onlyIfMissing?: boolean } = {},
): Promise<void> => {
  const { password, ...rest } = user;
  const doc = DynamoDBDocumentClient.from(localClient(endpoint));
  await doc.send(new PutCommand({
    TableName: table,
    Item: { ...rest, passwordHash: await hashPassword(password, cost) },
    ...(onlyIfMissing ? { ConditionExpression: 'attribute_not_exists(userId)' } : {}),
  }));
};
