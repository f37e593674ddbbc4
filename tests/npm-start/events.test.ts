import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT } from '../../lib/adapters/dynamodb/table-layout.js';
import type { PendingEvent } from '../../lib/core/password-changed.js';
import { mintToken } from '../../scripts/local/dev-token.js';
import { putUser } from '../../scripts/local/dynamodb.js';
import { startEventBridgeStandIn } from '../support/eventbridge.js';
import { rawDocumentClient, SEED_NEW, SEED_OLD } from '../support/harness.js';
import { startLocalServer, type LocalServer } from '../support/local-server.js';

/**
 * `npm start` with EVENT_BUS_NAME and AWS_ENDPOINT_URL_EVENTBRIDGE in the shell, the bus a local
 * PutEvents stand-in: the change answers at once whatever the bus does, and the local relay (dynalite
 * has no stream) publishes the change's event once the bus answers again, with the change's identity.
 * The bound on the wait is generous and only says "it arrives"; the sweep interval is 1 s here.
 */
const BUS = 'local-platform-bus';
/** Far above one sweep: a shared, loaded machine may delay a sweep by seconds, never by this. */
const ARRIVAL_BOUND_MS = 60_000;

let eventBridge: Awaited<ReturnType<typeof startEventBridgeStandIn>>;
let server: LocalServer;

const until = async <T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> => {
  const deadline = Date.now() + ARRIVAL_BOUND_MS;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ARRIVAL_BOUND_MS} ms`);
    await sleep(200);
  }
};

beforeAll(async () => {
  eventBridge = await startEventBridgeStandIn();
  server = await startLocalServer('events', { EVENT_BUS_NAME: BUS, AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint, LOCAL_RELAY_SECONDS: '1' });
}, 180_000);
afterAll(async () => {
  server?.stop();
  await eventBridge?.stop();
});

describe('npm start with EVENT_BUS_NAME', () => {
  it('says it relays events, answers a change at once while the bus fails, and publishes its event with the change\'s identity once the bus answers', async () => {
    expect(server.output()).toContain(`PasswordChanged events relayed to bus ${BUS} every 1 s`);
    eventBridge.answerWith({ status: 500, type: 'InternalException' });
    await putUser(server.dynamoEndpoint, server.table, { userId: 'events-user', password: SEED_OLD }, 4);

    const res = await fetch(`${server.baseUrl}/v1/users/profile/change-password`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await mintToken('events-user')}`, 'Content-Type': 'application/json', 'User-Agent': 'events-test/1.0' },
      body: JSON.stringify({ oldPassword: SEED_OLD, newPassword: SEED_NEW }),
    });
    expect(await res.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');

    // The relay tries, the bus refuses, the event stays on the record.
    await until(() => (eventBridge.requests.length > 0 ? true : undefined), 'a publication attempt');
    const doc = rawDocumentClient(server.dynamoEndpoint);
    const item = (await doc.send(new GetCommand({ TableName: server.table, Key: { userId: 'events-user' }, ConsistentRead: true }))).Item;
    const [pending] = (item?.[DEFAULT_LAYOUT.attributes.pendingPasswordChanged] ?? []) as PendingEvent[];
    expect(pending).toMatchObject({ userId: 'events-user', changedAt: item?.passwordChangedAt, userAgent: 'events-test/1.0' });

    eventBridge.answerWith({ failedEntryCount: 0 });
    const refused = eventBridge.requests.length;
    const entry = await until(() => eventBridge.requests.slice(refused).flatMap((r) => r.entries).find((e) => e.DetailType === 'PasswordChanged'), 'the event');

    expect(entry).toMatchObject({ EventBusName: BUS, Source: 'change-password' });
    expect(JSON.parse(entry.Detail ?? '{}')).toMatchObject({ changeId: pending?.changeId, userId: 'events-user', changedAt: item?.passwordChangedAt, userAgent: 'events-test/1.0' });
    await until(async () => {
      const after = (await doc.send(new GetCommand({ TableName: server.table, Key: { userId: 'events-user' }, ConsistentRead: true }))).Item;
      return (after?.[DEFAULT_LAYOUT.attributes.pendingPasswordChanged] as unknown[] | undefined)?.length === 0 ? true : undefined;
    }, 'the pending event cleared');
    expect(server.output()).toContain('relay: published 1 PasswordChanged event of user events-user');
  }, 150_000);
});
