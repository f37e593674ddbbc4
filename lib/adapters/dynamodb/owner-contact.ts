import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContactLookup } from '../../core/notify-owner.js';
import { itemKey, USER_ATTRIBUTES, type TableLayout, type UserAttribute } from './table-layout.js';

/** The attribute a configured address slot reads: a logical name the layout renames (`email`), else the name itself. */
export const addressAttribute = (layout: TableLayout, slot: string): string =>
  Object.hasOwn(USER_ATTRIBUTES, slot) ? layout.attributes[slot as UserAttribute] : slot;

/**
 * The notice's contact lookup: one GetItem of the user's item (its whole key, USERS_KEY) that
 * projects the address attributes alone (NOTICE_ADDRESS_ATTRIBUTES, renamed by USERS_ATTRIBUTE_NAMES),
 * so nothing else of the record, and in particular no hash, is ever read. A slot without a
 * non-empty string has no address. SDK errors reject, so the event is retried.
 */
export const dynamoContactLookup = (doc: Pick<DynamoDBDocumentClient, 'send'>, table: string, layout: TableLayout, slots: readonly string[]): ContactLookup => async (userId) => {
  const Key = itemKey(layout, userId);
  if (Key === undefined) return { missing: 'user' };
  const { Item } = await doc.send(new GetCommand({
    TableName: table,
    Key,
    // The key attributes too, so a record that holds no address is told from no record at all.
    ProjectionExpression: [...layout.key.map((_, i) => `#k${i}`), ...slots.map((_, i) => `#a${i}`)].join(', '),
    ExpressionAttributeNames: {
      ...Object.fromEntries(layout.key.map(({ attribute }, i) => [`#k${i}`, attribute])),
      ...Object.fromEntries(slots.map((slot, i) => [`#a${i}`, addressAttribute(layout, slot)])),
    },
  }));
  if (Item === undefined) return { missing: 'user' };
  return {
    slots: slots.map((attribute) => {
      const value: unknown = Item[addressAttribute(layout, attribute)];
      return { attribute, address: typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined };
    }),
  };
};
