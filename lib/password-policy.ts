import type { CharacterClass, PasswordPolicyConfig } from './config.js';
import { breachedListRule } from './breached-password-list.js';
import { codePointLength, type PolicyContext, type PolicyRule } from './password-rule.js';
import { guessabilityRules } from './password-strength.js';

export { codePointLength, type PolicyContext, type PolicyRule };

const CLASS_PATTERNS: Record<CharacterClass, RegExp> = {
  lower: /\p{Ll}/u,
  upper: /\p{Lu}/u,
  digit: /\p{Nd}/u,
  // Anything that is not a letter, a digit or whitespace counts as a symbol.
  symbol: /[^\p{L}\p{Nd}\s]/u,
};

/**
 * Builds the rule list for a configuration: the seed's "length, complexity, character diversity",
 * then, when guessability is configured, the deferred rules of lib/password-strength.ts and the
 * bundled breached-password list (lib/breached-password-list.ts).
 */
export const buildPolicy = (config: PasswordPolicyConfig): readonly PolicyRule[] => [
  { id: 'minLength', test: (pw) => codePointLength(pw) >= config.minLength },
  ...config.requiredClasses.map((cls): PolicyRule => ({ id: cls, test: (pw) => CLASS_PATTERNS[cls].test(pw) })),
  { id: 'minUniqueChars', test: (pw) => new Set(pw).size >= config.minUniqueChars },
  ...(config.guessability === undefined ? [] : [...guessabilityRules(config.guessability), breachedListRule]),
];

/**
 * Returns the ids of the rules the password fails, in rule order; empty when it passes. Deferred
 * rules run only if no other rule failed, so their ids appear only on their own.
 */
export const failedRules = (rules: readonly PolicyRule[], password: string, context: PolicyContext): string[] => {
  const failing = (deferred: boolean) => rules.filter((rule) => (rule.deferred ?? false) === deferred && !rule.test(password, context)).map((rule) => rule.id);
  const cheap = failing(false);
  return cheap.length > 0 ? cheap : failing(true);
};
