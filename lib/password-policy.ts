import type { CharacterClass, PasswordPolicyConfig } from './config.js';

/**
 * The new-password policy as a list of independent rules. Each rule has a stable id that the
 * client receives in `error.details.failedRules`; adding a protection means adding a rule.
 */
export interface PolicyContext {
  /** The user's own attributes (email, username…) for rules that refuse personal passwords. */
  readonly userAttributes: readonly string[];
}

export interface PolicyRule {
  readonly id: string;
  /** True when the password passes. Rules are cheap and synchronous. */
  readonly test: (password: string, context: PolicyContext) => boolean;
}

const CLASS_PATTERNS: Record<CharacterClass, RegExp> = {
  lower: /\p{Ll}/u,
  upper: /\p{Lu}/u,
  digit: /\p{Nd}/u,
  // Anything that is not a letter, a digit or whitespace counts as a symbol.
  symbol: /[^\p{L}\p{Nd}\s]/u,
};

/** Length is counted in Unicode code points, as the contract's "characters". */
export const codePointLength = (s: string): number => [...s].length;

/** Builds the rule list for a configuration (the seed's "length, complexity, character diversity"). */
export const buildPolicy = (config: PasswordPolicyConfig): readonly PolicyRule[] => [
  { id: 'minLength', test: (pw) => codePointLength(pw) >= config.minLength },
  ...config.requiredClasses.map((cls): PolicyRule => ({ id: cls, test: (pw) => CLASS_PATTERNS[cls].test(pw) })),
  { id: 'minUniqueChars', test: (pw) => new Set(pw).size >= config.minUniqueChars },
];

/** Returns the ids of the rules the password fails; empty when it passes. */
export const failedRules = (rules: readonly PolicyRule[], password: string, context: PolicyContext): string[] =>
  rules.filter((rule) => !rule.test(password, context)).map((rule) => rule.id);
