/**
 * What every password rule shares: the rule type, the context it is given and how characters are
 * counted. Its own module so that lib/core/policy/password-policy.ts (the cheap rules and the list) and
 * lib/core/policy/password-strength.ts (the guessability rules) both import it, and only the policy imports
 * the strength rules: no import cycle.
 */

/** Which character classes the composition rule can require (PASSWORD_REQUIRED_CLASSES); each is a rule id. */
export const CHARACTER_CLASSES = ['lower', 'upper', 'digit', 'symbol'] as const;
export type CharacterClass = (typeof CHARACTER_CLASSES)[number];

/**
 * What each class means, as the body of a Unicode regular expression (flag `u`): the composition
 * rule compiles these texts, and GET /v1/password-policy gives the same texts to apps.
 */
export const CLASS_PATTERN_SOURCES: Readonly<Record<CharacterClass, string>> = {
  lower: '\\p{Ll}',
  upper: '\\p{Lu}',
  digit: '\\p{Nd}',
  // Anything that is not a letter, a digit or whitespace counts as a symbol.
  symbol: '[^\\p{L}\\p{Nd}\\s]',
};

/**
 * Every rule id, in the order the policy runs the rules: what a client may receive in
 * `error.details.failedRules`. The README's error table and docs/openapi.yaml list them
 * (tests/project/one-source.test.ts holds both to this list).
 */
export const POLICY_RULE_IDS = ['minLength', ...CHARACTER_CLASSES, 'minUniqueChars', 'commonPassword', 'personalInfo', 'strength', 'breachedPassword'] as const;
export type PolicyRuleId = (typeof POLICY_RULE_IDS)[number];

/**
 * The new-password policy is a list of independent rules. Each rule has a stable id that the
 * client receives in `error.details.failedRules`; adding a protection means adding a rule and its id.
 */
export interface PolicyContext {
  /** The user's own attributes (email, username…) for rules that refuse personal passwords. */
  readonly userAttributes: readonly string[];
  /** Whether the user's record says a second factor is enrolled (`mfaEnrolled`), for the length by factor. */
  readonly mfaEnrolled?: boolean;
}

export interface PolicyRule {
  /** One of {@link POLICY_RULE_IDS} for the policy's own rules; tests and benches add probes of their own. */
  readonly id: string;
  /** True when the password passes. Synchronous; a deferred rule may load its data on first use. */
  readonly test: (password: string, context: PolicyContext) => boolean;
  /**
   * Runs only when every rule that is not deferred passed: for rules that cost milliseconds or
   * load data, so a password that fails a cheap rule never pays for them.
   */
  readonly deferred?: boolean;
  /**
   * True when `test` reads the context (the user's attributes): such a rule runs only once the
   * user is loaded; the others run while the user is being loaded (lib/core/policy/password-policy.ts
   * `startPolicyCheck`).
   */
  readonly personal?: boolean;
  /**
   * Optional split of `test` for a personal rule with a costly part that needs no user: `prepare`
   * does that part, and the function it returns finishes the test with the context. Must agree
   * with `test` for every password and context.
   */
  readonly prepare?: (password: string) => (context: PolicyContext) => boolean;
  /**
   * What the rule asked of this user, for a refusal's `details` when it depends on the user (the
   * minimum length by factor: `{ minLength: 8 }`); absent for a rule that asks the same of everyone.
   */
  readonly requirement?: (context: PolicyContext) => Readonly<Record<string, number>>;
}

/** Length is counted in Unicode code points, as the contract's "characters". */
export const codePointLength = (s: string): number => [...s].length;

