import { breachedListRule } from './breached-password-list.js';
import { CLASS_PATTERN_SOURCES, codePointLength, type CharacterClass, type PolicyContext, type PolicyRule } from './password-rule.js';
import { guessabilityRules, type GuessabilityConfig } from './password-strength.js';

/** The new-password policy's settings (PASSWORD_* variables). */
export interface PasswordPolicyConfig {
  minLength: number;
  /** The minimum for a user whose record says a second factor is enrolled; absent: `minLength` for everyone. */
  minLengthWithMfa?: number | undefined;
  requiredClasses: readonly CharacterClass[];
  minUniqueChars: number;
  /** The deferred blocklist, personal-word and zxcvbn rules (password-strength.ts); absent: none. */
  guessability?: GuessabilityConfig | undefined;
}

/** The minimum length that applies to a user, by whether they enrolled a second factor. */
export const minLengthFor = ({ minLength, minLengthWithMfa }: PasswordPolicyConfig, mfaEnrolled: boolean): number =>
  mfaEnrolled ? (minLengthWithMfa ?? minLength) : minLength;

/**
 * One minimum for everyone needs no user. Two minimums (NIST SP 800-63B-4 §3.1.1.2: 15 for a
 * password that is the only factor, 8 beside a second factor) make the rule read the user's
 * enrolment, so it runs once the user is loaded (still cheap, still before the deferred rules).
 */
const minLengthRule = (config: PasswordPolicyConfig): PolicyRule =>
  config.minLengthWithMfa === undefined || config.minLengthWithMfa === config.minLength
    ? { id: 'minLength', test: (pw) => codePointLength(pw) >= config.minLength }
    : {
      id: 'minLength',
      personal: true,
      test: (pw, context) => codePointLength(pw) >= minLengthFor(config, context.mfaEnrolled ?? false),
      requirement: (context) => ({ minLength: minLengthFor(config, context.mfaEnrolled ?? false) }),
    };

/** Each class's pattern, compiled from the text the published policy gives apps. */
const CLASS_PATTERNS = Object.fromEntries(Object.entries(CLASS_PATTERN_SOURCES).map(([cls, source]) => [cls, new RegExp(source, 'u')])) as Record<CharacterClass, RegExp>;

/**
 * Builds the rule list for a configuration: the seed's "length, complexity, character diversity",
 * then, when guessability is configured, the deferred rules of lib/core/policy/password-strength.ts and the
 * bundled breached-password list (lib/core/policy/breached-password-list.ts).
 */
export const buildPolicy = (config: PasswordPolicyConfig): readonly PolicyRule[] => [
  minLengthRule(config),
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
  const cheap = rules.filter((rule) => !(rule.deferred ?? false));
  // A cheap rule that reads the user (the length by factor) is decided once the user is known.
  const failedNow = new Set(cheap.filter((rule) => !(rule.personal ?? false) && !rule.test(password, NO_USER)));
  const cheapFailures = (context: PolicyContext): string[] =>
    cheap.filter((rule) => failedNow.has(rule) || ((rule.personal ?? false) && !rule.test(password, context))).map((rule) => rule.id);
  if (failedNow.size > 0) return cheapFailures;
  const deferred = rules.filter((rule) => rule.deferred ?? false).map((rule) => {
    // Stryker disable next-line ConditionalExpression: prepare is the same test split in two, for speed
    if (rule.prepare !== undefined) return { id: rule.id, finish: rule.prepare(password) };
    if (rule.personal ?? false) return { id: rule.id, finish: (context: PolicyContext) => rule.test(password, context) };
    const passed = rule.test(password, NO_USER);
    return { id: rule.id, finish: () => passed };
  });
  return (context) => {
    const failed = cheapFailures(context);
    return failed.length > 0 ? failed : deferred.filter((rule) => !rule.finish(context)).map((rule) => rule.id);
  };
};

/**
 * Returns the ids of the rules the password fails, in rule order; empty when it passes. Deferred
 * rules run only if no other rule failed, so their ids appear only on their own.
 */
export const failedRules = (rules: readonly PolicyRule[], password: string, context: PolicyContext): string[] =>
  startPolicyCheck(rules, password)(context);

/** What the failed rules asked of this user, for the refusal's `details` (empty for rules that ask the same of everyone). */
export const requirementsOf = (rules: readonly PolicyRule[], failed: readonly string[], context: PolicyContext): Readonly<Record<string, number>> =>
  Object.assign({}, ...rules.filter((rule) => failed.includes(rule.id)).map((rule) => rule.requirement?.(context) ?? {})) as Record<string, number>;
