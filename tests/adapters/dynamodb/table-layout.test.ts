import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpResult } from '../../../lib/http/event.js';
import { verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { mintToken } from '../../../scripts/local/dev-token.js';
import { userCreate } from '../../../scripts/cli/user-create.js';
import { apiEvent, lambdaContext, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../../support/harness.js';
import { NEIGHBOUR_PASSWORD, SINGLE_TABLE_LAYOUT } from '../../support/layouts.js';

/**
 * A platform's single-table design (USERS_KEY=pk=USER#{sub},sk=PROFILE, renamed attributes): the
 * profile item is the user; the other items of the partition are never read as it or written.
 */
let h: Harness;
let raw: DynamoDBDocumentClient;
const profileKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' });
const rawItem = async (key: Record<string, string>) => (await raw.send(new GetCommand({ TableName: h.table, Key: key, ConsistentRead: true }))).Item;
const change = (token: string, oldPassword: string, newPassword: string) => h.invoke(apiEvent({ token, body: { oldPassword, newPassword } }));

beforeAll(async () => {
  h = await startHarness({}, SINGLE_TABLE_LAYOUT);
  raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: h.endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
});
afterAll(() => h.stop());

describe('a single-table layout', () => {
  it('stores the change under the configured attribute names on the profile item, and nothing under the default names', async () => {
    const { userId, token } = await h.seedUser({ email: 'ana@example.org' });
    expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const item = await rawItem(profileKey(userId));
    expect(await verifyPassword(SEED_NEW, item?.pwHash as string)).toBe(true);
    expect(item).toMatchObject({ pk: `USER#${userId}`, sk: 'PROFILE', pwChangedAt: expect.any(String), pwHistory: [expect.stringMatching(/^\$2b\$04\$/)], emailAddress: 'ana@example.org' });
    expect(Object.keys(item ?? {}).filter((name) => ['passwordHash', 'passwordChangedAt', 'passwordHistory', 'oldPasswordAttempts', 'oldPasswordAttemptsSince', 'userId'].includes(name))).toEqual([]);
    expect(await h.changedNeighbours()).toEqual([]);
  });

  it('never takes a neighbouring item for the user: its hash does not verify, and it is left as it was', async () => {
    const { token } = await h.seedUser();
    const res = await change(token, NEIGHBOUR_PASSWORD, SEED_NEW);
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('{"status":false,"error":{"code":5023,"message":"Incorrect old password"}}');
    expect(await h.changedNeighbours()).toEqual([]);
  });

  it('answers 404 for a subject whose partition holds other items but no profile, and creates nothing', async () => {
    const order = { pk: 'USER#orders-only', sk: 'ORDER#7', total: 3 };
    await raw.send(new PutCommand({ TableName: h.table, Item: order }));
    const res = await change(await mintToken('orders-only'), SEED_OLD, SEED_NEW);
    expect(res.statusCode).toBe(404);
    expect(await rawItem(profileKey('orders-only'))).toBeUndefined();
    expect(await rawItem({ pk: 'USER#orders-only', sk: 'ORDER#7' })).toEqual(order);
  });

  it('answers 404, not 500, for a subject too long for the key once the template is applied', async () => {
    // A 1024-byte subject passes the token check; "USER#" makes the sort key 1029 bytes, over
    // DynamoDB's 1024 (a ValidationException, so a 500; DynamoDB Local enforces it, dynalite not).
    const sorted = await startHarness({}, { ...SINGLE_TABLE_LAYOUT, env: { USERS_KEY: 'pk=TENANT#1,sk=USER#{sub}' } });
    try {
      const res = await sorted.invoke(apiEvent({ token: await mintToken('x'.repeat(1024)), body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
      expect(res.statusCode).toBe(404);
    } finally {
      await sorted.stop();
    }
  });
});

describe('npm run user:create with USERS_KEY and USERS_ATTRIBUTE_NAMES', () => {
  it('adds the user in the layout, where the endpoint then finds it', async () => {
    // In-process: tests/scripts/dev-scripts.test.ts proves the CLI wiring.
    const created = await userCreate(['carol', 'Carol-P@ssw0rd1'], { ...process.env, ...SINGLE_TABLE_LAYOUT.env, DYNAMODB_ENDPOINT: h.endpoint, USERS_TABLE: h.table, BCRYPT_COST: '4' });
    expect(created.code).toBe(0);
    expect(await verifyPassword('Carol-P@ssw0rd1', (await rawItem(profileKey('carol')))?.pwHash as string)).toBe(true);
    expect((await change(await mintToken('carol'), 'Carol-P@ssw0rd1', SEED_NEW)).statusCode).toBe(200);
  });
});

describe('the exported handler with USERS_KEY and USERS_ATTRIBUTE_NAMES in its environment', () => {
  it('reads and writes the profile item under the configured names', async () => {
    const { userId, token } = await h.seedUser();
    vi.stubEnv('DYNAMODB_ENDPOINT', h.endpoint);
    vi.stubEnv('USERS_TABLE', h.table);
    for (const [name, value] of Object.entries(SINGLE_TABLE_LAYOUT.env)) vi.stubEnv(name, value);
    vi.resetModules();
    try {
      const { handler } = (await import('../../../functions/change-password/handler.js')) as unknown as { handler: (event: unknown, context: unknown) => Promise<HttpResult> };
      const res = await handler(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }), lambdaContext());
      expect(res.statusCode).toBe(200);
      expect(await verifyPassword(SEED_NEW, (await rawItem(profileKey(userId)))?.pwHash as string)).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
