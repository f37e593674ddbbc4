import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/core/settings.js';
import { USER_ATTRIBUTES, WRITTEN_ATTRIBUTES } from '../../lib/adapters/dynamodb/table-layout.js';
import { itemKey } from '../../lib/adapters/dynamodb/table-layout.js';

/** USERS_KEY and USERS_ATTRIBUTE_NAMES: the platform's own table layout. */
const layout = (vars: Record<string, string>) => loadConfig({ USERS_TABLE: 'users', JWT_SECRET: 's'.repeat(32), ...vars }).usersLayout;
const configError = (vars: Record<string, string>): string => {
  try {
    layout(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
};

describe('USERS_KEY', () => {
  it('defaults to today’s layout: partition key userId holding the subject, attributes under their own names', () => {
    const { key, attributes } = layout({});
    expect(key).toEqual([{ attribute: 'userId', template: '{sub}' }]);
    expect(attributes).toEqual(USER_ATTRIBUTES);
    expect(itemKey({ key, attributes }, 'alice')).toEqual({ userId: 'alice' });
  });

  it('reads a single-table key: partition then sort key, {sub} replaced by the subject', () => {
    const parsed = layout({ USERS_KEY: ' pk = USER#{sub} , sk=PROFILE' });
    expect(parsed.key).toEqual([{ attribute: 'pk', template: 'USER#{sub}' }, { attribute: 'sk', template: 'PROFILE' }]);
    expect(itemKey(parsed, 'alice')).toEqual({ pk: 'USER#alice', sk: 'PROFILE' });
  });

  it('puts the subject in literally, even when it looks like a replacement pattern', () => {
    const parsed = layout({ USERS_KEY: 'pk=USER#{sub}' });
    expect(itemKey(parsed, "$&$'$`{sub}")).toEqual({ pk: "USER#$&$'$`{sub}" });
  });

  it('gives no key for a subject DynamoDB could not store as one (partition 2048, sort 1024 bytes)', () => {
    const parsed = layout({ USERS_KEY: 'pk=TENANT,sk=USER#{sub}' });
    expect(itemKey(parsed, 'x'.repeat(1019))).toEqual({ pk: 'TENANT', sk: `USER#${'x'.repeat(1019)}` });
    expect(itemKey(parsed, 'x'.repeat(1020))).toBeUndefined();
  });

  it.each([
    ['no =', 'userId', 'USERS_KEY must be one or two comma-separated attribute=template pairs'],
    ['an empty template', 'pk=', 'USERS_KEY must be one or two'],
    ['an empty attribute', '=USER#{sub}', 'USERS_KEY must be one or two'],
    ['an empty pair', 'pk=USER#{sub},', 'USERS_KEY must be one or two'],
    ['three pairs', 'a={sub},b=x,c=y', 'USERS_KEY must be one or two'],
    ['the same attribute twice', 'pk={sub},pk=PROFILE', 'USERS_KEY names the same attribute twice'],
    ['no {sub}', 'pk=USER,sk=PROFILE', 'USERS_KEY must put {sub}'],
    ['another placeholder', 'pk=USER#{id}', 'USERS_KEY templates may use only the placeholder {sub}'],
  ])('refuses %s, naming the variable', (_case, value, message) => {
    expect(configError({ USERS_KEY: value })).toContain(message);
  });
  it('says what a key looks like when it cannot read one', () => {
    expect(configError({ USERS_KEY: 'userId' })).toBe('USERS_KEY must be one or two comma-separated attribute=template pairs (partition key, then sort key), such as userId={sub} or pk=USER#{sub},sk=PROFILE (got "userId")');
  });

  it('refuses another placeholder in either key attribute', () => {
    expect(configError({ USERS_KEY: 'pk=USER#{id},sk={sub}' })).toContain('USERS_KEY templates may use only the placeholder {sub}');
  });
});

describe('USERS_ATTRIBUTE_NAMES', () => {
  it('renames the attributes it lists and keeps the others', () => {
    const { attributes } = layout({ USERS_ATTRIBUTE_NAMES: 'passwordHash=pwHash, email = emailAddress' });
    expect(attributes).toEqual({ ...USER_ATTRIBUTES, passwordHash: 'pwHash', email: 'emailAddress' });
  });

  it('refuses an unknown name, listing the ones it knows', () => {
    const message = configError({ USERS_ATTRIBUTE_NAMES: 'passwordHash=pwHash,hash=h' });
    expect(message).toContain('USERS_ATTRIBUTE_NAMES may rename only passwordHash, passwordChangedAt, passwordHistory, passwordChangedBySession, oldPasswordAttempts, oldPasswordAttemptsSince, pendingPasswordChanged, mfaEnrolled, email, username, name, displayName');
    expect(message).toContain('(got "hash")');
  });

  it.each([
    ['no =', 'passwordHash', 'USERS_ATTRIBUTE_NAMES must be comma-separated name=attribute pairs'],
    ['an empty attribute', 'passwordHash=', 'USERS_ATTRIBUTE_NAMES must be comma-separated'],
    ['an attribute over 255 bytes', `passwordHash=${'a'.repeat(256)}`, 'USERS_ATTRIBUTE_NAMES must be comma-separated'],
    ['a name given twice', 'email=a,email=b', 'USERS_ATTRIBUTE_NAMES renames an attribute twice'],
    ['two names in one attribute', 'passwordHash=email', 'USERS_ATTRIBUTE_NAMES stores two attributes in "email"'],
  ])('refuses %s, naming the variable', (_case, value, message) => {
    expect(configError({ USERS_ATTRIBUTE_NAMES: value })).toContain(message);
  });

  it('takes an attribute name of 255 bytes', () => {
    expect(layout({ USERS_ATTRIBUTE_NAMES: `passwordHash=${'a'.repeat(255)}` }).attributes.passwordHash).toBe('a'.repeat(255));
  });

  it('refuses an attribute over 255 bytes after one that is fine', () => {
    expect(configError({ USERS_ATTRIBUTE_NAMES: `email=e,passwordHash=${'a'.repeat(256)}` })).toContain('USERS_ATTRIBUTE_NAMES must be comma-separated');
  });

  it('lists every unknown name and every attribute stored twice', () => {
    expect(configError({ USERS_ATTRIBUTE_NAMES: 'hash=h,salt=s' })).toContain('(got "hash,salt")');
    expect(configError({ USERS_ATTRIBUTE_NAMES: 'passwordHash=email,username=name' })).toBe('USERS_ATTRIBUTE_NAMES stores two attributes in "email", "name"; each needs its own');
  });

  it.each(WRITTEN_ATTRIBUTES)('refuses a key attribute named %s, which this service writes', (name) => {
    expect(configError({ USERS_KEY: `${name}=USER#{sub}` })).toBe(`USERS_ATTRIBUTE_NAMES / USERS_KEY: ${name} would be stored in a key attribute, which an update cannot change`);
  });

  it('names every written attribute a key would hold', () => {
    expect(configError({ USERS_KEY: 'passwordHash={sub},passwordHistory=PROFILE' })).toContain('USERS_ATTRIBUTE_NAMES / USERS_KEY: passwordHash, passwordHistory would be stored');
  });

  it('refuses to write a password attribute into a key attribute (an update cannot change a key)', () => {
    expect(configError({ USERS_KEY: 'pk=USER#{sub}', USERS_ATTRIBUTE_NAMES: 'passwordHash=pk' })).toContain('USERS_ATTRIBUTE_NAMES / USERS_KEY: passwordHash would be stored in a key attribute');
  });
});
