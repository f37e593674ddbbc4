import { breachedListRule } from './breached-password-list.js';
import { codePointLength, type CharacterClass, type PolicyContext, type PolicyRule } from './password-rule.js';
import { guessabilityRules, type GuessabilityConfig } from './password-strength.js';

/** The new-password policy's settings (PASSWORD_* variables). */
export interface PasswordPolicyConfig {
  minLength: number;
  requiredClasses: readonly CharacterClass[];
  minUniqueChars: number;
  /** The deferred blocklist, personal-word and zxcvbn rules (password-strength.ts); absent: none. */
  guessability?: GuessabilityConfig | undefined;
}

const CLASS_PATTERNS: Record<CharacterClass, RegExp> = {
  lower: /\p{Ll}/u,
  upper: /\p{Lu}/u,
  digit: /\p{Nd}/u,
  // Anything that is not a letter, a digit or whitespace counts as a symbol.
  symbol: /[^\p{L}\p{Nd}\s]/u,
};

/**
 * Builds the rule list for a configuration: the seed's "length, complexity, character diversity",
 * then, when guessability is configured, the deferred rules of lib/core/policy/password-strength.ts and the
 * bundled breached-password list (lib/core/policy/breached-password-list.ts).
 */
export const buildPolicy = (config: PasswordPolicyConfig): readonly PolicyRule[] => [
  { id: 'minLength', test: (pw) => codePointLength(pw) >= config.minLength },
  ...config.requiredClasses.map((cls): PolicyRule => ({ id: cls, test: (pw) => CLASS_PATTERNS[cls].test(pw) })),
  { id: 'minUniqueChars', test: (pw) => new Set(pw).size >= config.minUniqueChars },
  ...(config.guessability === undefined ? [] : [...guessabilityRules(config.guessability), breachedListRule()]),
];

// Stryker disable next-line ObjectLiteral,ArrayDeclaration: only rules that are not personal ever see it, and they read no context
const NO_USER: PolicyContext = { userAttributes: [] };

/**
 * Starts checking a password: runs now everything that needs no user (the cheap rules, then the
 * deferred ones or their user-independent part), and returns the function that finishes the
 * check once the user's attributes are known. The use case runs the first half while DynamoDB
 * loads the user. The result is that of {@link failedRules}.
 */
export const startPolicyCheck = (rules: readonly PolicyRule[], password: string): ((context: PolicyContext) => string[]) => {
  const cheap = rules.filter((rule) => !(rule.deferred ?? false) && !rule.test(password, NO_USER)).map((rule) => rule.id);
  if (cheap.length > 0) return () => cheap;
  const deferred = rules.filter((rule) => rule.deferred ?? false).map((rule) => {
    // Stryker disable next-line ConditionalExpression: prepare is the same test split in two, for speed
    if (rule.prepare !== undefined) return { id: rule.id, finish: rule.prepare(password) };
    if (rule.personal ?? false) return { id: rule.id, finish: (context: PolicyContext) => rule.test(password, context) };
    const passed = rule.test(password, NO_USER);
    return { id: rule.id, finish: () => passed };
  });
  return (context) => deferred.filter((rule) => !rule.finish(context)).map((rule) => rule.id);
};

/**
 * Returns the ids of the rules the password fails, in rule order; empty when it passes. Deferred
 * rules run only if no other rule failed, so their ids appear only on their own. Cheap rules must
 * not be personal: they run before the user is known.
 */
export const failedRules = (rules: readonly PolicyRule[], password: string, context: PolicyContext): string[] =>
  startPolicyCheck(rules, password)(context);
