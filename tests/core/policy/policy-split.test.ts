import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../../lib/config/variables.js';
import { loadConfig } from '../../../lib/config/load.js';
import { buildPolicy, startPolicyCheck } from '../../../lib/core/policy/password-policy.js';
import { type PolicyRule } from '../../../lib/core/policy/password-rule.js';
import { createStrengthEstimator, personalWords } from '../../../lib/core/policy/password-strength.js';

const { estimate: estimateGuessability, userWordsMayMatch } = createStrengthEstimator();

/**
 * The policy in two steps (lib/core/policy/password-policy.ts startPolicyCheck): what needs no user runs while
 * DynamoDB loads the user, the rest after. The split must give exactly the answer of checking
 * everything at once with the user's attributes.
 */
const policy = buildPolicy(loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET }).policy);
const strength = policy.find((rule) => rule.id === 'strength') as PolicyRule;
const ana = { userAttributes: ['ana.silva@example.com', 'asilva85', 'Ana Silva', 'Ana'] };

/** Every rule at once, with the user: what the policy answered before the split. */
const atOnce = (rules: readonly PolicyRule[], password: string, context: { userAttributes: string[] }): string[] => {
  const failing = (deferred: boolean) => rules.filter((r) => (r.deferred ?? false) === deferred && !r.test(password, context)).map((r) => r.id);
  const cheap = failing(false);
  return cheap.length > 0 ? cheap : failing(true);
};

/** Passwords built from the user's words, l33t spellings, reversals, and random text. */
const words = ['ana', 'silva', 'asilva85', 'example', 'bob', 'user', 'bench'];
const l33t = (s: string) => s.replace(/a/g, '4').replace(/s/g, '$').replace(/i/g, '1').replace(/e/g, '3').replace(/o/g, '0');
const piece = fc.oneof(
  fc.constantFrom(...words),
  fc.constantFrom(...words).map(l33t),
  fc.constantFrom(...words).map((w) => [...w].reverse().join('')),
  fc.constantFrom(...words).map((w) => w.toUpperCase()),
  fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_.|/<>') }),
);
const password = fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));
const attributes = fc.subarray(['ana.silva@example.com', 'asilva85', 'Ana Silva', 'bob@example.com', 'bench-user-7@example.com', 'bench-user-7'], { minLength: 0 });

describe('the policy in two steps', () => {
  it.each([
    ['Ana.Silva1985!', ana.userAttributes],
    ['A-S1lva-Ladder-42', ana.userAttributes],
    ['Blue-Cactus-Ladder-42', ana.userAttributes],
    ['P@ssw0rd123!', ana.userAttributes],
    ['short', []],
    ['Q1w2e3r4t5!', []],
  ])('gives the same answer for %s as checking everything at once', (pw, userAttributes) => {
    expect(startPolicyCheck(policy, pw)({ userAttributes })).toEqual(atOnce(policy, pw, { userAttributes }));
  });

  it('agrees with the one-step check for any password built from the user\'s words', () => {
    fc.assert(fc.property(password, attributes, (pw, userAttributes) => {
      expect(startPolicyCheck(policy, pw)({ userAttributes })).toEqual(atOnce(policy, pw, { userAttributes }));
    }), { numRuns: 150 });
  });

  it('runs rules that need no user in the first step, and personal ones only in the second', () => {
    const calls: string[] = [];
    const rules: PolicyRule[] = [
      { id: 'cheap', test: () => (calls.push('cheap'), true) },
      { id: 'deferred', deferred: true, test: () => (calls.push('deferred'), true) },
      { id: 'personal', deferred: true, personal: true, test: (_, c) => (calls.push('personal'), c.userAttributes.length === 0) },
    ];
    const finish = startPolicyCheck(rules, 'anything');
    expect(calls).toEqual(['cheap', 'deferred']);
    expect(finish({ userAttributes: ['someone'] })).toEqual(['personal']);
    expect(calls).toEqual(['cheap', 'deferred', 'personal']);
  });

  it('answers a failed cheap rule without running the deferred ones', () => {
    let deferredRuns = 0;
    const rules: PolicyRule[] = [
      { id: 'cheap', test: () => false },
      { id: 'deferred', deferred: true, test: () => ((deferredRuns += 1), false) },
    ];
    expect(startPolicyCheck(rules, 'x')(ana)).toEqual(['cheap']);
    expect(deferredRuns).toBe(0);
  });
});

describe('the strength rule split', () => {
  it('re-estimates with the user\'s words only when one of them could match', () => {
    fc.assert(fc.property(password, attributes, (pw, userAttributes) => {
      const alone = estimateGuessability(pw, []).guessesLog10;
      const withUser = estimateGuessability(pw, userAttributes).guessesLog10;
      // The shortcut is safe: when no word could match, the user's words change nothing.
      if (!userWordsMayMatch(pw, personalWords(userAttributes))) expect(withUser).toBe(alone);
      // And more words never raise the estimate, so failing without them means failing with them.
      expect(withUser).toBeLessThanOrEqual(alone);
      expect(strength.prepare?.(pw)({ userAttributes })).toBe(strength.test(pw, { userAttributes }));
    }), { numRuns: 150 });
  });

  it('sees a user word through l33t spelling and reversal', () => {
    expect(userWordsMayMatch('Xx-S1lv4-99', ['silva'])).toBe(true);
    expect(userWordsMayMatch('Xx-4vl1s-99', ['silva'])).toBe(true);
    expect(userWordsMayMatch('|_|$3r-Ladder', ['user'])).toBe(true);
    expect(userWordsMayMatch('Blue-Cactus-Ladder-42', ['silva', 'example'])).toBe(false);
  });
});
