/**
 * The variables of every function that reads a user's record with a bearer token: the table, its
 * layout and client, the JWT key source, observability. The change function's whole configuration
 * (load.ts) starts from these; the token authorizer reads only these, so its bundle carries none of
 * the password policy's code and a setting of the change function alone never fails its cold start.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { DynamoClientOptions } from '../adapters/dynamodb/client.js';
import { USER_ATTRIBUTES, WRITTEN_ATTRIBUTES, type KeyTemplate, type TableLayout, type UserAttribute } from '../adapters/dynamodb/table-layout.js';
import type { JwtKeySource, JwtOptions, PublicKeyAlgorithm } from '../adapters/jwt/token-verifier.js';
import { OTHER_SESSIONS_MODES, type OtherSessionsMode } from '../core/stale-token.js';
import type { ObservabilitySettings } from '../http/observability.js';
import { DEV_JWT_SECRET, JWT_KEY_SOURCES, LOCAL_STAGE, VARIABLES } from './variables.js';

/** A misconfiguration: the message names the variable and the fix. Thrown at cold start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const optional = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** An SSM hierarchical parameter name: "/" then letters, digits and _.-/ (at most 1011 characters). */
const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/** The URL when it is https://, or http:// to this machine (a local stand-in); else undefined. */
export const httpsOrLocalUrl = (raw: string | undefined): URL | undefined => {
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

/**
 * X-Ray tracing is on only inside Lambda and only when POWERTOOLS_TRACE_ENABLED is "true"
 * (serverless.yml sets it, with `provider.tracing.lambda`, from TRACING=true at deploy).
 * AWS_EXECUTION_ENV is how Powertools Tracer itself recognises Lambda (e.g. AWS_Lambda_nodejs24.x).
 */
const tracing = (env: NodeJS.ProcessEnv): boolean =>
  env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() === 'true' && (env.AWS_EXECUTION_ENV ?? '') !== '' && env.AWS_SAM_LOCAL !== 'true';

export const observability = (env: NodeJS.ProcessEnv): ObservabilitySettings => ({
  serviceName: optional(env.POWERTOOLS_SERVICE_NAME) ?? VARIABLES.POWERTOOLS_SERVICE_NAME.default,
  metricsNamespace: optional(env.POWERTOOLS_METRICS_NAMESPACE) ?? VARIABLES.POWERTOOLS_METRICS_NAMESPACE.default,
  tracing: tracing(env),
});

export const dynamodbOptions = (env: NodeJS.ProcessEnv): DynamoClientOptions => {
  const endpoint = optional(env.DYNAMODB_ENDPOINT);
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new ConfigError(`DYNAMODB_ENDPOINT must be a URL such as http://localhost:8000 (got "${endpoint}")`);
  }
  return endpoint === undefined ? {} : { endpoint, region: optional(env.AWS_REGION), placeholderCredentials: optional(env.AWS_ACCESS_KEY_ID) === undefined };
};

export const requiredUsersTable = (env: NodeJS.ProcessEnv): string => {
  const usersTable = optional(env.USERS_TABLE);
  if (usersTable === undefined) throw new ConfigError('USERS_TABLE is required: the DynamoDB table that holds the user records');
  return usersTable;
};

/** What every function that reads a user's record needs: the stage, the table, its client, the token verifier's settings. */
export interface UserAccessConfig {
  stage: string;
  usersTable: string;
  /** USERS_KEY and USERS_ATTRIBUTE_NAMES. */
  usersLayout: TableLayout;
  /** DYNAMODB_ENDPOINT, with the region and credentials a local server is signed for. */
  dynamodb: DynamoClientOptions;
  jwt: JwtOptions;
  observability: ObservabilitySettings;
  /**
   * OTHER_SESSIONS_ON_CHANGE when set: `user-choice` lets the request keep the other sessions;
   * absent or `sign-out`, a change ends them.
   */
  otherSessions?: OtherSessionsMode | undefined;
}

const otherSessions = (env: NodeJS.ProcessEnv): OtherSessionsMode | undefined => {
  const raw = optional(env.OTHER_SESSIONS_ON_CHANGE);
  if (raw === undefined) return undefined;
  if (!(OTHER_SESSIONS_MODES as readonly string[]).includes(raw)) {
    throw new ConfigError(`OTHER_SESSIONS_ON_CHANGE must be one of ${OTHER_SESSIONS_MODES.join(', ')} (got "${raw}")`);
  }
  return raw as OtherSessionsMode;
};

/** Reads and validates those variables: the change function's and the token authorizer's common part. */
export const loadUserAccess = (env: NodeJS.ProcessEnv = process.env): UserAccessConfig => {
  const usersTable = requiredUsersTable(env);
  const stage = optional(env.STAGE) ?? VARIABLES.STAGE.default;
  return {
    stage,
    usersTable,
    usersLayout: loadTableLayout(env),
    dynamodb: dynamodbOptions(env),
    jwt: { key: jwtKeySource(env, stage), issuer: optional(env.JWT_ISSUER), audience: optional(env.JWT_AUDIENCE) },
    observability: observability(env),
    otherSessions: otherSessions(env),
  };
};
