import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/core/settings.js';
import { loadUserAccess } from '../../lib/config/user-access.js';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';

/** The token authorizer's configuration: the part every function shares, parsed alike, and nothing else. */
const ENV = { USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET, USERS_KEY: 'pk=USER#{sub}', USERS_ATTRIBUTE_NAMES: 'passwordChangedBySession=pwdBy' };

describe('loadUserAccess', () => {
  it('is the change function’s configuration minus the change function’s own settings', () => {
    const { stage, usersTable, usersLayout, dynamodb, jwt, observability } = loadConfig(ENV);
    expect(loadUserAccess(ENV)).toEqual({ stage, usersTable, usersLayout, dynamodb, jwt, observability });
    expect(loadUserAccess(ENV).usersLayout.attributes.passwordChangedBySession).toBe('pwdBy');
  });

  it('ignores a bad value of a setting only the change function reads, which still fails the change function', () => {
    const env = { ...ENV, BCRYPT_COST: 'twelve', PASSWORD_PROFILE: 'strict' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(loadUserAccess(env).usersTable).toBe('users');
  });

  it('refuses what it reads as loadConfig does: no table, no key source', () => {
    expect(() => loadUserAccess({ JWT_SECRET: DEV_JWT_SECRET })).toThrow(/USERS_TABLE is required/);
    expect(() => loadUserAccess({ USERS_TABLE: 'users' })).toThrow(/Set exactly one of JWT_SECRET/);
  });
});

describe('OTHER_SESSIONS_ON_CHANGE', () => {
  it('is read by the authorizer and the change function alike, unset meaning sign-out', () => {
    expect(loadUserAccess(ENV).otherSessions).toBeUndefined();
    expect(loadUserAccess({ ...ENV, OTHER_SESSIONS_ON_CHANGE: 'user-choice' }).otherSessions).toBe('user-choice');
    expect(loadConfig({ ...ENV, OTHER_SESSIONS_ON_CHANGE: 'sign-out' }).otherSessions).toBe('sign-out');
    expect(() => loadUserAccess({ ...ENV, OTHER_SESSIONS_ON_CHANGE: 'keep' })).toThrow('OTHER_SESSIONS_ON_CHANGE must be one of sign-out, user-choice (got "keep")');
  });
});
