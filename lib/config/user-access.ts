/**
 * The variables of every function that reads a user's record with a bearer token: the table, its
 * layout and client, the JWT key source, observability. The change function's whole configuration
 * (load.ts) starts from these; the token authorizer reads only these, so its bundle carries none of
 * the password policy's code and a setting of the change function alone never fails its cold start.
 */
import type { DynamoClientOptions } from '../adapters/dynamodb/client.js';
import { parseTableLayout, type TableLayout } from '../adapters/dynamodb/table-layout.js';
import { parseKeySource } from '../adapters/jwt/key-source.js';
import type { JwtKeySource, JwtOptions } from '../adapters/jwt/token-verifier.js';
import { ConfigError } from '../core/settings.js';
import { OTHER_SESSIONS_MODES, type OtherSessionsMode } from '../core/stale-token.js';
import type { LoggingSettings, ObservabilitySettings } from '../http/observability.js';
import { optional, settingsOf } from './parse.js';
import { DEV_JWT_SECRET, JWT_KEY_SOURCES, LOCAL_STAGE, VARIABLES } from './variables.js';

/** The one JWT_* key source set (lib/adapters/jwt/key-source.ts); the development secret only on the laptop stage. */
const jwtKeySource = (env: NodeJS.ProcessEnv, stage: string): JwtKeySource => {
  const key = parseKeySource(settingsOf(env, Object.values(JWT_KEY_SOURCES)));
  // Stryker disable next-line ConditionalExpression: only a secret key source has a secret to compare; the kind check narrows the type
  if (key.kind === 'secret' && stage !== LOCAL_STAGE && key.secret === DEV_JWT_SECRET) {
    throw new ConfigError(`JWT_SECRET is the local development secret, which only the "${LOCAL_STAGE}" stage accepts; stage "${stage}" (prod included) needs a real secret`);
  }
  return key;
};

/** USERS_KEY and USERS_ATTRIBUTE_NAMES alone (the local scripts seed users in the same layout); the rules are the layout's own. */
export const loadTableLayout = (env: NodeJS.ProcessEnv = process.env): TableLayout => {
  const { USERS_KEY, USERS_ATTRIBUTE_NAMES } = settingsOf(env, ['USERS_KEY', 'USERS_ATTRIBUTE_NAMES']);
  return parseTableLayout({ USERS_KEY: USERS_KEY ?? VARIABLES.USERS_KEY.default, USERS_ATTRIBUTE_NAMES });
};

/**
 * X-Ray tracing is on only inside Lambda and only when POWERTOOLS_TRACE_ENABLED is "true"
 * (serverless.yml sets it, with `provider.tracing.lambda`, from TRACING=true at deploy).
 * AWS_EXECUTION_ENV is how Powertools Tracer itself recognises Lambda (e.g. AWS_Lambda_nodejs24.x).
 */
const tracing = (env: NodeJS.ProcessEnv): boolean =>
  env.POWERTOOLS_TRACE_ENABLED?.trim().toLowerCase() === 'true' && (env.AWS_EXECUTION_ENV ?? '') !== '' && env.AWS_SAM_LOCAL !== 'true';

/** What a function that only logs reads: the `service` of its log lines (the level, Powertools reads itself). */
export const logging = (env: NodeJS.ProcessEnv): LoggingSettings => ({
  serviceName: optional(env.POWERTOOLS_SERVICE_NAME) ?? VARIABLES.POWERTOOLS_SERVICE_NAME.default,
});

/** What the change function reads besides: the metrics' namespace and whether it traces. */
export const observability = (env: NodeJS.ProcessEnv): ObservabilitySettings => ({
  ...logging(env),
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
  /** The change function reads metrics and tracing settings too (`Config`); the authorizer only logs. */
  observability: LoggingSettings;
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
    observability: logging(env),
    otherSessions: otherSessions(env),
  };
};
