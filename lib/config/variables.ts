import { BCRYPT_COSTS } from '../core/hash-format.js';

/**
 * The functions serverless.yml deploys, by their names there. Each gets, as its environment, the
 * variables whose `functions` name it, and nothing else (infra/function-environment.cjs).
 */
export const FUNCTIONS = ['changePassword', 'tokenAuthorizer', 'session', 'passwordChangedNotice', 'passwordChangedRelay', 'passwordPolicy'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/**
 * Every environment variable this project reads, once: its default, its range and what it means.
 * lib/config/load.ts parses the function's from it; the README's configuration table is rendered
 * from it (`npm run docs:config`); serverless.yml and the local tools take their defaults from it,
 * and tests/config/variables.test.ts holds all three to it.
 *
 * `scope`: `function` is read by a function at cold start, and `functions` names each function
 * that reads it: serverless.yml passes it to those alone, with the value `custom.environment` gives
 * it; `deploy` is read by serverless.yml when packaging; `local` by `npm start` and the tools;
 * `platform` is set by Lambda or the shell, never documented as a setting.
 */
export type Variable = {
  /** The value when unset or empty, as the code uses it (absent: no default). */
  default?: string | number | boolean;
  /** Whole numbers only: the accepted range. */
  range?: { min: number; max: number };
  /** The README's default column, when it says more than the default value. */
  defaultText?: string;
  /** The README's meaning column; `{range}` stands for the range. */
  meaning: string;
  /** Shown in the README's configuration table (the others are documented in docs/). */
  readme: boolean;
} & ({ scope: 'function'; functions: readonly FunctionName[] } | { scope: 'deploy' | 'local' | 'platform' });

/** The local development HS256 secret that `npm start`, `npm run token` and `events/` use; no other stage accepts it. */
export const DEV_JWT_SECRET = 'local-dev-secret-change-password-not-for-production';

/** The laptop stage (`npm start`, `sls invoke local`), and the default when STAGE is unset. */
export const LOCAL_STAGE = 'local';

/** The variables that choose how tokens are verified, by key-source kind: exactly one must be set. */
export const JWT_KEY_SOURCES = {
  secret: 'JWT_SECRET',
  secretParameter: 'JWT_SECRET_PARAMETER',
  publicKey: 'JWT_PUBLIC_KEY',
  jwks: 'JWT_JWKS_URL',
} as const;

export const VARIABLES = {
  USERS_TABLE: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer', 'passwordChangedNotice', 'passwordChangedRelay'], defaultText: '`change-password-users-<stage>` (serverless.yml)', meaning: 'the DynamoDB table; required', readme: true },
  USERS_KEY: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer', 'passwordChangedNotice', 'passwordChangedRelay'], default: 'userId={sub}', meaning: "the item's whole key, partition then sort: `attribute=template`, `{sub}` = token subject (`pk=USER#{sub},sk=PROFILE`)", readme: true },
  USERS_ATTRIBUTE_NAMES: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer', 'passwordChangedNotice', 'passwordChangedRelay'], meaning: '`name=attribute` renames of the attributes read or written (`passwordHash=pwHash`)', readme: true },
  USERS_TABLE_ARN: { scope: 'deploy', meaning: 'packaging: an existing table; none is created, IAM names this ARN', readme: true },
  USERS_TABLE_REPLICA_REGIONS: { scope: 'deploy', meaning: 'packaging: three Regions (or two and a witness) of a multi-Region strongly consistent global table created instead ([docs/deploy.md](docs/deploy.md#one-user-across-regions))', readme: false },
  USERS_TABLE_WITNESS_REGION: { scope: 'deploy', meaning: 'packaging: the witness Region of that global table, with two replica Regions', readme: false },
  JWT_SECRET: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer'], defaultText: 'the dev secret, stage `local` only', meaning: 'HS256 secret (≥ 32 bytes); refused as the dev secret outside `local`; on `local` the shell\'s key source wins, never written to a package', readme: true },
  JWT_SECRET_PARAMETER: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer'], meaning: 'SSM SecureString name (`/…`) holding the HS256 secret; read on first use, cached 5 min', readme: true },
  JWT_PUBLIC_KEY: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer'], meaning: 'PEM public key: RSA → RS256, P-256 → ES256, Ed25519 → EdDSA', readme: true },
  JWT_JWKS_URL: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer'], meaning: 'https JWKS (http on localhost); cached 10 min, 3 s fetch timeout', readme: true },
  JWT_ISSUER: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer'], meaning: 'when set, `iss` must equal it', readme: true },
  JWT_AUDIENCE: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer'], meaning: 'when set, `aud` must contain it', readme: true },
  BCRYPT_COST: { scope: 'function', functions: ['changePassword'], default: 12, range: BCRYPT_COSTS, meaning: 'cost of new hashes ({range})', readme: true },
  PASSWORD_PROFILE: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], default: 'default', meaning: '`default` or `nist` (NIST SP 800-63B-4 defaults)', readme: true },
  PASSWORD_MIN_LENGTH: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], default: 8, range: { min: 8, max: 128 }, defaultText: '`8` (`nist`: `15`)', meaning: 'minimum code points ({range})', readme: true },
  PASSWORD_MIN_LENGTH_WITH_MFA: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], range: { min: 8, max: 128 }, defaultText: '— (off) (`nist`: `8`)', meaning: 'the minimum when the record says `mfaEnrolled` ({range})', readme: true },
  PASSWORD_REQUIRED_CLASSES: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], defaultText: '`lower,upper,digit,symbol` (`nist`: `none`)', meaning: 'classes that must all appear, or `none`', readme: true },
  PASSWORD_MIN_UNIQUE_CHARS: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], default: 5, range: { min: 1, max: 128 }, defaultText: '`5` (`nist`: `1`)', meaning: 'minimum distinct characters ({range})', readme: true },
  PASSWORD_MIN_STRENGTH: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], default: 3, range: { min: 0, max: 4 }, meaning: 'minimum zxcvbn score ({range}); `0` turns the score off', readme: true },
  HIBP_ENABLED: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], defaultText: '`true`, but `false` on `local`', meaning: 'check new passwords against the Pwned Passwords range API ([docs/breached-passwords.md](docs/breached-passwords.md))', readme: true },
  HIBP_API_URL: { scope: 'function', functions: ['changePassword'], default: 'https://api.pwnedpasswords.com', meaning: 'the range API or a mirror (https; http on localhost)', readme: true },
  HIBP_TIMEOUT_MS: { scope: 'function', functions: ['changePassword'], default: 1000, range: { min: 50, max: 5000 }, meaning: 'bound on the whole lookup ({range})', readme: true },
  HIBP_MAX_BREACHES: { scope: 'function', functions: ['changePassword'], default: 0, range: { min: 0, max: 1_000_000_000 }, meaning: 'refuse when the corpus counts the password more often than this', readme: true },
  HIBP_FAIL_CLOSED: { scope: 'function', functions: ['changePassword'], default: false, meaning: 'API unavailable: `false` goes on with the offline rules, `true` answers 503', readme: true },
  LOCKOUT_MAX_ATTEMPTS: { scope: 'function', functions: ['changePassword'], default: 5, range: { min: 1, max: 100 }, meaning: 'old-password checks per user per window ({range})', readme: true },
  LOCKOUT_WINDOW_SECONDS: { scope: 'function', functions: ['changePassword'], default: 900, range: { min: 1, max: 86_400 }, meaning: 'the window, from its first attempt ({range})', readme: true },
  PASSWORD_HISTORY_SIZE: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], default: 5, range: { min: 0, max: 24 }, meaning: 'previous passwords a new one may not match ({range}; 0 turns it off)', readme: true },
  REPLAY_WINDOW_SECONDS: { scope: 'function', functions: ['changePassword'], default: 300, range: { min: 0, max: 3600 }, meaning: 'a lost-answer retry answers 200 within this ({range}; 0 turns it off)', readme: true },
  OTHER_SESSIONS_ON_CHANGE: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer'], default: 'sign-out', meaning: '`user-choice`: the body\'s `signOutOtherSessions: false` keeps the other sessions', readme: true },
  MFA_REQUIRED: { scope: 'function', functions: ['changePassword'], default: 'never', meaning: '`when-enrolled` (`mfaEnrolled` is `true`) or `always`: the token must prove a second factor', readme: true },
  MFA_AMR_VALUES: { scope: 'function', functions: ['changePassword'], default: 'mfa', meaning: '`amr` values proving it', readme: true },
  MFA_ACR_VALUES: { scope: 'function', functions: ['changePassword'], defaultText: '—', meaning: '`acr` values proving it', readme: true },
  MAX_AUTH_AGE_SECONDS: { scope: 'function', functions: ['changePassword'], range: { min: 1, max: 86_400 }, defaultText: '— (off)', meaning: '`auth_time` at most this old ({range})', readme: true },
  CORS_ALLOWED_ORIGINS: { scope: 'function', functions: ['changePassword', 'passwordPolicy'], defaultText: '— (CORS off)', meaning: 'comma-separated origins (`https://app.example.com`, `*`)', readme: true },
  EVENT_BUS_NAME: { scope: 'function', functions: ['changePassword', 'passwordChangedRelay'], defaultText: '— (no events)', meaning: '`PasswordChanged` bus; events relayed from the write ([docs/reliability.md](docs/reliability.md#events))', readme: true },
  NOTICE_FROM_ADDRESS: { scope: 'function', functions: ['passwordChangedNotice'], defaultText: '— (no notice)', meaning: 'SES sender of the owner\'s change notice; with `EVENT_BUS_NAME`, deploys it', readme: true },
  NOTICE_ADDRESS_ATTRIBUTES: { scope: 'function', functions: ['passwordChangedNotice'], default: 'email', meaning: 'attributes holding the owner\'s addresses; each gets the notice', readme: true },
  NOTICE_RESET_URL: { scope: 'function', functions: ['passwordChangedNotice'], meaning: 'https page the notice links to if it was not the owner', readme: true },
  IDEMPOTENCY_TABLE: { scope: 'function', functions: ['passwordChangedNotice'], defaultText: '`change-password-idempotency-<stage>` (serverless.yml)', meaning: "the notice's idempotency records (one per change, 24 h)", readme: false },
  USERS_TABLE_STREAM_ARN: { scope: 'deploy', meaning: 'packaging, with USERS_TABLE_ARN and EVENT_BUS_NAME: that table\'s stream (NEW_IMAGE or NEW_AND_OLD_IMAGES), which the relay reads', readme: false },
  ALARM_TOPIC_ARN: { scope: 'deploy', defaultText: '— (no alarms)', meaning: 'deploy: SNS topic of the alarms ([docs/deploy.md](docs/deploy.md#alarms))', readme: false },
  DYNAMODB_ENDPOINT: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer', 'passwordChangedNotice', 'passwordChangedRelay'], defaultText: '`http://127.0.0.1:8000` on `local`, else AWS', meaning: 'another DynamoDB API server', readme: true },
  STAGE: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer', 'passwordPolicy'], default: LOCAL_STAGE, defaultText: '`local` (from `--stage`)', meaning: 'the deployment stage', readme: true },
  POWERTOOLS_SERVICE_NAME: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer', 'passwordChangedNotice', 'passwordChangedRelay'], default: 'change-password', meaning: 'the `service` of every log line and metric', readme: false },
  POWERTOOLS_LOG_LEVEL: { scope: 'function', functions: ['changePassword', 'tokenAuthorizer', 'passwordChangedNotice', 'passwordChangedRelay'], default: 'INFO', meaning: 'log level (`SILENT` in tests)', readme: false },
  POWERTOOLS_METRICS_DISABLED: { scope: 'function', functions: ['changePassword'], defaultText: '`true` on `local` and in tests, else `false`', meaning: 'keep EMF metric lines out of stdout', readme: false },
  POWERTOOLS_METRICS_NAMESPACE: { scope: 'function', functions: ['changePassword'], default: 'ChangePassword', meaning: 'CloudWatch namespace', readme: false },
  POWERTOOLS_TRACE_ENABLED: { scope: 'function', functions: ['changePassword'], default: false, meaning: 'X-Ray tracing inside Lambda; serverless.yml sets it from `TRACING`', readme: false },
  TRACING: { scope: 'deploy', default: false, meaning: 'deploy: X-Ray tracing ([docs/deploy.md](docs/deploy.md))', readme: true },
  THROTTLE_RATE_LIMIT: { scope: 'deploy', default: 20, meaning: 'deploy: HTTP API stage throttling, requests per second', readme: true },
  THROTTLE_BURST_LIMIT: { scope: 'deploy', default: 40, meaning: 'deploy: HTTP API stage throttling, burst', readme: true },
  LAMBDA_MEMORY_MB: { scope: 'deploy', default: 1769, range: { min: 128, max: 10_240 }, meaning: 'deploy: function memory ({range}); 1769 = one vCPU ([docs/performance.md](docs/performance.md))', readme: true },
  AUTHORIZER_CACHE_SECONDS: { scope: 'deploy', default: 0, range: { min: 0, max: 3600 }, meaning: 'deploy: seconds API Gateway caches an authorization ({range})', readme: true },
  AWS_REGION: { scope: 'deploy', default: 'eu-west-1', meaning: 'deploy: the region (or `--region`)', readme: true },
  ESBUILD_WORK_FOLDER: { scope: 'deploy', default: '.esbuild', meaning: "packaging: esbuild's work folder (tests and the bench use their own)", readme: false },
  PORT: { scope: 'local', default: 3000, meaning: '`npm start`: its HTTP port', readme: false },
  DYNAMODB_PORT: { scope: 'local', default: 8000, meaning: "`npm start`: the embedded DynamoDB's port", readme: false },
  OFFLINE_LAMBDA_PORT: { scope: 'local', default: 3002, meaning: "`npm start`: serverless-offline's Lambda port", readme: false },
  LOCAL_RELAY_SECONDS: { scope: 'local', default: 10, range: { min: 1, max: 60 }, meaning: "`npm start` with EVENT_BUS_NAME: seconds between the local relay's sweeps of pending events", readme: false },
  VERBOSE: { scope: 'local', meaning: "`npm start`: show serverless-offline's banner", readme: false },
  AWS_ACCESS_KEY_ID: { scope: 'platform', meaning: 'credentials in the environment: with DYNAMODB_ENDPOINT, used instead of placeholders', readme: false },
  AWS_EXECUTION_ENV: { scope: 'platform', meaning: 'set by Lambda: tracing runs only there', readme: false },
  AWS_SAM_LOCAL: { scope: 'platform', meaning: 'set by `sam local`: no tracing there', readme: false },
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

/** The variables `fn` reads, in the table's order: its whole environment. */
export const functionVariables = (fn: FunctionName): VariableName[] =>
  (Object.entries(VARIABLES) as [VariableName, Variable][]).filter(([, v]) => v.scope === 'function' && v.functions.includes(fn)).map(([name]) => name);
