/**
 * A local stand-in for EventBridge's PutEvents (AWS JSON 1.1 over HTTP) and a real SDK client
 * pointed at it, so the notifier is tested through the SDK's own serialisation and error handling.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { readBody, startStandIn } from './stand-in.js';

export interface PutEventsEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: number;
}

/** What the stand-in answers: accepted, some entries refused (HTTP 200, FailedEntryCount > 0), or an HTTP error. */
export type PutEventsAnswer = { failedEntryCount: number } | { status: number; type: string };

export const startEventBridgeStandIn = async () => {
  const requests: { target: string | undefined; entries: PutEventsEntry[] }[] = [];
  let answer: PutEventsAnswer = { failedEntryCount: 0 };
  const standIn = await startStandIn((req, res) => {
    void readBody(req).then((raw) => {
      const { Entries = [] } = JSON.parse(raw) as { Entries?: PutEventsEntry[] };
      requests.push({ target: req.headers['x-amz-target'] as string | undefined, entries: Entries });
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      if ('status' in answer) {
        res.statusCode = answer.status;
        res.end(JSON.stringify({ __type: answer.type, message: 'stand-in failure' }));
        return;
      }
      const failed = answer.failedEntryCount;
      res.end(JSON.stringify({
        FailedEntryCount: failed,
        Entries: Entries.map((_, i) => (i < failed ? { ErrorCode: 'InternalFailure', ErrorMessage: 'stand-in refused the entry' } : { EventId: `event-${requests.length}-${i}` })),
      }));
    });
  });
  return {
    /** Where the stand-in listens, for a client configured from the environment. */
    endpoint: standIn.baseUrl,
    requests,
    answerWith: (next: PutEventsAnswer) => {
      answer = next;
    },
    /** The real EventBridge client, talking to the stand-in (one attempt, so a failure is seen once). */
    client: () => new EventBridgeClient({ endpoint: standIn.baseUrl, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }),
    stop: standIn.stop,
  };
};
