import * as v from 'valibot';

/**
 * The local development HS256 secret that `npm start`, `npm run token` and `events/` use.
 * Any stage named `prod` refuses to start with it.
 */
export const DEV_JWT_SECRET = 'local-dev-secret-change-password-not-for-production';

/** The laptop stage (`npm start`, `sls invoke local`), and the default when STAGE is unset. */
export const LOCAL_STAGE = 'local';

/** Which character classes the composition rule can require. */
export const CHARACTER_CLASSES = ['lower', 'upper', 'digit', 'symbol'] as const;
export type CharacterClass = (typeof CHARACTER_CLASSES)[number];

/**
 * `default`: AWS Cognito's default composition (8+ characters, lower, upper, digit, symbol) plus
 * guessability. `nist`: NIST SP 800-63B-4 §3.1.1.2 / OWASP ASVS 5.0 V6.2: no composition rules,
 * 15+ characters (the single-factor minimum), blocklist and guessability.
 */
export const PASSWORD_PROFILES = ['default', 'nist'] as const;
export type PasswordProfile = (typeof PASSWORD_PROFILES)[number];

export type JwtKeySource =
  | { kind: 'secret'; secret: string }
  /** An HS256 secret read at run time from this SSM Parameter Store parameter (SecureString). */
  | { kind: 'secretParameter'; name: string }
  | { kind: 'publicKey'; pem: string }
  | { kind: 'jwks'; url: URL };

export interface PasswordPolicyConfig {
  minLength: number;
  requiredClasses: readonly CharacterClass[];
  minUniqueChars: number;
  /** The deferred blocklist, personal-word and zxcvbn rules (lib/password-strength.ts); absent: none. */
  guessability?: GuessabilityConfig | undefined;
}

export interface GuessabilityConfig {
  /** Minimum zxcvbn score, 0–4; 0 leaves the score out but keeps the blocklist and personal words. */
  minStrength: number;
}

/** Brute-force limit on the old-password check, and the other account protections. */
export interface ProtectionConfig {
  /** Old-password checks allowed per user per window before 429. */
  maxAttempts: number;
  windowSeconds: number;
  /** How many previous hashes a new password may not match. */
  historySize: number;
  /** How long after a change a lost-response retry of it answers the original 200. */
  replayWindowSeconds: number;
}

/**
 * The attributes this service reads or writes, by logical name, with the attribute each is stored
 * in by default. USERS_ATTRIBUTE_NAMES overrides any of them; a new attribute is one line here.
 */
export const USER_ATTRIBUTES = {
  passwordHash: 'passwordHash',
  passwordChangedAt: 'passwordChangedAt',
  passwordHistory: 'passwordHistory',
  /** The brute-force counter: old-password checks taken in the window that started at `oldPasswordAttemptsSince`. */
  oldPasswordAttempts: 'oldPasswordAttempts',
  oldPasswordAttemptsSince: 'oldPasswordAttemptsSince',
  // Personal attributes the policy refuses passwords built on (read only).
  email: 'email',
  username: 'username',
  name: 'name',
  displayName: 'displayName',
} as const;
export type UserAttribute = keyof typeof USER_ATTRIBUTES;
/** Which of them this service writes: none of these may be a key attribute. */
const WRITTEN_ATTRIBUTES: readonly UserAttribute[] = ['passwordHash', 'passwordChangedAt', 'passwordHistory', 'oldPasswordAttempts', 'oldPasswordAttemptsSince'];

/** One attribute of the item's primary key and its value, where `{sub}` stands for the token's subject. */
export interface KeyTemplate {
  attribute: string;
  template: string;
}

/** Where a user's record lives in the table: its whole primary key, and the attribute names. */
export interface TableLayout {
  /** The partition key, then the sort key if the table has one. */
  key: readonly KeyTemplate[];
  attributes: Readonly<Record<UserAttribute, string>>;
}

export const DEFAULT_USERS_KEY = 'userId={sub}';
export const DEFAULT_LAYOUT: TableLayout = { key: [{ attribute: 'userId', template: '{sub}' }], attributes: USER_ATTRIBUTES };

/** The public Pwned Passwords range API; HIBP_API_URL names a mirror or a stand-in instead. */
export const DEFAULT_HIBP_API_URL = 'https://api.pwnedpasswords.com';

/** The Pwned Passwords range check (lib/breached-passwords.ts); see docs/breached-passwords.md. */
export interface BreachedPasswordConfig {
  enabled: boolean;
  apiUrl: string;
  timeoutMs: number;
  maxBreaches: number;
  failClosed: boolean;
}

export interface Config {
  stage: string;
  usersTable: string;
  /** USERS_KEY and USERS_ATTRIBUTE_NAMES. */
  usersLayout: TableLayout;
  dynamodbEndpoint: string | undefined;
  jwt: { key: JwtKeySource; issuer: string | undefined; audience: string | undefined };
  bcryptCost: number;
  policy: PasswordPolicyConfig;
  protection: ProtectionConfig;
  /** Browser origins allowed by CORS; empty means CORS is off. */
  corsAllowedOrigins: string[];
  /** EventBridge bus for PasswordChanged events; undefined means none are published. */
  eventBusName: string | undefined;
  breachedPasswords: BreachedPasswordConfig;
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

const integer = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number => {
  const raw = optional(env[name]);
  if (raw === undefined) return fallback;
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

const jwtKeySource = (env: NodeJS.ProcessEnv, stage: string): JwtKeySource => {
  const secret = optional(env.JWT_SECRET);
  const pem = optional(env.JWT_PUBLIC_KEY);
  const jwksUrl = optional(env.JWT_JWKS_URL);
  const parameter = optional(env.JWT_SECRET_PARAMETER);
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
  if (pem !== undefined) {
    // Environments often carry PEM with literal "\n"; accept both forms.
    return { kind: 'publicKey', pem: pem.replace(/\\n/g, '\n') };
  }
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
  const raw = optional(env.USERS_KEY) ?? DEFAULT_USERS_KEY;
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
  if (raw === undefined) return 'default';
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

const boolean = (env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean => {
  const raw = optional(env[name])?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false (got "${raw}")`);
  return raw === 'true';
};

/** On for every deployed stage, off on the laptop stage unless set: `npm start` and tests stay offline. */
const breachedPasswords = (env: NodeJS.ProcessEnv, stage: string): BreachedPasswordConfig => {
  const apiUrl = optional(env.HIBP_API_URL) ?? DEFAULT_HIBP_API_URL;
  if (httpsOrLocalUrl(apiUrl) === undefined) {
    throw new ConfigError(`HIBP_API_URL must be an https:// URL of the Pwned Passwords range API or a mirror (http:// only for localhost; got "${apiUrl}")`);
  }
  return {
    enabled: boolean(env, 'HIBP_ENABLED', stage !== LOCAL_STAGE),
    apiUrl,
    timeoutMs: integer(env, 'HIBP_TIMEOUT_MS', 1000, 50, 5000),
    maxBreaches: integer(env, 'HIBP_MAX_BREACHES', 0, 0, 1_000_000_000),
    failClosed: boolean(env, 'HIBP_FAIL_CLOSED', false),
  };
};

const corsOrigins = (env: NodeJS.ProcessEnv): string[] => {
  const origins = (optional(env.CORS_ALLOWED_ORIGINS) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = origins.filter((o) => o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o));
  if (bad.length > 0) {
    throw new ConfigError(`CORS_ALLOWED_ORIGINS must be a comma-separated list of origins like https://app.example.com (got "${bad.join(',')}")`);
  }
  return origins;
};

/**
 * Reads and validates the whole configuration once. Throws {@link ConfigError} naming the
 * variable, so a misconfigured function fails at cold start rather than on a request.
 */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  const usersTable = optional(env.USERS_TABLE);
  if (usersTable === undefined) throw new ConfigError('USERS_TABLE is required: the DynamoDB table that holds the user records');
  const stage = optional(env.STAGE) ?? LOCAL_STAGE;
  const dynamodbEndpoint = optional(env.DYNAMODB_ENDPOINT);
  if (dynamodbEndpoint !== undefined && !URL.canParse(dynamodbEndpoint)) {
    throw new ConfigError(`DYNAMODB_ENDPOINT must be a URL such as http://localhost:8000 (got "${dynamodbEndpoint}")`);
  }
  const profile = passwordProfile(env);
  return {
    stage,
    usersTable,
    usersLayout: loadTableLayout(env),
    dynamodbEndpoint,
    jwt: { key: jwtKeySource(env, stage), issuer: optional(env.JWT_ISSUER), audience: optional(env.JWT_AUDIENCE) },
    bcryptCost: integer(env, 'BCRYPT_COST', 12, 4, 31),
    policy: {
      minLength: integer(env, 'PASSWORD_MIN_LENGTH', profile === 'nist' ? 15 : 8, 8, 128),
      requiredClasses: requiredClasses(env, profile),
      minUniqueChars: integer(env, 'PASSWORD_MIN_UNIQUE_CHARS', profile === 'nist' ? 1 : 5, 1, 128),
      guessability: { minStrength: integer(env, 'PASSWORD_MIN_STRENGTH', 3, 0, 4) },
    },
    protection: {
      maxAttempts: integer(env, 'LOCKOUT_MAX_ATTEMPTS', 5, 1, 100),
      windowSeconds: integer(env, 'LOCKOUT_WINDOW_SECONDS', 900, 1, 86_400),
      historySize: integer(env, 'PASSWORD_HISTORY_SIZE', 5, 0, 24),
      replayWindowSeconds: integer(env, 'REPLAY_WINDOW_SECONDS', 300, 0, 3600),
    },
    corsAllowedOrigins: corsOrigins(env),
    eventBusName: optional(env.EVENT_BUS_NAME),
    breachedPasswords: breachedPasswords(env, stage),
  };
};
