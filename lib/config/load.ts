import { createPublicKey, type KeyObject } from 'node:crypto';
import * as v from 'valibot';
import type { DynamoClientOptions } from '../adapters/dynamodb/client.js';
import { USER_ATTRIBUTES, WRITTEN_ATTRIBUTES, type KeyTemplate, type TableLayout, type UserAttribute } from '../adapters/dynamodb/table-layout.js';
import type { BreachedPasswordSettings } from '../adapters/hibp/breached-passwords.js';
import type { JwtKeySource, JwtOptions, PublicKeyAlgorithm } from '../adapters/jwt/token-verifier.js';
import type { ChangePasswordLimits } from '../core/change-password.js';
import { isDeliverableAddress, type NoticeSettings } from '../core/notify-owner.js';
import { CHARACTER_CLASSES, type CharacterClass, type PasswordPolicyConfig } from '../core/policy/password-policy.js';
import { MFA_REQUIREMENTS, type MfaRequirement, type StepUpConfig } from '../core/step-up.js';
import type { ObservabilitySettings } from '../http/observability.js';
import { DEV_JWT_SECRET, JWT_KEY_SOURCES, LOCAL_STAGE, VARIABLES, type VariableName } from './variables.js';

/**
 * `default`: AWS Cognito's default composition (8+ characters, lower, upper, digit, symbol) plus
 * guessability. `nist`: NIST SP 800-63B-4 §3.1.1.2 / OWASP ASVS 5.0 V6.2: no composition rules,
 * 15+ characters (the single-factor minimum), blocklist and guessability.
 */
export const PASSWORD_PROFILES = ['default', 'nist'] as const;
export type PasswordProfile = (typeof PASSWORD_PROFILES)[number];

/** The whole configuration of the change-password function, each part typed by the module that uses it. */
export interface Config {
  stage: string;
  usersTable: string;
  /** USERS_KEY and USERS_ATTRIBUTE_NAMES. */
  usersLayout: TableLayout;
  /** DYNAMODB_ENDPOINT, with the region and credentials a local server is signed for. */
  dynamodb: DynamoClientOptions;
  jwt: JwtOptions;
  bcryptCost: number;
  policy: PasswordPolicyConfig;
  protection: ChangePasswordLimits;
  /** Browser origins allowed by CORS; empty means CORS is off. */
  corsAllowedOrigins: string[];
  /** EventBridge bus for PasswordChanged events; undefined means none are published. */
  eventBusName: string | undefined;
  breachedPasswords: BreachedPasswordSettings;
  /** MFA_REQUIRED, MFA_AMR_VALUES, MFA_ACR_VALUES, MAX_AUTH_AGE_SECONDS. */
  stepUp: StepUpConfig;
  observability: ObservabilitySettings;
}

/** A misconfiguration: the message names the variable and the fix. Thrown at cold start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const optional = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

type RangedVariable = { [N in VariableName]: (typeof VARIABLES)[N] extends { range: object } ? N : never }[VariableName];
type IntegerVariable = { [N in RangedVariable]: (typeof VARIABLES)[N] extends { default: number } ? N : never }[RangedVariable];

/** A whole number in the variable's range (lib/config/variables.ts), else its default or `fallback`. */
const integer = (env: NodeJS.ProcessEnv, name: IntegerVariable, fallback?: number): number => optionalInteger(env, name) ?? fallback ?? VARIABLES[name].default;

/** A whole number in the variable's range, or undefined when unset. */
const optionalInteger = (env: NodeJS.ProcessEnv, name: RangedVariable): number | undefined => {
  const { min, max } = VARIABLES[name].range;
  const raw = optional(env[name]);
  if (raw === undefined) return undefined;
  const parsed = v.safeParse(v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.integer(), v.minValue(min), v.maxValue(max)), raw);
  if (!parsed.success) throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return parsed.output;
};

/** An SSM hierarchical parameter name: "/" then letters, digits and _.-/ (at most 1011 characters). */
const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/** The URL when it is https://, or http:// to this machine (a local stand-in); else undefined. */
const httpsOrLocalUrl = (raw: string | undefined): URL | undefined => {
  const url = URL.canParse(raw ?? '') ? new URL(raw ?? '') : undefined;
  const local = url !== undefined && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return url !== undefined && (url.protocol === 'https:' || (url.protocol === 'http:' && local)) ? url : undefined;
};

/** The one algorithm a public key's type allows, so no token can choose another (no alg substitution). */
const algorithmFor = (key: KeyObject): PublicKeyAlgorithm | undefined => {
  const { asymmetricKeyType, asymmetricKeyDetails } = key;
  if (asymmetricKeyType === 'rsa') return 'RS256';
  if (asymmetricKeyType === 'ec' && asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (asymmetricKeyType === 'ed25519') return 'EdDSA';
  return undefined;
};

/**
 * JWT_PUBLIC_KEY as a key source: the PEM read (environments often carry it with literal "\n"; both
 * forms are accepted) and its algorithm. Throws ConfigError for text that is not a public key, or a
 * key of another type.
 */
export const publicKeySource = (pem: string): JwtKeySource => {
  let key: KeyObject;
  try {
    key = createPublicKey(pem.replace(/\\n/g, '\n'));
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY is not a readable PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  const algorithm = algorithmFor(key);
  if (algorithm === undefined) throw new ConfigError('JWT_PUBLIC_KEY must be an RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA) public key');
  return { kind: 'publicKey', key, algorithm };
};

const jwtKeySource = (env: NodeJS.ProcessEnv, stage: string): JwtKeySource => {
  const secret = optional(env[JWT_KEY_SOURCES.secret]);
  const pem = optional(env[JWT_KEY_SOURCES.publicKey]);
  const jwksUrl = optional(env[JWT_KEY_SOURCES.jwks]);
  const parameter = optional(env[JWT_KEY_SOURCES.secretParameter]);
  const given = [secret, pem, jwksUrl, parameter].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw new ConfigError('Set exactly one of JWT_SECRET (HS256, stage local), JWT_SECRET_PARAMETER (HS256 secret in SSM Parameter Store), JWT_PUBLIC_KEY (PEM) or JWT_JWKS_URL (remote JWKS) to verify bearer tokens');
  }
  if (parameter !== undefined) {
    // Hierarchical names only, so the IAM policy in infra/runtime-access.yml can name its ARN.
    if (!SSM_PARAMETER_NAME.test(parameter)) {
      throw new ConfigError(`JWT_SECRET_PARAMETER must be an SSM parameter name starting with "/", such as /change-password/prod/jwt-secret (got "${parameter}")`);
    }
    return { kind: 'secretParameter', name: parameter };
  }
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < 32) throw new ConfigError('JWT_SECRET must be at least 32 bytes long (RFC 7518 §3.2 for HS256)');
    if (stage !== LOCAL_STAGE && secret === DEV_JWT_SECRET) {
      throw new ConfigError(`JWT_SECRET is the local development secret, which only the "${LOCAL_STAGE}" stage accepts; stage "${stage}" (prod included) needs a real secret`);
    }
    return { kind: 'secret', secret };
  }
  if (pem !== undefined) return publicKeySource(pem);
  const url = httpsOrLocalUrl(jwksUrl);
  if (url === undefined) throw new ConfigError('JWT_JWKS_URL must be an https:// URL (http:// only for localhost)');
  return { kind: 'jwks', url };
};

/** DynamoDB attribute names are 1 to 255 bytes of UTF-8. */
const attributeName = (raw: string): boolean => raw !== '' && Buffer.byteLength(raw, 'utf8') <= 255;

/** `a=b,c=d` into trimmed pairs, or undefined when any pair is not `name=value` with both sides set. */
const pairs = (raw: string): [string, string][] | undefined => {
  const parsed = raw.split(',').map((pair): [string, string] | undefined => {
    const at = pair.indexOf('=');
    if (at < 0) return undefined;
    const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    return attributeName(name) && value !== '' ? [name, value] : undefined;
  });
  return parsed.every((p) => p !== undefined) ? parsed : undefined;
};

const usersKey = (env: NodeJS.ProcessEnv): KeyTemplate[] => {
  const raw = optional(env.USERS_KEY) ?? VARIABLES.USERS_KEY.default;
  const parsed = pairs(raw);
  const example = 'such as userId={sub} or pk=USER#{sub},sk=PROFILE';
  if (parsed === undefined || parsed.length > 2) {
    throw new ConfigError(`USERS_KEY must be one or two comma-separated attribute=template pairs (partition key, then sort key), ${example} (got "${raw}")`);
  }
  const key = parsed.map(([attribute, template]) => ({ attribute, template }));
  if (new Set(key.map((k) => k.attribute)).size !== key.length) throw new ConfigError(`USERS_KEY names the same attribute twice (got "${raw}")`);
  if (key.some((k) => /[{}]/.test(k.template.replaceAll('{sub}', '')))) {
    throw new ConfigError(`USERS_KEY templates may use only the placeholder {sub} (got "${raw}")`);
  }
  if (!key.some((k) => k.template.includes('{sub}'))) {
    throw new ConfigError(`USERS_KEY must put {sub} (the token's subject) in the key, or every user would share one item, ${example} (got "${raw}")`);
  }
  return key;
};

const attributeNames = (env: NodeJS.ProcessEnv, key: readonly KeyTemplate[]): Record<UserAttribute, string> => {
  const raw = optional(env.USERS_ATTRIBUTE_NAMES);
  if (raw === undefined) return { ...USER_ATTRIBUTES };
  const parsed = pairs(raw);
  const known = Object.keys(USER_ATTRIBUTES);
  if (parsed === undefined || parsed.some(([, attribute]) => !attributeName(attribute))) {
    throw new ConfigError(`USERS_ATTRIBUTE_NAMES must be comma-separated name=attribute pairs such as passwordHash=pwHash,email=emailAddress (got "${raw}")`);
  }
  const unknown = parsed.filter(([name]) => !known.includes(name)).map(([name]) => name);
  if (unknown.length > 0) throw new ConfigError(`USERS_ATTRIBUTE_NAMES may rename only ${known.join(', ')} (got "${unknown.join(',')}")`);
  const names = { ...USER_ATTRIBUTES, ...Object.fromEntries(parsed) } as Record<UserAttribute, string>;
  if (parsed.length !== new Set(parsed.map(([name]) => name)).size) throw new ConfigError(`USERS_ATTRIBUTE_NAMES renames an attribute twice (got "${raw}")`);
  const stored = Object.values(names);
  const shared = stored.filter((attribute, i) => stored.indexOf(attribute) !== i);
  if (shared.length > 0) throw new ConfigError(`USERS_ATTRIBUTE_NAMES stores two attributes in "${shared.join('", "')}"; each needs its own`);
  const keyAttributes = key.map((k) => k.attribute);
  const written = WRITTEN_ATTRIBUTES.filter((name) => keyAttributes.includes(names[name]));
  if (written.length > 0) {
    throw new ConfigError(`USERS_ATTRIBUTE_NAMES / USERS_KEY: ${written.join(', ')} would be stored in a key attribute, which an update cannot change`);
  }
  return names;
};

/** USERS_KEY and USERS_ATTRIBUTE_NAMES alone (the local scripts seed users in the same layout). */
export const loadTableLayout = (env: NodeJS.ProcessEnv = process.env): TableLayout => {
  const key = usersKey(env);
  return { key, attributes: attributeNames(env, key) };
};

const passwordProfile = (env: NodeJS.ProcessEnv): PasswordProfile => {
  const raw = optional(env.PASSWORD_PROFILE);
  if (raw === undefined) return VARIABLES.PASSWORD_PROFILE.default;
  if (!(PASSWORD_PROFILES as readonly string[]).includes(raw)) {
    throw new ConfigError(`PASSWORD_PROFILE must be one of ${PASSWORD_PROFILES.join(', ')} (got "${raw}")`);
  }
  return raw as PasswordProfile;
};

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

const boolean = (env: NodeJS.ProcessEnv, name: VariableName, fallback: boolean): boolean => {
  const raw = optional(env[name])?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false (got "${raw}")`);
  return raw === 'true';
};

/** On for every deployed stage, off on the laptop stage unless set: `npm start` and tests stay offline. */
const breachedPasswords = (env: NodeJS.ProcessEnv, stage: string): BreachedPasswordSettings => {
  const apiUrl = optional(env.HIBP_API_URL) ?? VARIABLES.HIBP_API_URL.default;
  if (httpsOrLocalUrl(apiUrl) === undefined) {
    throw new ConfigError(`HIBP_API_URL must be an https:// URL of the Pwned Passwords range API or a mirror (http:// only for localhost; got "${apiUrl}")`);
  }
  return {
    enabled: boolean(env, 'HIBP_ENABLED', stage !== LOCAL_STAGE),
    apiUrl,
    timeoutMs: integer(env, 'HIBP_TIMEOUT_MS'),
    maxBreaches: integer(env, 'HIBP_MAX_BREACHES'),
    failClosed: boolean(env, 'HIBP_FAIL_CLOSED', VARIABLES.HIBP_FAIL_CLOSED.default),
  };
};

/** A comma-separated list, trimmed, without empty entries. */
const list = (raw: string | undefined): string[] => (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

const stepUp = (env: NodeJS.ProcessEnv): StepUpConfig => {
  const required = optional(env.MFA_REQUIRED) ?? VARIABLES.MFA_REQUIRED.default;
  if (!(MFA_REQUIREMENTS as readonly string[]).includes(required)) {
    throw new ConfigError(`MFA_REQUIRED must be one of ${MFA_REQUIREMENTS.join(', ')} (got "${required}")`);
  }
  return {
    required: required as MfaRequirement,
    amrValues: list(optional(env.MFA_AMR_VALUES) ?? VARIABLES.MFA_AMR_VALUES.default),
    acrValues: list(env.MFA_ACR_VALUES),
    maxAuthAgeSeconds: optionalInteger(env, 'MAX_AUTH_AGE_SECONDS'),
  };
};

const corsOrigins = (env: NodeJS.ProcessEnv): string[] => {
  const origins = list(env.CORS_ALLOWED_ORIGINS);
  const bad = origins.filter((o) => o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o));
  if (bad.length > 0) {
    throw new ConfigError(`CORS_ALLOWED_ORIGINS must be a comma-separated list of origins like https://app.example.com (got "${bad.join(',')}")`);
  }
  return origins;
};

/**
 * X-Ray tracing is on only inside Lambda and only when POWERTOOLS_TRACE_ENABLED is "true"
 * (serverless.yml sets it, with `provider.tracing.lambda`, from TRACING=true at deploy).
 * AWS_EXECUTION_ENV is how Powertools Tracer itself recognises Lambda (e.g. AWS_Lambda_nodejs24.x).
 */
const tracing = (env: NodeJS.ProcessEnv): boolean =>
  env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() === 'true' && (env.AWS_EXECUTION_ENV ?? '') !== '' && env.AWS_SAM_LOCAL !== 'true';

const dynamodbOptions = (env: NodeJS.ProcessEnv): DynamoClientOptions => {
  const endpoint = optional(env.DYNAMODB_ENDPOINT);
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new ConfigError(`DYNAMODB_ENDPOINT must be a URL such as http://localhost:8000 (got "${endpoint}")`);
  }
  return endpoint === undefined ? {} : { endpoint, region: optional(env.AWS_REGION), placeholderCredentials: optional(env.AWS_ACCESS_KEY_ID) === undefined };
};

const observability = (env: NodeJS.ProcessEnv): ObservabilitySettings => ({
  serviceName: optional(env.POWERTOOLS_SERVICE_NAME) ?? VARIABLES.POWERTOOLS_SERVICE_NAME.default,
  metricsNamespace: optional(env.POWERTOOLS_METRICS_NAMESPACE) ?? VARIABLES.POWERTOOLS_METRICS_NAMESPACE.default,
  tracing: tracing(env),
});

const requiredUsersTable = (env: NodeJS.ProcessEnv): string => {
  const usersTable = optional(env.USERS_TABLE);
  if (usersTable === undefined) throw new ConfigError('USERS_TABLE is required: the DynamoDB table that holds the user records');
  return usersTable;
};

/** The configuration of the passwordChangedNotice function: no JWT, password or HTTP settings. */
export interface NoticeConfig {
  usersTable: string;
  usersLayout: TableLayout;
  dynamodb: DynamoClientOptions;
  /** IDEMPOTENCY_TABLE: one record per event handled. */
  idempotencyTable: string;
  notice: NoticeSettings;
  observability: ObservabilitySettings;
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
    observability: observability(env),
  };
};

/**
 * Reads and validates the whole configuration once. Throws {@link ConfigError} naming the
 * variable, so a misconfigured function fails at cold start rather than on a request.
 */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const usersTable = requiredUsersTable(env);
  const stage = optional(env.STAGE) ?? VARIABLES.STAGE.default;
  const dynamodb = dynamodbOptions(env);
  const profile = passwordProfile(env);
  return {
    stage,
    usersTable,
    usersLayout: loadTableLayout(env),
    dynamodb,
    jwt: { key: jwtKeySource(env, stage), issuer: optional(env.JWT_ISSUER), audience: optional(env.JWT_AUDIENCE) },
    bcryptCost: integer(env, 'BCRYPT_COST'),
    policy: {
      minLength: integer(env, 'PASSWORD_MIN_LENGTH', profile === 'nist' ? 15 : undefined),
      requiredClasses: requiredClasses(env, profile),
      minUniqueChars: integer(env, 'PASSWORD_MIN_UNIQUE_CHARS', profile === 'nist' ? 1 : undefined),
      guessability: { minStrength: integer(env, 'PASSWORD_MIN_STRENGTH') },
    },
    protection: {
      maxAttempts: integer(env, 'LOCKOUT_MAX_ATTEMPTS'),
      windowSeconds: integer(env, 'LOCKOUT_WINDOW_SECONDS'),
      historySize: integer(env, 'PASSWORD_HISTORY_SIZE'),
      replayWindowSeconds: integer(env, 'REPLAY_WINDOW_SECONDS'),
    },
    corsAllowedOrigins: corsOrigins(env),
    eventBusName: optional(env.EVENT_BUS_NAME),
    breachedPasswords: breachedPasswords(env, stage),
    stepUp: stepUp(env),
    observability: observability(env),
  };
};
