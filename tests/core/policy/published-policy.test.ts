import { describe, expect, it } from 'vitest';
import { buildPolicy, type PasswordPolicyConfig } from '../../../lib/core/policy/password-policy.js';
import { CLASS_PATTERN_SOURCES, POLICY_RULE_IDS } from '../../../lib/core/policy/password-rule.js';
import { publishedPolicy } from '../../../lib/core/policy/published-policy.js';

/** The published policy, pure: what it says for each shape of the rules' settings. */
const composition: PasswordPolicyConfig = { minLength: 10, requiredClasses: ['digit', 'lower'], minUniqueChars: 4 };
const publish = (policy: PasswordPolicyConfig, pwnedPasswordsLookup = false) => publishedPolicy({ policy, maxLength: 128, historySize: 3, pwnedPasswordsLookup });

describe('publishedPolicy', () => {
  it('without guessability: no common, personal or bundled check and no strength, and names only the rules built', () => {
    const published = publish(composition);
    expect(published).toEqual({
      minLength: 10,
      minLengthWithMfa: 10,
      maxLength: 128,
      requiredClasses: ['digit', 'lower'],
      characterClasses: CLASS_PATTERN_SOURCES,
      minUniqueChars: 4,
      minStrength: 0,
      historySize: 3,
      commonPasswordCheck: false,
      personalInfoCheck: false,
      breachedPasswordCheck: { bundledList: false, pwnedPasswords: false },
      ruleIds: ['minLength', 'digit', 'lower', 'minUniqueChars'],
    });
    expect(published.ruleIds).toEqual(buildPolicy(composition).map((rule) => rule.id));
  });

  it('names breachedPassword when only the Pwned Passwords lookup runs', () => {
    expect(publish(composition, true)).toMatchObject({ breachedPasswordCheck: { bundledList: false, pwnedPasswords: true }, ruleIds: ['minLength', 'digit', 'lower', 'minUniqueChars', 'breachedPassword'] });
  });

  it('with guessability: the checks run, strength only above 0, the ids in the order the rules run', () => {
    for (const minStrength of [0, 2]) {
      const policy = { ...composition, minLengthWithMfa: 8, guessability: { minStrength } };
      const published = publish(policy);
      expect(published).toMatchObject({ minLengthWithMfa: 8, minStrength, commonPasswordCheck: true, personalInfoCheck: true, breachedPasswordCheck: { bundledList: true, pwnedPasswords: false } });
      expect(published.ruleIds).toEqual(buildPolicy(policy).map((rule) => rule.id));
      expect(published.ruleIds.includes('strength')).toBe(minStrength > 0);
      expect(published.ruleIds.every((id) => (POLICY_RULE_IDS as readonly string[]).includes(id))).toBe(true);
    }
  });

  it('publishes each class as the pattern the rule tests with', () => {
    const rules = buildPolicy({ minLength: 8, requiredClasses: ['lower', 'upper', 'digit', 'symbol'], minUniqueChars: 1 });
    for (const [cls, source] of Object.entries(publish(composition).characterClasses)) {
      for (const sample of ['a', 'Ä', '٣', '😀', ' ', 'ǅ', '_']) {
        const rule = rules.find((r) => r.id === cls);
        expect(rule?.test(sample, { userAttributes: [] }), `${cls} ${sample}`).toBe(new RegExp(source, 'u').test(sample));
      }
    }
  });
});
