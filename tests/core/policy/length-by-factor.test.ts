import { describe, expect, it } from 'vitest';
import { buildPolicy, failedRules, minLengthFor, requirementsOf } from '../../../lib/core/policy/password-policy.js';

/** The minimum length by factor, pure: the rule reads the user's enrolment only when two minimums are set. */
const TWO = { minLength: 15, minLengthWithMfa: 8, requiredClasses: [], minUniqueChars: 1 } as const;
const plain = { userAttributes: [] };
const enrolled = { userAttributes: [], mfaEnrolled: true };

describe('minLengthFor', () => {
  it('is the second-factor minimum for an enrolled user, else the minimum; one minimum for everyone when none is set', () => {
    expect([minLengthFor(TWO, false), minLengthFor(TWO, true)]).toEqual([15, 8]);
    expect(minLengthFor({ ...TWO, minLengthWithMfa: undefined }, true)).toBe(15);
  });
});

describe('the minLength rule with two minimums', () => {
  const rules = buildPolicy(TWO);

  it('refuses 10 code points without a second factor and accepts them with one; 8 is the floor for both', () => {
    expect(failedRules(rules, 'kettle-orb', plain)).toEqual(['minLength']);
    expect(failedRules(rules, 'kettle-orb', enrolled)).toEqual([]);
    expect(failedRules(rules, 'kettle-orb-harbour', plain)).toEqual([]);
    expect(failedRules(rules, 'kettle', enrolled)).toEqual(['minLength']);
  });

  it('reads the user, and says which minimum applied', () => {
    const rule = rules.find((r) => r.id === 'minLength');
    expect(rule?.personal).toBe(true);
    expect(requirementsOf(rules, ['minLength'], plain)).toEqual({ minLength: 15 });
    expect(requirementsOf(rules, ['minLength'], enrolled)).toEqual({ minLength: 8 });
    expect(requirementsOf(rules, ['minUniqueChars'], plain)).toEqual({});
  });

  it('a length the user fails hides the other cheap rules’ success and every deferred rule', () => {
    const withGuessability = buildPolicy({ ...TWO, guessability: { minStrength: 3 } });
    // "password12" is common and weak, yet only its length is named for a user without a second factor.
    expect(failedRules(withGuessability, 'password12', plain)).toEqual(['minLength']);
    expect(failedRules(withGuessability, 'password12', enrolled)).toEqual(expect.arrayContaining(['commonPassword']));
  });
});

describe('the minLength rule with one minimum', () => {
  it('needs no user and says no minimum, whether or not the second-factor minimum equals it', () => {
    for (const config of [{ ...TWO, minLengthWithMfa: undefined }, { ...TWO, minLengthWithMfa: 15 }]) {
      const rules = buildPolicy(config);
      expect(rules.find((r) => r.id === 'minLength')?.personal).toBeUndefined();
      expect(failedRules(rules, 'kettle-orb', enrolled)).toEqual(['minLength']);
      expect(requirementsOf(rules, ['minLength'], enrolled)).toEqual({});
    }
  });
});
