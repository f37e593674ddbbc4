import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/core/settings.js';
import { dynamodbOptions, loadUserAccess, observability } from '../../lib/config/user-access.js';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';

/** The token authorizer's configuration: the part every function shares, parsed alike, and nothing else. */
const ENV = { USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET, USERS_KEY: 'pk=USER#{sub}', USERS_ATTRIBUTE_NAMES: 'passwordChangedBySession=pwdBy' };

describe('loadUserAccess', () => {
  it('is the change function’s configuration minus the change function’s own settings', () => {
    const { stage, usersTable, usersLayout, dynamodb, jwt, observability: { serviceName } } = loadConfig(ENV);
    // The authorizer logs but neither emits metrics nor traces: the service name is all it reads of Powertools'.
    expect(loadUserAccess(ENV)).toEqual({ stage, usersTable, usersLayout, dynamodb, jwt, observability: { serviceName } });
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

describe('tracing', () => {
  const LAMBDA = { POWERTOOLS_TRACE_ENABLED: 'true', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };
  it.each([
    ['inside Lambda with POWERTOOLS_TRACE_ENABLED=true, in any case', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: ' TRUE ' }, true],
    ['with POWERTOOLS_TRACE_ENABLED unset', { AWS_EXECUTION_ENV: LAMBDA.AWS_EXECUTION_ENV }, false],
    ['with POWERTOOLS_TRACE_ENABLED=false', { ...LAMBDA, POWERTOOLS_TRACE_ENABLED: 'false' }, false],
    ['outside Lambda (no AWS_EXECUTION_ENV)', { POWERTOOLS_TRACE_ENABLED: 'true' }, false],
    ['outside Lambda (empty AWS_EXECUTION_ENV)', { ...LAMBDA, AWS_EXECUTION_ENV: '' }, false],
    ['under sam local', { ...LAMBDA, AWS_SAM_LOCAL: 'true' }, false],
  ])('is %s: %s', (_case, env, on) => {
    expect(observability(env).tracing).toBe(on);
  });
});

describe('DYNAMODB_ENDPOINT credentials', () => {
  it('signs with placeholder credentials only when the shell has none', () => {
    expect(dynamodbOptions({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toEqual({ endpoint: 'http://127.0.0.1:8000', region: undefined, placeholderCredentials: true });
    expect(dynamodbOptions({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_REGION: 'us-east-1' })).toEqual({
      endpoint: 'http://127.0.0.1:8000', region: 'us-east-1', placeholderCredentials: false,
    });
  });
});
