import { describe, expect, it } from 'vitest';
import { passwordPolicyHandler } from '../../lib/compose.js';
import { loadConfig, loadPasswordPolicyRouteConfig } from '../../lib/config/load.js';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { buildPolicy } from '../../lib/core/policy/password-policy.js';
import { RESPONSE_HEADERS } from '../../lib/http/envelope.js';
import type { HttpEvent, HttpResult } from '../../lib/http/event.js';
import { PASSWORD_POLICY_ROUTE } from '../../lib/http/routes.js';
import { lambdaContext } from '../support/harness.js';
import { openApiProblems } from '../support/openapi.js';

/**
 * GET /v1/password-policy through its real handler, built by the composition from the environment
 * as Lambda builds it: the rules in force, no token, cacheable, the change route's hardening.
 */
const get = async (env: Record<string, string> = {}, event: Partial<HttpEvent> & { headers?: Record<string, string> } = {}): Promise<HttpResult> => {
  const handler = passwordPolicyHandler(loadPasswordPolicyRouteConfig(env));
  const result = await handler({ version: '2.0', headers: {}, requestContext: { http: { method: 'GET' } }, ...event }, lambdaContext());
  expect(openApiProblems(result, 'get', PASSWORD_POLICY_ROUTE.path)).toEqual([]);
  return result;
};
const data = (result: HttpResult) => (JSON.parse(result.body) as { data: Record<string, unknown> }).data;

describe('GET /v1/password-policy', () => {
  it('answers the default profile’s rules with nothing configured, without a token', async () => {
    const result = await get();

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      status: true,
      data: {
        minLength: 8,
        minLengthWithMfa: 8,
        maxLength: 128,
        requiredClasses: ['lower', 'upper', 'digit', 'symbol'],
        characterClasses: { lower: '\\p{Ll}', upper: '\\p{Lu}', digit: '\\p{Nd}', symbol: '[^\\p{L}\\p{Nd}\\s]' },
        minUniqueChars: 5,
        minStrength: 3,
        historySize: 5,
        commonPasswordCheck: true,
        personalInfoCheck: true,
        breachedPasswordCheck: { bundledList: true, pwnedPasswords: false },
        ruleIds: ['minLength', 'lower', 'upper', 'digit', 'symbol', 'minUniqueChars', 'commonPassword', 'personalInfo', 'strength', 'breachedPassword'],
      },
    });
  });

  it('answers the nist profile: 15 code points, 8 with a second factor, no classes, 1 distinct character', async () => {
    expect(data(await get({ PASSWORD_PROFILE: 'nist' }))).toMatchObject({ minLength: 15, minLengthWithMfa: 8, requiredClasses: [], minUniqueChars: 1 });
  });

  it('follows every setting that judges a change, and says when the Pwned Passwords range API is asked', async () => {
    const env = { PASSWORD_MIN_LENGTH: '12', PASSWORD_MIN_LENGTH_WITH_MFA: '9', PASSWORD_REQUIRED_CLASSES: 'lower,digit', PASSWORD_MIN_UNIQUE_CHARS: '7', PASSWORD_MIN_STRENGTH: '0', PASSWORD_HISTORY_SIZE: '0', STAGE: 'prod' };
    expect(data(await get(env))).toMatchObject({
      minLength: 12,
      minLengthWithMfa: 9,
      requiredClasses: ['lower', 'digit'],
      minUniqueChars: 7,
      minStrength: 0,
      historySize: 0,
      breachedPasswordCheck: { bundledList: true, pwnedPasswords: true },
      ruleIds: ['minLength', 'lower', 'digit', 'minUniqueChars', 'commonPassword', 'personalInfo', 'breachedPassword'],
    });
  });

  it('names exactly the rule ids the change function builds from the same environment', async () => {
    for (const env of [{}, { PASSWORD_PROFILE: 'nist' }, { PASSWORD_MIN_STRENGTH: '0', PASSWORD_REQUIRED_CLASSES: 'none' }] as Record<string, string>[]) {
      const change = loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET, ...env });
      expect(data(await get(env)).ruleIds, JSON.stringify(env)).toEqual(buildPolicy(change.policy).map((rule) => rule.id));
    }
  });

  it('is cacheable by anyone for five minutes, with the change route’s hardening headers', async () => {
    const { headers } = await get();
    expect(headers).toEqual({ ...RESPONSE_HEADERS, 'Cache-Control': 'public, max-age=300' });
  });

  it('answers 405 1005 in the envelope, not cacheable, for another method', async () => {
    const result = await get({}, { requestContext: { http: { method: 'POST' } } });
    expect(result).toEqual({ statusCode: 405, headers: RESPONSE_HEADERS, body: '{"status":false,"error":{"code":1005,"message":"Method not allowed"}}' });
  });

  it('allows the configured browser origins to read it', async () => {
    const env = { CORS_ALLOWED_ORIGINS: 'https://app.example.com' };
    expect((await get(env, { headers: { Origin: 'https://app.example.com' } })).headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    expect((await get(env, { headers: { Origin: 'https://evil.example.com' } })).headers['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('fails at cold start, naming the variable, on a setting the change function would refuse', () => {
    expect(() => loadPasswordPolicyRouteConfig({ PASSWORD_MIN_LENGTH_WITH_MFA: '7' })).toThrow(/PASSWORD_MIN_LENGTH_WITH_MFA must be a whole number from 8 to 128/);
    expect(() => loadPasswordPolicyRouteConfig({ PASSWORD_MIN_LENGTH: '10', PASSWORD_MIN_LENGTH_WITH_MFA: '12' })).toThrow(/must not exceed PASSWORD_MIN_LENGTH/);
    expect(() => loadPasswordPolicyRouteConfig({ PASSWORD_PROFILE: 'strict' })).toThrow(/PASSWORD_PROFILE/);
  });
});
