import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../lib/adapters/dynamodb/client.js';
import { dynamoContactLookup } from '../../../lib/adapters/dynamodb/owner-contact.js';
import { DEFAULT_LAYOUT, parseTableLayout, type TableLayout } from '../../../lib/adapters/dynamodb/table-layout.js';
import { ensureUsersTable, startEmbeddedDynamo, toItem } from '../../../scripts/local/dynamodb.js';

/** The notice's contact lookup against a real DynamoDB API server, in the default and a single-table layout. */
const EMAIL_ONLY = ['email'];
let dynamo: Awaited<ReturnType<typeof startEmbeddedDynamo>>;
let doc: DynamoDBDocumentClient;
const SINGLE_TABLE: TableLayout = parseTableLayout({ USERS_KEY: 'pk=USER#{sub},sk=PROFILE', USERS_ATTRIBUTE_NAMES: 'email=emailAddress,passwordHash=pwHash' });

const tableWith = async (layout: TableLayout, users: { userId: string; [attribute: string]: unknown }[]) => {
  const table = `users-${randomUUID()}`;
  await ensureUsersTable(dynamo.endpoint, table, layout);
  for (const user of users) await doc.send(new PutCommand({ TableName: table, Item: toItem(layout, user) }));
  return table;
};

/** The lookup, with every request it sends recorded. */
const recordedLookup = (table: string, layout: TableLayout, slots: string[] = EMAIL_ONLY) => {
  const inputs: Record<string, unknown>[] = [];
  const lookup = dynamoContactLookup({ send: (command) => (inputs.push(command.input as Record<string, unknown>), doc.send(command as never)) }, table, layout, slots);
  return { lookup, inputs };
};

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo();
  doc = createDocumentClient({ endpoint: dynamo.endpoint });
});
afterAll(() => dynamo.stop());

describe('dynamoContactLookup', () => {
  it('reads the address alone with one GetItem of the user\'s item: no hash is ever read', async () => {
    const table = await tableWith(DEFAULT_LAYOUT, [{ userId: 'u1', email: 'owner@example.org', passwordHash: '$2b$04$secret-hash' }]);
    const { lookup, inputs } = recordedLookup(table, DEFAULT_LAYOUT);

    expect(await lookup('u1')).toEqual({ slots: [{ attribute: 'email', address: 'owner@example.org' }] });
    expect(inputs).toEqual([{ TableName: table, Key: { userId: 'u1' }, ProjectionExpression: '#k0, #a0', ExpressionAttributeNames: { '#k0': 'userId', '#a0': 'email' } }]);
  });

  it('reads every configured address attribute (NOTICE_ADDRESS_ATTRIBUTES), saying which hold nothing', async () => {
    const table = await tableWith(DEFAULT_LAYOUT, [{ userId: 'u1', email: 'owner@example.org', recoveryEmail: 'recovery@example.net' }]);
    const { lookup, inputs } = recordedLookup(table, DEFAULT_LAYOUT, ['email', 'recoveryEmail', 'workEmail']);

    expect(await lookup('u1')).toEqual({ slots: [{ attribute: 'email', address: 'owner@example.org' }, { attribute: 'recoveryEmail', address: 'recovery@example.net' }, { attribute: 'workEmail', address: undefined }] });
    expect(inputs[0]).toMatchObject({ ProjectionExpression: '#k0, #a0, #a1, #a2', ExpressionAttributeNames: { '#k0': 'userId', '#a0': 'email', '#a1': 'recoveryEmail', '#a2': 'workEmail' } });
  });

  it('follows USERS_KEY and USERS_ATTRIBUTE_NAMES: the whole key, the renamed attribute, never a neighbouring item', async () => {
    const table = await tableWith(SINGLE_TABLE, [{ userId: 'u1', email: 'owner@example.org' }]);
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'USER#u1', sk: 'SETTINGS', emailAddress: 'neighbour@example.org' } }));
    const { lookup, inputs } = recordedLookup(table, SINGLE_TABLE);

    expect(await lookup('u1')).toEqual({ slots: [{ attribute: 'email', address: 'owner@example.org' }] });
    expect(inputs[0]).toMatchObject({ Key: { pk: 'USER#u1', sk: 'PROFILE' }, ExpressionAttributeNames: { '#k0': 'pk', '#k1': 'sk', '#a0': 'emailAddress' } });
  });

  it('trims the stored address', async () => {
    const table = await tableWith(DEFAULT_LAYOUT, [{ userId: 'u1', email: '  owner@example.org\t' }]);
    expect(await dynamoContactLookup(doc, table, DEFAULT_LAYOUT, EMAIL_ONLY)('u1')).toEqual({ slots: [{ attribute: 'email', address: 'owner@example.org' }] });
  });

  it.each([
    ['no email attribute', {}],
    ['an empty email', { email: '' }],
    ['a blank email', { email: '   ' }],
    ['a number', { email: 42 }],
    ['a list', { email: ['owner@example.org'] }],
  ])('says the address is missing for a record with %s', async (_case, attributes) => {
    const table = await tableWith(DEFAULT_LAYOUT, [{ userId: 'u1', ...attributes }]);
    expect(await dynamoContactLookup(doc, table, DEFAULT_LAYOUT, EMAIL_ONLY)('u1')).toEqual({ slots: [{ attribute: 'email', address: undefined }] });
  });

  it('says the user is missing when there is no record', async () => {
    const table = await tableWith(DEFAULT_LAYOUT, []);
    expect(await dynamoContactLookup(doc, table, DEFAULT_LAYOUT, EMAIL_ONLY)('nobody')).toEqual({ missing: 'user' });
  });

  it('says the user is missing, without a call, for a subject no key can hold', async () => {
    const table = await tableWith(DEFAULT_LAYOUT, []);
    const { lookup, inputs } = recordedLookup(table, DEFAULT_LAYOUT);
    expect(await lookup('x'.repeat(2049))).toEqual({ missing: 'user' });
    expect(inputs).toEqual([]);
  });

  it('rejects with DynamoDB\'s error, so the event is retried', async () => {
    const error = await dynamoContactLookup(doc, 'no-such-table', DEFAULT_LAYOUT, EMAIL_ONLY)('u1').then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toBe('ResourceNotFoundException');
  });
});
