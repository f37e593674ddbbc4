/**
 * The function's environment on a laptop (`npm start`, `sls invoke local`), shared by
 * scripts/local/start.ts and the serverless plugin scripts/local/serverless-plugin.cjs.
 *
 * Key source: on stage `local` the function verifies tokens with the key source given in the shell
 * (JWT_SECRET, JWT_SECRET_PARAMETER, JWT_PUBLIC_KEY or JWT_JWKS_URL, with JWT_ISSUER/JWT_AUDIENCE),
 * and with the development secret only when none is given. serverless.yml never reads the shell's
 * JWT_SECRET (it would be written to .serverless/ state and packages); the plugin puts it into the
 * function's environment in memory, for these two local commands only.
 *
 * Fail fast: both commands run loadConfig (which also reads the PEM) on the environment the
 * function will get, and stop with the message naming the variable.
 */
import { loadConfig, loadNoticeConfig, type Config, type NoticeConfig } from '../../lib/config/load.js';
import { DEV_JWT_SECRET, JWT_KEY_SOURCES, LOCAL_STAGE } from '../../lib/config/variables.js';


const given = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

/** True when the shell names a key source of its own. */
export const hasOwnKeySource = (shell: NodeJS.ProcessEnv): boolean => Object.values(JWT_KEY_SOURCES).some((name) => given(shell[name]));

/** The JWT_SECRET a package of `stage` carries: the development secret on stage local, else none. */
export const stageLocalSecret = (stage: string): string => (stage === LOCAL_STAGE ? DEV_JWT_SECRET : '');

/** The JWT_SECRET the function gets on stage local: the shell's when it names a key source, else the dev secret. */
export const localJwtSecret = (shell: NodeJS.ProcessEnv): string => (hasOwnKeySource(shell) ? (shell.JWT_SECRET ?? '') : DEV_JWT_SECRET);

/** Throws the ConfigError naming the variable, exactly as the function's cold start would (the PEM read included). */
export const validateFunctionEnvironment = (environment: NodeJS.ProcessEnv): Config => loadConfig(environment);

/** serverless.yml's functions as the plugin sees them: each with its resolved environment. */
export type ServiceFunctions = Record<string, { environment?: Record<string, unknown> }>;

const strings = (environment: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

/**
 * The JWT_SECRET of every function that verifies tokens (those whose environment has one), set to
 * `secret`: the functions that do not read it never get it.
 */
export const setJwtSecret = (functions: ServiceFunctions, secret: string): void => {
  for (const { environment } of Object.values(functions)) if (environment !== undefined && 'JWT_SECRET' in environment) environment.JWT_SECRET = secret;
};

/**
 * What the plugin does before `sls offline` / `sls invoke local`: on stage local, the shell's key
 * source replaces the dev secret in the functions' environments (in memory, never in a file); then
 * the change function's environment, which holds every variable the token authorizer reads too, is
 * validated. `functions` are serverless' resolved functions.
 */
export const prepareLocalFunctions = (functions: ServiceFunctions, stage: string, shell: NodeJS.ProcessEnv): void => {
  if (stage === LOCAL_STAGE) setJwtSecret(functions, localJwtSecret(shell));
  validateFunctionEnvironment(strings(functions.changePassword?.environment ?? {}));
};

/**
 * The passwordChangedNotice function's environment, validated as its cold start would: before it is
 * packaged, and before `sls invoke local -f passwordChangedNotice`, so a missing NOTICE_RESET_URL
 * stops the command instead of every event.
 */
export const validateNoticeEnvironment = (environment: Record<string, unknown>): NoticeConfig => loadNoticeConfig(strings(environment));
