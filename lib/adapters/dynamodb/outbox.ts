import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateScan, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Outbox, PendingEvent } from '../../core/password-changed.js';
import { itemKey, type TableLayout } from './table-layout.js';

/** A stored pending event: the fields the relay needs must be strings; anything else is not ours. */
const isPendingEvent = (value: unknown): value is PendingEvent => {
  const event = value as Partial<Record<keyof PendingEvent, unknown>> | null;
  // Stryker disable next-line ConditionalExpression: a value of another type has none of the fields, so it fails the check of each anyway
  return typeof event === 'object' && event !== null && (['changeId', 'userId', 'changedAt', 'region'] as const).every((field) => typeof event[field] === 'string');
};

/** The pending events an item holds (its `pendingPasswordChanged` list), in order. */
export const pendingEventsOf = (item: Record<string, unknown> | undefined, layout: TableLayout): PendingEvent[] => {
  const list = item?.[layout.attributes.pendingPasswordChanged];
  return Array.isArray(list) ? list.filter(isPendingEvent) : [];
};

/** How often a clear that lost a race with another write of the list reads it again. */
const CLEAR_ROUNDS = 3;

/**
 * The outbox on the users table: each user's pending PasswordChanged events live on their own item
 * (written by the change, lib/adapters/dynamodb/user-store.ts). Reads are consistent; a clear
 * removes the event by its index, on the condition that the index still holds that change, so a
 * clear never removes another change's event, and touches no other attribute.
 */
export class DynamoOutbox implements Outbox {
  constructor(
    private readonly doc: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly table: string,
    private readonly layout: TableLayout,
  ) {}

  async pending(userId: string): Promise<PendingEvent[]> {
    const Key = itemKey(this.layout, userId);
    if (Key === undefined) return [];
    const { Item } = await this.doc.send(new GetCommand({
      TableName: this.table,
      Key,
      ConsistentRead: true,
      ProjectionExpression: '#pending',
      ExpressionAttributeNames: { '#pending': this.layout.attributes.pendingPasswordChanged },
    }));
    return pendingEventsOf(Item, this.layout);
  }

  async clear(userId: string, changeId: string): Promise<void> {
    const Key = itemKey(this.layout, userId);
    // Stryker disable next-line ConditionalExpression: pending() reads nothing for such a user, so the loop returns at once anyway
    if (Key === undefined) return;
    for (let round = 0; round < CLEAR_ROUNDS; round += 1) {
      const index = (await this.pending(userId)).findIndex((event) => event.changeId === changeId);
      if (index === -1) return;
      try {
        await this.doc.send(new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression: `REMOVE #pending[${index}]`,
          ConditionExpression: `#pending[${index}].#changeId = :changeId`,
          ExpressionAttributeNames: { '#pending': this.layout.attributes.pendingPasswordChanged, '#changeId': 'changeId' },
          ExpressionAttributeValues: { ':changeId': changeId },
        }));
        return;
      } catch (error) {
        // Another clear moved the list meanwhile: read it again.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error('pending event kept moving; left for the next relay');
  }

  /** The users whose records hold pending events, for a sweep (the local stack, an operator's catch-up). */
  async *usersWithPending(): AsyncGenerator<string> {
    const pages = paginateScan({ client: this.doc as DynamoDBDocumentClient }, {
      TableName: this.table,
      ConsistentRead: true,
      FilterExpression: 'size(#pending) > :none',
      ProjectionExpression: '#pending',
      ExpressionAttributeNames: { '#pending': this.layout.attributes.pendingPasswordChanged },
      ExpressionAttributeValues: { ':none': 0 },
    });
    // Stryker disable next-line ArrayDeclaration: a page always has Items, and an entry that is not an item holds no pending event
    for await (const { Items = [] } of pages) {
      for (const item of Items) {
        const userId = pendingEventsOf(item, this.layout)[0]?.userId;
        if (userId !== undefined) yield userId;
      }
    }
  }
}
