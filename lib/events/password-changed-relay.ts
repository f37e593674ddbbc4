import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse } from 'aws-lambda';
import * as v from 'valibot';

/** One record of the users table's stream, as far as the relay reads it: who has events pending, and where. */
const StreamRecord = v.object({
  dynamodb: v.object({
    SequenceNumber: v.string(),
    NewImage: v.optional(v.record(v.string(), v.unknown())),
  }),
});

/** A pending event in DynamoDB's attribute-value form (`{ M: { userId: { S } , region: { S } } }`). */
const PendingInImage = v.object({ M: v.object({ userId: v.object({ S: v.string() }), region: v.object({ S: v.string() }) }) });

export interface RelayHandlerDeps {
  /** The use case for one user (lib/core/password-changed.ts), wired to the outbox and the bus. */
  relay: (userId: string) => Promise<number>;
  /** The attribute holding the pending events (USERS_ATTRIBUTE_NAMES: `pendingPasswordChanged`). */
  pendingAttribute: string;
  /** This relay's Region: events recorded by a change accepted here (a global table's other Regions relay their own). */
  region: string;
  logger: Logger;
}

/** The users whose events this Region relays, named in a record's new image, in order, once each. */
const usersIn = (image: Record<string, unknown> | undefined, attribute: string, region: string): string[] => {
  const list = (image?.[attribute] as { L?: unknown } | undefined)?.L;
  // Stryker disable next-line ArrayDeclaration: an entry that is not a pending event is dropped below, like an empty list
  const users = (Array.isArray(list) ? list : [])
    .map((entry) => v.safeParse(PendingInImage, entry))
    .flatMap((parsed) => (parsed.success && parsed.output.M.region.S === region ? [parsed.output.M.userId.S] : []));
  return [...new Set(users)];
};

/**
 * The `passwordChangedRelay` function: a DynamoDB stream target (filtered to records whose new
 * image holds an event of this Region). A record is only a trigger: the use case reads what is
 * still pending, so an image older than the last clear publishes nothing twice. Records are relayed
 * in order; the first that fails is reported as the batch's failure (ReportBatchItemFailures), so
 * Lambda retries from it and nothing after it is skipped. What still fails after the retries goes
 * to the dead-letter queue, and the event stays pending on the record.
 */
export const createRelayHandler = ({ relay, pendingAttribute, region, logger }: RelayHandlerDeps) =>
  async (event: { Records?: unknown[] }, context: Context): Promise<DynamoDBBatchResponse> => {
    logger.addContext(context);
    for (const raw of event.Records ?? []) {
      const parsed = v.safeParse(StreamRecord, raw);
      if (!parsed.success) {
        logger.error('Stream record malformed; skipped');
        continue;
      }
      const { SequenceNumber, NewImage } = parsed.output.dynamodb;
      for (const userId of usersIn(NewImage, pendingAttribute, region)) {
        try {
          const published = await relay(userId);
          if (published > 0) logger.info('PasswordChanged events published', { userId, published });
        } catch (error) {
          logger.error('PasswordChanged event not published yet; retried from this record', { userId, errorName: (error as Error).name });
          return { batchItemFailures: [{ itemIdentifier: SequenceNumber }] };
        }
      }
    }
    return { batchItemFailures: [] };
  };
