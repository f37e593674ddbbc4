import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContactLookup } from '../../core/notify-owner.js';
import { itemKey, type TableLayout } from './table-layout.js';

/**
 * The notice's contact lookup: one GetItem of the user's item (its whole key, USERS_KEY) that
 * projects the email attribute alone (USERS_ATTRIBUTE_NAMES), so nothing else of the record, and
 * in particular no hash, is ever read. A record without a non-empty string there has no address.
 * SDK errors reject, so the event is retried.
 */
export const dynamoContactLookup = (doc: Pick<DynamoDBDocumentClient, 'send'>, table: string, layout: TableLayout): ContactLookup => async (userId) => {
  const Key = itemKey(layout, userId);
  if (Key === undefined) return { missing: 'user' };
  const { Item } = await doc.send(new GetCommand({
    TableName: table,
    Key,
    // The key attributes too, so a record that holds no address is told from no record at all.
    ProjectionExpression: [...layout.key.map((_, i) => `#k${i}`), '#email'].join(', '),
    ExpressionAttributeNames: { ...Object.fromEntries(layout.key.map(({ attribute }, i) => [`#k${i}`, attribute])), '#email': layout.attributes.email },
  }));
  if (Item === undefined) return { missing: 'user' };
  const email: unknown = Item[layout.attributes.email];
  return typeof email === 'string' && email.trim() !== '' ? { email: email.trim() } : { missing: 'email' };
};
