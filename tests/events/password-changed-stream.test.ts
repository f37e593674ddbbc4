import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgePublisher } from '../../lib/adapters/eventbridge/change-notifier.js';
import { relayHandlerDependencies } from '../../lib/compose.js';
import { loadRelayConfig } from '../../lib/config/load.js';
import { createRelayHandler } from '../../lib/events/password-changed-relay.js';
import { startEventBridgeStandIn } from '../support/eventbridge.js';
import { apiEvent, lambdaContext, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../support/harness.js';

/**
 * The relay fed by a real DynamoDB stream: AWS's DynamoDB Local (which has DynamoDB Streams; dynalite
 * does not) under `npm run test:dynamodb-local`. The users table gets a NEW_IMAGE stream, the real
 * change handler changes a password, and the records read from the stream with the real Streams
 * client are handed to the real relay handler as Lambda's event source mapping would hand them.
 * `npm test` leaves this file out, since dynalite has no stream (tests/support/dynamodb-files.ts):
 * there the relay's behaviour is proved on hand-made records in password-changed-relay.test.ts.
 */
const BUS = 'stream-bus';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let h: Harness;
let eventBridge: Awaited<ReturnType<typeof startEventBridgeStandIn>>;
let streams: DynamoDBStreamsClient;
let streamArn: string;

/** Every record the stream holds now, from its start, in order. */
const streamRecords = async (): Promise<_Record[]> => {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: _Record[] = [];
  for (const { ShardId } of StreamDescription?.Shards ?? []) {
    let { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    for (let page = 0; ShardIterator !== undefined && page < 20; page += 1) {
      const answer = await streams.send(new GetRecordsCommand({ ShardIterator }));
      records.push(...(answer.Records ?? []));
      if ((answer.Records ?? []).length === 0) break;
      ShardIterator = answer.NextShardIterator;
    }
  }
  return records;
};

describe('passwordChangedRelay on DynamoDB Local\'s stream', () => {
  beforeAll(async () => {
    [h, eventBridge] = await Promise.all([startHarness({}, undefined, { EVENT_BUS_NAME: BUS }), startEventBridgeStandIn()]);
    const dynamo = new DynamoDBClient({ endpoint: h.endpoint, region: 'eu-west-1', credentials });
    await dynamo.send(new UpdateTableCommand({ TableName: h.table, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
    streamArn = (await dynamo.send(new DescribeTableCommand({ TableName: h.table }))).Table?.LatestStreamArn ?? '';
    streams = new DynamoDBStreamsClient({ endpoint: h.endpoint, region: 'eu-west-1', credentials });
  });
  afterAll(async () => {
    await Promise.all([h?.stop(), eventBridge?.stop()]);
  });

  it('publishes the change\'s event from the stream record its write made, once, and the clear\'s own record publishes nothing', async () => {
    const { userId, token } = await h.seedUser();
    expect((await h.invoke(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }))).statusCode).toBe(200);
    const changeId = (((await h.getItem(userId))?.pendingPasswordChanged ?? []) as { changeId: string }[])[0]?.changeId;
    const handler = createRelayHandler(relayHandlerDependencies(loadRelayConfig({ USERS_TABLE: h.table, DYNAMODB_ENDPOINT: h.endpoint, EVENT_BUS_NAME: BUS }), eventBridgePublisher(BUS, eventBridge.client())));

    const first = await streamRecords();
    expect(await handler({ Records: first }, lambdaContext())).toEqual({ batchItemFailures: [] });
    // The clear is a write too: its record, and the whole stream again, publish nothing more.
    const again = await streamRecords();
    expect(again.length).toBeGreaterThan(first.length);
    expect(await handler({ Records: again }, lambdaContext())).toEqual({ batchItemFailures: [] });

    const details = eventBridge.requests.flatMap((r) => r.entries).map((e) => JSON.parse(e.Detail ?? '{}') as { changeId: string; userId: string });
    expect(details).toEqual([expect.objectContaining({ changeId, userId })]);
    expect((await h.getItem(userId))?.pendingPasswordChanged).toEqual([]);
  });
});
