import type { DynamoClientOptions } from '../adapters/dynamodb/client.js';
import type { TableLayout } from '../adapters/dynamodb/table-layout.js';
import type { BreachedPasswordSettings } from '../adapters/hibp/breached-passwords.js';
import type { ChangePasswordLimits } from '../core/change-password.js';
import { isDeliverableAddress, type NoticeSettings } from '../core/notify-owner.js';
import type { PasswordPolicyConfig } from '../core/policy/password-policy.js';
import { CHARACTER_CLASSES, type CharacterClass } from '../core/policy/password-rule.js';
import type { PublishedPolicySettings } from '../core/policy/published-policy.js';
import { MFA_REQUIREMENTS, type MfaRequirement, type StepUpConfig } from '../core/step-up.js';
import { ConfigError, httpsOrLocalUrl } from '../core/settings.js';
import type { LoggingSettings, ObservabilitySettings } from '../http/observability.js';
import { PASSWORD_MAX_CHARS } from '../http/request-schema.js';
import { boolean, integer, list, oneOf, optional, optionalInteger } from './parse.js';
import { dynamodbOptions, loadTableLayout, loadUserAccess, logging, observability, requiredUsersTable, type UserAccessConfig } from './user-access.js';
import { LOCAL_STAGE, VARIABLES } from './variables.js';

/**
 * `default`: AWS Cognito's default composition (8+ characters, lower, upper, digit, symbol) plus
 * guessability. `nist`: NIST SP 800-63B-4 §3.1.1.2 / OWASP ASVS 5.0 V6.2: no composition rules,
 * 15+ characters (the single-factor minimum; 8 beside a second factor), blocklist and guessability.
 */
export const PASSWORD_PROFILES = ['default', 'nist'] as const;
export type PasswordProfile = (typeof PASSWORD_PROFILES)[number];

/** The whole configuration of the change-password function, each part typed by the module that uses it. */
export interface Config extends UserAccessConfig {
  /** Its log lines, metrics and traces. */
  observability: ObservabilitySettings;
  bcryptCost: number;
  policy: PasswordPolicyConfig;
  protection: ChangePasswordLimits;
  /** Browser origins allowed by CORS; empty means CORS is off. */
  corsAllowedOrigins: string[];
  /** EventBridge bus for PasswordChanged events; undefined means none are recorded or published. */
  eventBusName: string | undefined;
  /** The Region the function runs in (AWS_REGION): its changes' events are relayed by this Region's relay. */
  region: string;
  breachedPasswords: BreachedPasswordSettings;
  /** MFA_REQUIRED, MFA_AMR_VALUES, MFA_ACR_VALUES, MAX_AUTH_AGE_SECONDS. */
  stepUp: StepUpConfig;
}

const requiredClasses = (env: NodeJS.ProcessEnv, profile: PasswordProfile): CharacterClass[] => {
  const raw = optional(env.PASSWORD_REQUIRED_CLASSES);
  if (raw === undefined) return profile === 'nist' ? [] : [...CHARACTER_CLASSES];
  if (raw === 'none') return [];
  if (profile === 'nist') {
    throw new ConfigError(`PASSWORD_REQUIRED_CLASSES must be unset or "none" with PASSWORD_PROFILE=nist: NIST SP 800-63B-4 forbids composition rules (got "${raw}")`);
  }
  const names = raw.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(CHARACTER_CLASSES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new ConfigError(`PASSWORD_REQUIRED_CLASSES may list only ${CHARACTER_CLASSES.join(', ')} (got "${unknown.join(',')}"), or "none" to require no class`);
  }
  return names as CharacterClass[];
};

/** On for every deployed stage, off on the laptop stage unless set: `npm start` and tests stay offline. */
const pwnedPasswordsEnabled = (env: NodeJS.ProcessEnv, stage: string): boolean => boolean(env, 'HIBP_ENABLED', stage !== LOCAL_STAGE);

const breachedPasswords = (env: NodeJS.ProcessEnv, stage: string): BreachedPasswordSettings => {
  const apiUrl = optional(env.HIBP_API_URL) ?? VARIABLES.HIBP_API_URL.default;
  if (httpsOrLocalUrl(apiUrl) === undefined) {
    throw new ConfigError(`HIBP_API_URL must be an https:// URL of the Pwned Passwords range API or a mirror (http:// only for localhost; got "${apiUrl}")`);
  }
  return {
    enabled: pwnedPasswordsEnabled(env, stage),
    apiUrl,
    timeoutMs: integer(env, 'HIBP_TIMEOUT_MS'),
    maxBreaches: integer(env, 'HIBP_MAX_BREACHES'),
    failClosed: boolean(env, 'HIBP_FAIL_CLOSED', VARIABLES.HIBP_FAIL_CLOSED.default),
  };
};

const passwordProfile = (env: NodeJS.ProcessEnv): PasswordProfile => oneOf<PasswordProfile>(env, 'PASSWORD_PROFILE', PASSWORD_PROFILES, VARIABLES.PASSWORD_PROFILE.default);

/**
 * The new-password rules (PASSWORD_*): what judges a change, and what GET /v1/password-policy
 * publishes. `nist` asks 15 code points of a password that is the only factor and 8 beside a
 * second factor (NIST SP 800-63B-4 §3.1.1.2); `default` keeps one minimum unless
 * PASSWORD_MIN_LENGTH_WITH_MFA is set.
 */
const passwordPolicy = (env: NodeJS.ProcessEnv, profile: PasswordProfile): PasswordPolicyConfig => {
  const minLength = integer(env, 'PASSWORD_MIN_LENGTH', profile === 'nist' ? 15 : undefined);
  const minLengthWithMfa = optionalInteger(env, 'PASSWORD_MIN_LENGTH_WITH_MFA') ?? (profile === 'nist' ? 8 : undefined);
  // Stryker disable next-line ConditionalExpression: `undefined > n` is false, so the first test only spares a comparison
  if (minLengthWithMfa !== undefined && minLengthWithMfa > minLength) {
    throw new ConfigError(`PASSWORD_MIN_LENGTH_WITH_MFA must not exceed PASSWORD_MIN_LENGTH (${minLength}): a second factor never asks for a longer password (got "${minLengthWithMfa}")`);
  }
  return {
    minLength,
    ...(minLengthWithMfa === undefined ? {} : { minLengthWithMfa }),
    requiredClasses: requiredClasses(env, profile),
    minUniqueChars: integer(env, 'PASSWORD_MIN_UNIQUE_CHARS', profile === 'nist' ? 1 : undefined),
    guessability: { minStrength: integer(env, 'PASSWORD_MIN_STRENGTH') },
  };
};

const stepUp = (env: NodeJS.ProcessEnv): StepUpConfig => ({
  required: oneOf<MfaRequirement>(env, 'MFA_REQUIRED', MFA_REQUIREMENTS, VARIABLES.MFA_REQUIRED.default),
  amrValues: list(optional(env.MFA_AMR_VALUES) ?? VARIABLES.MFA_AMR_VALUES.default),
  acrValues: list(env.MFA_ACR_VALUES),
  maxAuthAgeSeconds: optionalInteger(env, 'MAX_AUTH_AGE_SECONDS'),
});

const corsOrigins = (env: NodeJS.ProcessEnv): string[] => {
  const origins = list(env.CORS_ALLOWED_ORIGINS);
  const bad = origins.filter((o) => o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o));
  if (bad.length > 0) {
    throw new ConfigError(`CORS_ALLOWED_ORIGINS must be a comma-separated list of origins like https://app.example.com (got "${bad.join(',')}")`);
  }
  return origins;
};

/** An attribute name DynamoDB takes in an expression's names: 1 to 255 printable characters, no comma. */
const ATTRIBUTE_NAME = /^[^\s,\p{Cc}]{1,255}$/u;

const addressAttributes = (env: NodeJS.ProcessEnv): string[] => {
  const names = list(optional(env.NOTICE_ADDRESS_ATTRIBUTES) ?? VARIABLES.NOTICE_ADDRESS_ATTRIBUTES.default);
  const bad = names.filter((name) => !ATTRIBUTE_NAME.test(name));
  if (names.length === 0 || names.length > 10 || bad.length > 0) {
    // Stryker disable next-line StringLiteral: the '' fallback is never shown (unset means `email`, which is valid)
    throw new ConfigError(`NOTICE_ADDRESS_ATTRIBUTES must list 1 to 10 attribute names, comma-separated, such as email,recoveryEmail (got "${env.NOTICE_ADDRESS_ATTRIBUTES ?? ''}")`);
  }
  return [...new Set(names)];
};

/** The Region this function runs in, as Lambda sets it (the default on a laptop). */
const awsRegion = (env: NodeJS.ProcessEnv): string => optional(env.AWS_REGION) ?? VARIABLES.AWS_REGION.default;

/** The configuration of the passwordChangedRelay function: the table, its layout, the bus. */
export interface RelayConfig {
  usersTable: string;
  usersLayout: TableLayout;
  dynamodb: DynamoClientOptions;
  eventBusName: string;
  region: string;
  observability: LoggingSettings;
}

/** Reads and validates the relay's configuration once, at its cold start (and the local stack's). */
export const loadRelayConfig = (env: NodeJS.ProcessEnv = process.env): RelayConfig => {
  const eventBusName = optional(env.EVENT_BUS_NAME);
  if (eventBusName === undefined) throw new ConfigError('EVENT_BUS_NAME is required: the EventBridge bus the relay publishes PasswordChanged events on');
  return {
    usersTable: requiredUsersTable(env),
    usersLayout: loadTableLayout(env),
    dynamodb: dynamodbOptions(env),
    eventBusName,
    region: awsRegion(env),
    observability: logging(env),
  };
};

/** The configuration of the passwordChangedNotice function: no JWT, password or HTTP settings. */
export interface NoticeConfig {
  usersTable: string;
  usersLayout: TableLayout;
  dynamodb: DynamoClientOptions;
  /** IDEMPOTENCY_TABLE: one record per change notified. */
  idempotencyTable: string;
  notice: NoticeSettings;
  /** NOTICE_ADDRESS_ATTRIBUTES: where the owner's addresses are kept, each a logical name or an attribute. */
  addressAttributes: string[];
  observability: LoggingSettings;
}

/**
 * Reads and validates the notice function's configuration once, at its cold start. Throws
 * {@link ConfigError} naming the variable.
 */
export const loadNoticeConfig = (env: NodeJS.ProcessEnv = process.env): NoticeConfig => {
  const fromAddress = optional(env.NOTICE_FROM_ADDRESS);
  if (fromAddress === undefined || !isDeliverableAddress(fromAddress)) {
    throw new ConfigError(`NOTICE_FROM_ADDRESS must be the sender's email address, an SES verified identity such as no-reply@example.com (got "${fromAddress ?? ''}")`);
  }
  const resetUrl = optional(env.NOTICE_RESET_URL);
  // Stryker disable next-line ConditionalExpression: URL.canParse(undefined) is false, so the unset check only narrows the type
  if (resetUrl === undefined || !URL.canParse(resetUrl) || new URL(resetUrl).protocol !== 'https:') {
    throw new ConfigError(`NOTICE_RESET_URL must be the https:// page where a user resets a password they did not change (got "${resetUrl ?? ''}")`);
  }
  const idempotencyTable = optional(env.IDEMPOTENCY_TABLE);
  if (idempotencyTable === undefined) throw new ConfigError('IDEMPOTENCY_TABLE is required: the DynamoDB table that records the events already handled');
  return {
    usersTable: requiredUsersTable(env),
    usersLayout: loadTableLayout(env),
    dynamodb: dynamodbOptions(env),
    idempotencyTable,
    notice: { fromAddress, resetUrl },
    addressAttributes: addressAttributes(env),
    observability: logging(env),
  };
};

/**
 * Reads and validates the whole configuration once. Throws {@link ConfigError} naming the
 * variable, so a misconfigured function fails at cold start rather than on a request.
 */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const access = loadUserAccess(env);
  return {
    ...access,
    observability: observability(env),
    bcryptCost: integer(env, 'BCRYPT_COST'),
    policy: passwordPolicy(env, passwordProfile(env)),
    protection: {
      maxAttempts: integer(env, 'LOCKOUT_MAX_ATTEMPTS'),
      windowSeconds: integer(env, 'LOCKOUT_WINDOW_SECONDS'),
      historySize: integer(env, 'PASSWORD_HISTORY_SIZE'),
      replayWindowSeconds: integer(env, 'REPLAY_WINDOW_SECONDS'),
    },
    corsAllowedOrigins: corsOrigins(env),
    eventBusName: optional(env.EVENT_BUS_NAME),
    region: awsRegion(env),
    breachedPasswords: breachedPasswords(env, access.stage),
    stepUp: stepUp(env),
  };
};

/** The configuration of GET /v1/password-policy: the published rules, and CORS. No table, no key source. */
export interface PasswordPolicyRouteConfig {
  published: PublishedPolicySettings;
  corsAllowedOrigins: string[];
}

/**
 * Reads the variables the policy route publishes, with the very parsing the change function
 * judges by, so the two cannot disagree. Throws {@link ConfigError} naming the variable.
 */
export const loadPasswordPolicyRouteConfig = (env: NodeJS.ProcessEnv = process.env): PasswordPolicyRouteConfig => ({
  published: {
    policy: passwordPolicy(env, passwordProfile(env)),
    maxLength: PASSWORD_MAX_CHARS,
    historySize: integer(env, 'PASSWORD_HISTORY_SIZE'),
    pwnedPasswordsLookup: pwnedPasswordsEnabled(env, optional(env.STAGE) ?? VARIABLES.STAGE.default),
  },
  corsAllowedOrigins: corsOrigins(env),
});
