import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SessionState, SessionStore } from '../../core/ports.js';
import { dependencyFailure } from './failure.js';
import { DEFAULT_LAYOUT, itemKey, type TableLayout } from './table-layout.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The token authorizer's read: one GetItem of the user's record (its whole key, USERS_KEY) that
 * projects only the two attributes the stale-token rule needs (USERS_ATTRIBUTE_NAMES). Strongly
 * consistent, so a token the change just revoked is refused from the change's answer on, not
 * after replication catches up; DynamoDB charges the read by the whole item's size either way.
 */
export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly layout: TableLayout = DEFAULT_LAYOUT,
  ) {}

  async sessionState(userId: string): Promise<SessionState | undefined> {
    const Key = itemKey(this.layout, userId);
    // No item can have a key over DynamoDB's limits.
    if (Key === undefined) return undefined;
    const { passwordChangedAt, passwordChangedBySession } = this.layout.attributes;
    const partitionKey = this.layout.key[0]?.attribute ?? '';
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await this.doc.send(new GetCommand({
        TableName: this.table,
        Key,
        ConsistentRead: true,
        // The partition key too: a record holding neither attribute still comes back, and is a user.
        ProjectionExpression: '#key, #at, #by',
        ExpressionAttributeNames: { '#key': partitionKey, '#at': passwordChangedAt, '#by': passwordChangedBySession },
      })));
    } catch (error) {
      throw dependencyFailure(error);
    }
    if (item === undefined) return undefined;
    return { passwordChangedAt: text(item[passwordChangedAt]), passwordChangedBySession: text(item[passwordChangedBySession]) };
  }
}
