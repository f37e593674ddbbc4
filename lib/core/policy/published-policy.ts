/**
 * The password policy as apps may read it (GET /v1/password-policy): the rules a change is judged
 * by, stated so that a form can guide the user before they submit (NIST SP 800-63B-4 §3.1.1.2:
 * the verifier SHALL offer guidance). Built from the same settings as the rules themselves, and
 * free of their code: no zxcvbn, word list, breached list, bcrypt or Pwned Passwords client.
 * Nothing secret: no URL, no breach-count threshold, nothing about any user.
 */
import { CLASS_PATTERN_SOURCES, type CharacterClass } from './password-rule.js';
import type { PasswordPolicyConfig } from './password-policy.js';

/** What the published policy is derived from: the rules' settings and the checks around them. */
export interface PublishedPolicySettings {
  policy: PasswordPolicyConfig;
  /** The contract's longest password, in code points. */
  maxLength: number;
  /** Previous passwords a new one may not match (PASSWORD_HISTORY_SIZE). */
  historySize: number;
  /** Whether the Pwned Passwords range API is asked too (HIBP_ENABLED). */
  pwnedPasswordsLookup: boolean;
}

/** The body's `data` of GET /v1/password-policy (docs/openapi.yaml `PasswordPolicy`). */
export interface PublishedPolicy {
  /** Lengths count Unicode code points of the NFC form. */
  minLength: number;
  /** The minimum for a user with a second factor enrolled; equal to `minLength` unless configured. */
  minLengthWithMfa: number;
  maxLength: number;
  requiredClasses: CharacterClass[];
  /** Each class as a Unicode regular expression body (use it with the `u` flag). */
  characterClasses: Record<CharacterClass, string>;
  /** Distinct characters (code points) the password must hold. */
  minUniqueChars: number;
  /** The zxcvbn score (0–4) a password must reach; 0: not scored. */
  minStrength: number;
  historySize: number;
  commonPasswordCheck: boolean;
  personalInfoCheck: boolean;
  breachedPasswordCheck: { bundledList: boolean; pwnedPasswords: boolean };
  /** Every id `error.details.failedRules` of a 5025 can name under this policy, in rule order. */
  ruleIds: string[];
}

/** The published policy for a configuration; the rule ids follow lib/core/policy/password-policy.ts `buildPolicy`. */
export const publishedPolicy = ({ policy, maxLength, historySize, pwnedPasswordsLookup }: PublishedPolicySettings): PublishedPolicy => {
  const guessability = policy.guessability;
  const minStrength = guessability?.minStrength ?? 0;
  const guessabilityIds = guessability === undefined ? [] : ['commonPassword', 'personalInfo', ...(minStrength > 0 ? ['strength'] : [])];
  const breached = guessability !== undefined || pwnedPasswordsLookup;
  return {
    minLength: policy.minLength,
    minLengthWithMfa: policy.minLengthWithMfa ?? policy.minLength,
    maxLength,
    requiredClasses: [...policy.requiredClasses],
    characterClasses: { ...CLASS_PATTERN_SOURCES },
    minUniqueChars: policy.minUniqueChars,
    minStrength,
    historySize,
    commonPasswordCheck: guessability !== undefined,
    personalInfoCheck: guessability !== undefined,
    breachedPasswordCheck: { bundledList: guessability !== undefined, pwnedPasswords: pwnedPasswordsLookup },
    ruleIds: ['minLength', ...policy.requiredClasses, 'minUniqueChars', ...guessabilityIds, ...(breached ? ['breachedPassword'] : [])],
  };
};
