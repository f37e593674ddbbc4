import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../../lib/config/variables.js';
import { loadConfig } from '../../../lib/config/load.js';
import { type PasswordPolicyConfig } from '../../../lib/core/policy/password-policy.js';
import { buildPolicy, failedRules } from '../../../lib/core/policy/password-policy.js';
import { codePointLength, POLICY_RULE_IDS } from '../../../lib/core/policy/password-rule.js';

const context = { userAttributes: [] };
const defaults = loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET }).policy;

/** A policy that checks only the length, so each length case fails for one reason alone. */
const lengthOnly = (minLength: number): PasswordPolicyConfig => ({ minLength, requiredClasses: [], minUniqueChars: 1 });

describe('password policy with the defaults from loadConfig', () => {
  it('accepts the seed example new password "NewSecureP@ssw0rd!"', () => {
    // Arrange
    const rules = buildPolicy(defaults);

    // Act
    const failed = failedRules(rules, 'NewSecureP@ssw0rd!', context);

    // Assert
    expect(failed).toEqual([]);
  });

  it('builds the rules in a fixed order: length, the four classes, diversity, guessability, then the breached list', () => {
    // Arrange / Act
    const ids = buildPolicy(defaults).map((rule) => rule.id);

    // Assert
    expect(ids).toEqual([...POLICY_RULE_IDS]);
  });

  it('returns every failed rule id in rule order for an empty password', () => {
    // Arrange
    const rules = buildPolicy(defaults);

    // Act
    const failed = failedRules(rules, '', context);

    // Assert
    expect(failed).toEqual(['minLength', 'lower', 'upper', 'digit', 'symbol', 'minUniqueChars']);
  });

  it('returns only the failed ids, still in rule order', () => {
    // Arrange: too short, has lower case only, 1 distinct character
    const rules = buildPolicy(defaults);

    // Act
    const failed = failedRules(rules, 'aaaa', context);

    // Assert
    expect(failed).toEqual(['minLength', 'upper', 'digit', 'symbol', 'minUniqueChars']);
  });
});

describe('minLength rule', () => {
  it('refuses 7 characters and accepts 8 at minLength 8', () => {
    // Arrange
    const rules = buildPolicy(lengthOnly(8));

    // Act / Assert
    expect(failedRules(rules, 'abcdefg', context)).toEqual(['minLength']);
    expect(failedRules(rules, 'abcdefgh', context)).toEqual([]);
  });

  it('counts Unicode code points, not UTF-16 units (7 emoji are 14 units but 7 characters)', () => {
    // Arrange
    const rules = buildPolicy(lengthOnly(8));
    const sevenEmoji = '😀'.repeat(7);
    const eightEmoji = '😀'.repeat(8);

    // Act / Assert
    expect(sevenEmoji.length).toBe(14);
    expect(codePointLength(sevenEmoji)).toBe(7);
    expect(failedRules(rules, sevenEmoji, context)).toEqual(['minLength']);
    expect(failedRules(rules, eightEmoji, context)).toEqual([]);
  });

  it('counts a precomposed accented letter as one character', () => {
    // Arrange
    const rules = buildPolicy(lengthOnly(8));

    // Act / Assert
    expect(failedRules(rules, 'ééééééé', context)).toEqual(['minLength']);
    expect(failedRules(rules, 'éééééééé', context)).toEqual([]);
  });

  it('honours a higher configured minLength', () => {
    // Arrange
    const rules = buildPolicy({ ...defaults, minLength: 12 });

    // Act / Assert
    expect(failedRules(rules, 'Aa1!Bb2@Cc3', context)).toEqual(['minLength']);
    expect(failedRules(rules, 'Aa1!Bb2@Cc3#', context)).toEqual([]);
  });
});

describe('character class rules', () => {
  const rules = buildPolicy({ minLength: 8, requiredClasses: ['lower', 'upper', 'digit', 'symbol'], minUniqueChars: 1 });

  it.each([
    ['lower', 'ABCDEF1!'],
    ['upper', 'abcdef1!'],
    ['digit', 'Abcdefg!'],
    ['symbol', 'Abcdefg1'],
  ])('fails only "%s" when the password lacks that class (%s)', (id, password) => {
    // Act
    const failed = failedRules(rules, password, context);

    // Assert
    expect(failed).toEqual([id]);
  });

  it('recognises non-ASCII lower and upper case letters', () => {
    // Act / Assert: "é" is lower case and "É" upper case
    expect(failedRules(rules, 'ÉCOLE12!', context)).toEqual(['lower']);
    expect(failedRules(rules, 'école12!', context)).toEqual(['upper']);
    expect(failedRules(rules, 'Écolé12!', context)).toEqual([]);
  });

  it('recognises non-ASCII decimal digits', () => {
    // Act: "٣" is ARABIC-INDIC DIGIT THREE
    const failed = failedRules(rules, 'Abcdef٣!', context);

    // Assert
    expect(failed).toEqual([]);
  });

  it('does not count whitespace as a symbol', () => {
    // Act
    const failed = failedRules(rules, 'Abc def1', context);

    // Assert
    expect(failed).toEqual(['symbol']);
  });

  it('counts punctuation and emoji as symbols', () => {
    // Act / Assert
    expect(failedRules(rules, 'Abcdef1.', context)).toEqual([]);
    expect(failedRules(rules, 'Abcdef1😀', context)).toEqual([]);
  });

  it('requires no class at all when requiredClasses is empty', () => {
    // Arrange
    const noClasses = buildPolicy({ minLength: 8, requiredClasses: [], minUniqueChars: 5 });

    // Act / Assert
    expect(noClasses.map((rule) => rule.id)).toEqual(['minLength', 'minUniqueChars']);
    expect(failedRules(noClasses, 'abcdefgh', context)).toEqual([]);
  });

  it('checks only the configured classes, in the configured order', () => {
    // Arrange
    const rulesSubset = buildPolicy({ minLength: 8, requiredClasses: ['symbol', 'upper'], minUniqueChars: 1 });

    // Act
    const failed = failedRules(rulesSubset, 'abcdefgh', context);

    // Assert: no digit rule, and symbol reported before upper
    expect(failed).toEqual(['symbol', 'upper']);
  });
});

describe('minUniqueChars rule', () => {
  it('refuses a password with 4 distinct characters and accepts 5 at the default', () => {
    // Arrange
    const rules = buildPolicy(defaults);

    // Act / Assert
    expect(failedRules(rules, 'Aa1!Aa1!Aa1!', context)).toEqual(['minUniqueChars']);
    expect(failedRules(rules, 'Aa1!bAa1!bAa1!', context)).toEqual([]);
  });

  it('counts distinct code points, not UTF-16 units', () => {
    // Arrange: three emoji share one high surrogate, so they are 4 distinct units but 3 characters
    const rules = buildPolicy({ minLength: 8, requiredClasses: [], minUniqueChars: 4 });
    const password = '😀😁😂😀😁😂😀😁';

    // Act
    const failed = failedRules(rules, password, context);

    // Assert
    expect(new Set(password.split('')).size).toBe(4);
    expect(failed).toEqual(['minUniqueChars']);
  });

  it('is case-sensitive: "a" and "A" are two characters', () => {
    // Arrange
    const rules = buildPolicy({ minLength: 8, requiredClasses: [], minUniqueChars: 2 });

    // Act / Assert
    expect(failedRules(rules, 'aaaaaaaa', context)).toEqual(['minUniqueChars']);
    expect(failedRules(rules, 'aAaAaAaA', context)).toEqual([]);
  });
});
