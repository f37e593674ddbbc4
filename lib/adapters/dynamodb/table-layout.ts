/**
 * Where a user's record lives in the table (USERS_KEY, USERS_ATTRIBUTE_NAMES): its whole primary
 * key and the attribute each logical field is stored in. The DynamoDB adapter addresses the item
 * and writes its expressions through this; {@link parseTableLayout} holds the variables' rules, and
 * the configuration hands it their values.
 */
import { ConfigError } from '../../core/settings.js';

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
  /** From when tokens are valid, when a change kept the other sessions; absent, the last change. */
  tokensValidFrom: 'tokensValidFrom',
} as const;
export type UserAttribute = keyof typeof USER_ATTRIBUTES;

/** Which of them this service writes: none of these may be a key attribute. */
export const WRITTEN_ATTRIBUTES: readonly UserAttribute[] = ['passwordHash', 'passwordChangedAt', 'passwordChangedBySession', 'tokensValidFrom', 'passwordHistory', 'oldPasswordAttempts', 'oldPasswordAttemptsSince', 'pendingPasswordChanged'];

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

/** DynamoDB attribute names are 1 to 255 bytes of UTF-8. */
// Stryker disable next-line StringLiteral: Node reads an empty encoding as its default, UTF-8
const attributeName = (raw: string): boolean => raw !== '' && Buffer.byteLength(raw, 'utf8') <= 255;

/** `a=b,c=d` into trimmed pairs, or undefined when any pair is not `name=value` with both sides set. */
const pairs = (raw: string): [string, string][] | undefined => {
  const parsed = raw.split(',').map((pair): [string, string] | undefined => {
    const at = pair.indexOf('=');
    // Stryker disable next-line EqualityOperator: a pair starting with = has an empty name, refused below anyway
    if (at < 0) return undefined;
    const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    return attributeName(name) && value !== '' ? [name, value] : undefined;
  });
  return parsed.every((p) => p !== undefined) ? parsed : undefined;
};

const usersKey = (raw: string): KeyTemplate[] => {
  const parsed = pairs(raw);
  const example = 'such as userId={sub} or pk=USER#{sub},sk=PROFILE';
  if (parsed === undefined || parsed.length > 2) {
    throw new ConfigError(`USERS_KEY must be one or two comma-separated attribute=template pairs (partition key, then sort key), ${example} (got "${raw}")`);
  }
  const key = parsed.map(([attribute, template]) => ({ attribute, template }));
  if (new Set(key.map((k) => k.attribute)).size !== key.length) throw new ConfigError(`USERS_KEY names the same attribute twice (got "${raw}")`);
  // Stryker disable next-line StringLiteral: any replacement without a brace reads the same
  if (key.some((k) => /[{}]/.test(k.template.replaceAll('{sub}', '')))) {
    throw new ConfigError(`USERS_KEY templates may use only the placeholder {sub} (got "${raw}")`);
  }
  if (!key.some((k) => k.template.includes('{sub}'))) {
    throw new ConfigError(`USERS_KEY must put {sub} (the token's subject) in the key, or every user would share one item, ${example} (got "${raw}")`);
  }
  return key;
};

const attributeNames = (raw: string | undefined, key: readonly KeyTemplate[]): Record<UserAttribute, string> => {
  // Unset renames nothing, but the key is still checked against the attributes this service writes.
  const parsed = raw === undefined ? [] : pairs(raw);
  const known = Object.keys(USER_ATTRIBUTES);
  if (parsed === undefined || parsed.some(([, attribute]) => !attributeName(attribute))) {
    throw new ConfigError(`USERS_ATTRIBUTE_NAMES must be comma-separated name=attribute pairs such as passwordHash=pwHash,email=emailAddress (got "${raw}")`);
  }
  const unknown = parsed.filter(([name]) => !known.includes(name)).map(([name]) => name);
  if (unknown.length > 0) throw new ConfigError(`USERS_ATTRIBUTE_NAMES may rename only ${known.join(', ')} (got "${unknown.join(',')}")`);
  const names = { ...USER_ATTRIBUTES, ...Object.fromEntries(parsed) } as Record<UserAttribute, string>;
  if (parsed.length !== new Set(parsed.map(([name]) => name)).size) throw new ConfigError(`USERS_ATTRIBUTE_NAMES renames an attribute twice (got "${raw}")`);
  const stored = Object.values(names);
  const shared = stored.filter((attribute, i) => stored.indexOf(attribute) !== i);
  if (shared.length > 0) throw new ConfigError(`USERS_ATTRIBUTE_NAMES stores two attributes in "${shared.join('", "')}"; each needs its own`);
  const keyAttributes = key.map((k) => k.attribute);
  const written = WRITTEN_ATTRIBUTES.filter((name) => keyAttributes.includes(names[name]));
  if (written.length > 0) {
    throw new ConfigError(`USERS_ATTRIBUTE_NAMES / USERS_KEY: ${written.join(', ')} would be stored in a key attribute, which an update cannot change`);
  }
  return names;
};

/** The variables a table layout is read from, trimmed; USERS_KEY with its default applied, USERS_ATTRIBUTE_NAMES undefined when unset. */
export interface TableLayoutSettings {
  USERS_KEY: string;
  USERS_ATTRIBUTE_NAMES: string | undefined;
}

/**
 * The layout USERS_KEY and USERS_ATTRIBUTE_NAMES describe. Throws ConfigError, naming the variable,
 * for a key without `{sub}`, a renamed attribute this service does not know, two attributes stored
 * in one, or a written attribute stored in a key attribute.
 */
export const parseTableLayout = (settings: TableLayoutSettings): TableLayout => {
  const key = usersKey(settings.USERS_KEY);
  return { key, attributes: attributeNames(settings.USERS_ATTRIBUTE_NAMES, key) };
};
