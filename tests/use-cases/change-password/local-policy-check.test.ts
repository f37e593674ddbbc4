import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPasswordLocally, type PasswordPolicy } from '../../../client/change-password.js';
import { passwordPolicyHandler } from '../../../lib/compose.js';
import { loadPasswordPolicyRouteConfig } from '../../../lib/config/load.js';
import { apiEvent, lambdaContext, SEED_OLD, useHarness, type Harness } from '../../support/harness.js';

/**
 * An app that checks a password with the published policy (client/ `checkPasswordLocally`, fed the
 * answer of GET /v1/password-policy) agrees with the server on length, classes and distinct
 * characters, for any password: code points, the NFC form, letters of other scripts, digits that
 * are not ASCII, astral symbols. The server's verdict comes from the real change handler, for a
 * user who has no password yet (so a password that passes those rules ends at 5023 or at a
 * deferred rule, and nothing is ever changed), with and without a second factor.
 */
const CHEAP = new Set(['minLength', 'lower', 'upper', 'digit', 'symbol', 'minUniqueChars']);
const PIECES = ['a', 'q', 'Z', 'K', '7', '0', '!', '#', ' ', '_', 'é', 'e\u0301', 'ß', 'Ω', 'ω', 'ǅ', '٣', '中', '😀', '𝐀', 'ﬁ', '\u00a0'];
const passwords = fc.array(fc.constantFrom(...PIECES), { minLength: 8, maxLength: 24 }).map((pieces) => pieces.join(''));

/** The published policy for `env`, through the policy route's real handler. */
const published = async (env: Record<string, string>): Promise<PasswordPolicy> => {
  const answer = await passwordPolicyHandler(loadPasswordPolicyRouteConfig(env))({ version: '2.0', requestContext: { http: { method: 'GET' } } }, lambdaContext());
  return (JSON.parse(answer.body) as { data: PasswordPolicy }).data;
};

/** The server's verdict on those rules: the ids of a 5025 that names them, else none. */
const serverVerdict = async (h: Harness, token: string, password: string): Promise<string[]> => {
  const { error } = JSON.parse((await h.invoke(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: password } }))).body) as { error?: { code: number; details?: { failedRules?: string[] } } };
  if (error === undefined || ![5023, 5025].includes(error.code)) throw new Error(`unexpected answer ${JSON.stringify(error)}`);
  const failed = error.details?.failedRules ?? [];
  return failed.every((id) => CHEAP.has(id)) ? failed : [];
};

const PROFILES: [string, Record<string, string>][] = [
  ['the default profile', {}],
  ['the nist profile', { PASSWORD_PROFILE: 'nist' }],
  ['a custom policy with a minimum by factor', { PASSWORD_MIN_LENGTH: '12', PASSWORD_MIN_LENGTH_WITH_MFA: '9', PASSWORD_REQUIRED_CLASSES: 'lower,upper,digit', PASSWORD_MIN_UNIQUE_CHARS: '6' }],
];

describe.each(PROFILES)('a local check with the published policy of %s', (_name, env) => {
  const { h } = useHarness({}, { env: { ...env, LOCKOUT_MAX_ATTEMPTS: '100' } });

  it.each([false, true])('agrees with the server on length, classes and distinct characters (mfaEnrolled %s)', async (mfaEnrolled) => {
    const policy = await published(env);
    const { userId, token } = await h.seedUser({ mfaEnrolled });
    await h.removeAttributes(userId, ['passwordHash']);
    await fc.assert(
      fc.asyncProperty(passwords, async (password) => {
        expect(checkPasswordLocally(policy, password, { mfaEnrolled }), JSON.stringify(password)).toEqual(await serverVerdict(h, token, password));
      }),
      { numRuns: 40, examples: [['kettle-orb'], ['Aé1!aaaa'], ['e\u0301e\u0301e\u0301e\u0301Ab1!']] },
    );
  });
});
