import bcrypt from 'bcryptjs';

/**
 * The table layouts the DynamoDB-backed suites run on: today's (`userId` partition key) and a
 * single-table design, where the user's profile shares its partition with other items of the
 * same user that the service must never read or write.
 */
export interface LayoutFixture {
  name: string;
  /** USERS_KEY / USERS_ATTRIBUTE_NAMES as the function would get them. */
  env: Record<string, string>;
  /** Items stored beside the user's record, with their raw keys and attribute names. */
  neighbours: (userId: string) => Record<string, unknown>[];
}

/** A neighbour carries a hash of this other password under the profile's hash attribute name. */
export const NEIGHBOUR_PASSWORD = 'Neighbour-Order-P@ss1';
const neighbourHash = bcrypt.hashSync(NEIGHBOUR_PASSWORD, 4);

export const DEFAULT_TABLE_LAYOUT: LayoutFixture = { name: 'userId={sub}', env: {}, neighbours: () => [] };

export const SINGLE_TABLE_LAYOUT: LayoutFixture = {
  name: 'pk=USER#{sub},sk=PROFILE',
  env: {
    USERS_KEY: 'pk=USER#{sub},sk=PROFILE',
    USERS_ATTRIBUTE_NAMES: 'passwordHash=pwHash,passwordChangedAt=pwChangedAt,passwordHistory=pwHistory,oldPasswordAttempts=pwChecks,oldPasswordAttemptsSince=pwChecksSince,email=emailAddress',
  },
  neighbours: (userId) => [
    { pk: `USER#${userId}`, sk: 'ORDER#1', total: 42, pwHash: neighbourHash, pwChecks: 0 },
    { pk: `USER#${userId}`, sk: 'PROFILE#old', pwHash: neighbourHash, emailAddress: 'old@example.org' },
  ],
};

/** Both, for `describe.each`. */
export const LAYOUTS = [DEFAULT_TABLE_LAYOUT, SINGLE_TABLE_LAYOUT];
