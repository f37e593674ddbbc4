/**
 * Where a user's record lives in the table (USERS_KEY, USERS_ATTRIBUTE_NAMES): its whole primary
 * key and the attribute each logical field is stored in. The DynamoDB adapter addresses the item
 * and writes its expressions through this; the configuration parses the variables into it.
 */

/**
 * The attributes this service reads or writes, by logical name, with the attribute each is stored
 * in by default. USERS_ATTRIBUTE_NAMES overrides any of them; a new attribute is one line here.
 */
export const USER_ATTRIBUTES = {
  passwordHash: 'passwordHash',
  passwordChangedAt: 'passwordChangedAt',
  passwordHistory: 'passwordHistory',
  /** The OIDC `sid` of the token that made the last change: that session's tokens stay valid. */
  passwordChangedBySession: 'passwordChangedBySession',
  /** The brute-force counter: old-password checks taken in the window that started at `oldPasswordAttemptsSince`. */
  oldPasswordAttempts: 'oldPasswordAttempts',
  oldPasswordAttemptsSince: 'oldPasswordAttemptsSince',
  /** The change's PasswordChanged events not yet relayed: a list, oldest first (the outbox). */
  pendingPasswordChanged: 'pendingPasswordChanged',
  /** Read only: the user enrolled a second factor when it holds the boolean true (MFA_REQUIRED=when-enrolled). */
  mfaEnrolled: 'mfaEnrolled',
  // Personal attributes the policy refuses passwords built on (read only).
  email: 'email',
  username: 'username',
  name: 'name',
  displayName: 'displayName',
} as const;
export type UserAttribute = keyof typeof USER_ATTRIBUTES;

/** Which of them this service writes: none of these may be a key attribute. */
export const WRITTEN_ATTRIBUTES: readonly UserAttribute[] = ['passwordHash', 'passwordChangedAt', 'passwordChangedBySession', 'passwordHistory', 'oldPasswordAttempts', 'oldPasswordAttemptsSince', 'pendingPasswordChanged'];

/** The personal attributes handed to the policy. */
export const PERSONAL_ATTRIBUTES = ['email', 'username', 'name', 'displayName'] as const satisfies readonly UserAttribute[];

/** One attribute of the item's primary key and its value, where `{sub}` stands for the token's subject. */
export interface KeyTemplate {
  attribute: string;
  template: string;
}

/** Where a user's record lives in the table: its whole primary key, and the attribute names. */
export interface TableLayout {
  /** The partition key, then the sort key if the table has one. */
  key: readonly KeyTemplate[];
  attributes: Readonly<Record<UserAttribute, string>>;
}

/** The table infra/users-table.yml creates: partition key `userId` holding the subject. */
export const DEFAULT_LAYOUT: TableLayout = { key: [{ attribute: 'userId', template: '{sub}' }], attributes: USER_ATTRIBUTES };

/** DynamoDB's limits on key values, in UTF-8 bytes: partition key, then sort key. */
const KEY_BYTES = [2048, 1024];

/**
 * The item's whole primary key for a token subject (USERS_KEY). A replacer function, so `$&` and
 * friends in a subject are not replacement patterns. Undefined when a value would exceed DynamoDB's
 * key limits: no item can have such a key.
 */
export const itemKey = (layout: TableLayout, userId: string): Record<string, string> | undefined => {
  const values = layout.key.map(({ attribute, template }) => [attribute, template.replaceAll('{sub}', () => userId)] as const);
  // Stryker disable next-line StringLiteral: Node reads an empty encoding as its default, UTF-8
  return values.every(([, value], i) => Buffer.byteLength(value, 'utf8') <= (KEY_BYTES[i] ?? 0)) ? Object.fromEntries(values) : undefined;
};
