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
  /**
   * `keptSessions`: changes may keep the other sessions (OTHER_SESSIONS_ON_CHANGE=user-choice), so
   * the recorded not-before is read too. Without it, every change ended them: the last change is
   * the not-before, and sessions kept under the option end once it is turned off.
   */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly layout: TableLayout = DEFAULT_LAYOUT,
    private readonly options: { keptSessions?: boolean } = {},
  ) {}

  async sessionState(userId: string): Promise<SessionState | undefined> {
    const Key = itemKey(this.layout, userId);
    // No item can have a key over DynamoDB's limits.
    if (Key === undefined) return undefined;
    const { passwordChangedAt, passwordChangedBySession, tokensValidFrom } = this.layout.attributes;
    const partitionKey = this.layout.key[0]?.attribute ?? '';
    const kept = this.options.keptSessions ?? false;
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await this.doc.send(new GetCommand({
        TableName: this.table,
        Key,
        ConsistentRead: true,
        // The partition key too: a record holding neither attribute still comes back, and is a user.
        ProjectionExpression: kept ? '#key, #at, #by, #from' : '#key, #at, #by',
        ExpressionAttributeNames: { '#key': partitionKey, '#at': passwordChangedAt, '#by': passwordChangedBySession, ...(kept ? { '#from': tokensValidFrom } : {}) },
      })));
    } catch (error) {
      throw dependencyFailure(error);
    }
    if (item === undefined) return undefined;
    const state = { passwordChangedAt: text(item[passwordChangedAt]), passwordChangedBySession: text(item[passwordChangedBySession]) };
    return kept ? { ...state, tokensValidFrom: text(item[tokensValidFrom]) } : state;
  }
}
