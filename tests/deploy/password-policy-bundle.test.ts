import { describe, expect, it } from 'vitest';
import { bundledModules } from '../support/bundle.js';

/**
 * GET /v1/password-policy is a small function: it publishes the rules' settings, never runs the
 * rules, so its bundle carries no bcrypt, no zxcvbn or its word lists, no breached list, no Pwned
 * Passwords client, no store and no token verifier (tests/support/bundle.ts builds it as packaged).
 */
const HEAVY = /node_modules\/(bcryptjs|@zxcvbn-ts|hibp|jose|@aws-sdk)\/|lib\/core\/policy\/(password-strength|breached-password-list)|lib\/adapters\/|lib\/core\/change-password/;

describe('the password policy function bundle', () => {
  it('carries the published policy and its own handler, and none of the password machinery', async () => {
    const modules = await bundledModules('functions/password-policy/handler.ts');
    expect(modules.some((m) => m.endsWith('lib/core/policy/published-policy.ts'))).toBe(true);
    expect(modules.some((m) => m.endsWith('lib/http/password-policy-handler.ts'))).toBe(true);
    expect(modules.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it('is told apart from the change function, which does carry it', async () => {
    const modules = await bundledModules('functions/change-password/handler.ts');
    expect(modules.filter((m) => HEAVY.test(m)).length).toBeGreaterThan(5);
  });
});
