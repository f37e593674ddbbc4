/**
 * Local development helpers shared by `npm start`, `npm run token`, `npm run user:create` and the
 * tests: an embedded DynamoDB API server (dynalite, in memory), the users table as defined in
 * infra/users-table.yml, users, and dev tokens.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, UpdateTimeToLiveCommand, type CreateTableCommandInput, type TimeToLiveSpecification } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { load as loadYaml } from 'js-yaml';
import { DEFAULT_LAYOUT, USER_ATTRIBUTES, type TableLayout } from '../../lib/adapters/dynamodb/table-layout.js';
import { hashPassword } from '../../lib/adapters/bcrypt/password-hash.js';
import { itemKey } from '../../lib/adapters/dynamodb/table-layout.js';


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

/**
 * The table's keys: exactly as deployed (infra/users-table.yml) for the default layout, else the
 * USERS_KEY attributes (string partition key, then string sort key), as a platform's table has them.
 */
const tableDefinition = (table: string, layout: TableLayout): CreateTableCommandInput => {
  const attributes = (key: TableLayout['key']) => key.map((k) => k.attribute).join();
  if (attributes(layout.key) !== attributes(DEFAULT_LAYOUT.key)) {
    return {
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: layout.key.map(({ attribute }) => ({ AttributeName: attribute, AttributeType: 'S' })),
      KeySchema: layout.key.map(({ attribute }, i) => ({ AttributeName: attribute, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
    };
  }
  const file = new URL('../../infra/users-table.yml', import.meta.url);
  const doc = loadYaml(readFileSync(file, 'utf8')) as { Resources: { UsersTable: { Properties: Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'BillingMode'> } } };
  const { AttributeDefinitions, KeySchema, BillingMode } = doc.Resources.UsersTable.Properties;
  return { TableName: table, AttributeDefinitions, KeySchema, BillingMode };
};

/** Creates a table from its definition if it does not exist yet. */
const ensureTable = async (client: DynamoDBClient, definition: CreateTableCommandInput): Promise<'created' | 'exists'> => {
  try {
    await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(definition));
  // CreateTable answers while the table is still CREATING (dynalite too: it turns ACTIVE in a later
  // write, which a busy machine delays), and a write to it meanwhile is ResourceNotFoundException.
  for (let tries = 0; tries < 500; tries += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
    if (Table?.TableStatus === 'ACTIVE') return 'created';
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${definition.TableName} did not become ACTIVE`);
};

/** Creates the users table if it does not exist yet. */
export const ensureUsersTable = async (endpoint: string, table: string, layout: TableLayout = DEFAULT_LAYOUT): Promise<'created' | 'exists'> =>
  ensureTable(localClient(endpoint), tableDefinition(table, layout));

/**
 * Creates the notice's idempotency table (infra/idempotency-table.yml: its keys, and its TTL where
 * the server has TTL) if it does not exist yet. dynalite has no UpdateTimeToLive; Powertools treats
 * an expired record as absent anyway, so only the clean-up is missing there.
 */
export const ensureIdempotencyTable = async (endpoint: string, table: string): Promise<'created' | 'exists'> => {
  const file = new URL('../../infra/idempotency-table.yml', import.meta.url);
  const doc = loadYaml(readFileSync(file, 'utf8')) as {
    Resources: { IdempotencyTable: { Properties: Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'BillingMode'> & { TimeToLiveSpecification: TimeToLiveSpecification } } };
  };
  const { AttributeDefinitions, KeySchema, BillingMode, TimeToLiveSpecification: ttl } = doc.Resources.IdempotencyTable.Properties;
  const client = localClient(endpoint);
  const created = await ensureTable(client, { TableName: table, AttributeDefinitions, KeySchema, BillingMode });
  if (created === 'created') {
    await client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: ttl })).catch((error: Error) => {
      if (error.name !== 'UnknownOperationException') throw error;
    });
  }
  return created;
};

/** A record in the layout's shape: its key for `userId`, and the service's attributes under their configured names. */
export const toItem = (layout: TableLayout, { userId, ...attributes }: { userId: string; [attribute: string]: unknown }): Record<string, unknown> => {
  const renamed = Object.entries(attributes).map(([name, value]): [string, unknown] => [name in USER_ATTRIBUTES ? layout.attributes[name as keyof typeof USER_ATTRIBUTES] : name, value]);
  return { ...Object.fromEntries(renamed), ...itemKey(layout, userId) };
};

/**
 * Writes a user record with the password hashed as this service stores it, in the layout's shape
 * (the default: `userId`). With `onlyIfMissing` it refuses (ConditionalCheckFailedException) to
 * replace an existing user.
 */
export const putUser = async (
  endpoint: string,
  table: string,
  user: { userId: string; password: string; [attribute: string]: unknown },
  cost: number,
  { onlyIfMissing = false, layout = DEFAULT_LAYOUT }: { onlyIfMissing?: boolean; layout?: TableLayout } = {},
): Promise<void> => {
  const { password, ...rest } = user;
  const doc = DynamoDBDocumentClient.from(localClient(endpoint));
  await doc.send(new PutCommand({
    TableName: table,
    Item: toItem(layout, { ...rest, passwordHash: await hashPassword(password, cost) }),
    ...(onlyIfMissing ? { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': layout.key[0]?.attribute ?? 'userId' } } : {}),
  }));
};
