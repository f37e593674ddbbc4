/**
 * `npm start`: the whole endpoint on a laptop. Validates the configuration the function will get
 * (and stops, naming the variable, if it is invalid), starts an embedded DynamoDB API server
 * (dynalite, in memory) unless DYNAMODB_ENDPOINT names one, creates the users table if missing (in
 * the USERS_KEY layout), seeds the demo user, serves the function through serverless-offline, and
 * prints a curl: with a valid token when the key source is a secret it can sign with (the dev
 * secret, or the shell's JWT_SECRET), else with a placeholder and where to get a token. With
 * EVENT_BUS_NAME it also runs the local relay (scripts/local/relay.ts), which publishes the events
 * changes record, as the stream function does in AWS.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { flushCompileCache } from 'node:module';
import type { Readable } from 'node:stream';
import { loadRelayConfig, type Config } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/core/settings.js';
import { DEV_JWT_SECRET, JWT_KEY_SOURCES, LOCAL_STAGE, VARIABLES } from '../../lib/config/variables.js';
import { CHANGE_PASSWORD_ROUTE, PASSWORD_POLICY_ROUTE, SESSION_ROUTE } from '../../lib/http/routes.js';
import { DEFAULT_IDEMPOTENCY_TABLE, DEFAULT_TABLE, DEMO_USER, mintToken } from './dev-token.js';
import { ensureIdempotencyTable, ensureUsersTable, putUser, startEmbeddedDynamo } from './dynamodb.js';
import { localJwtSecret, validateFunctionEnvironment } from './function-env.js';
import { startLocalRelay } from './relay.js';

const env = process.env;
const port = env.PORT ?? String(VARIABLES.PORT.default);
const table = env.USERS_TABLE?.trim() || DEFAULT_TABLE;
const dynamoPort = Number(env.DYNAMODB_PORT ?? VARIABLES.DYNAMODB_PORT.default);

const fail = (message: string): never => {
  console.error(`✖ ${message}`);
  process.exit(1);
};

/**
 * The environment serverless.yml gives the function on stage local, with the shell's key source (or
 * the dev secret): refused here, before anything starts. The serverless plugin checks it again.
 */
const loadLocalConfig = (): Config => {
  try {
    return validateFunctionEnvironment({
      ...env,
      STAGE: LOCAL_STAGE,
      USERS_TABLE: table,
      DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${dynamoPort}`,
      JWT_SECRET: localJwtSecret(env),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(`invalid configuration, nothing started: ${error.message}`);
  }
};

/** The shell's DYNAMODB_ENDPOINT, or an embedded dynalite started here (and stopped with npm start). */
const dynamoServer = async (): Promise<{ endpoint: string; stop: () => Promise<void> }> => {
  const given = env.DYNAMODB_ENDPOINT;
  if (given !== undefined) {
    console.log(`• using the DynamoDB API server at ${given}`);
    return { endpoint: given, stop: () => Promise.resolve() };
  }
  const embedded = await startEmbeddedDynamo(dynamoPort).catch((error: NodeJS.ErrnoException) =>
    fail(error.code === 'EADDRINUSE' ? `port ${dynamoPort} is taken: set DYNAMODB_PORT to a free port, or DYNAMODB_ENDPOINT to use the server on it` : `could not start the embedded DynamoDB: ${error.message}`),
  );
  console.log(`• embedded DynamoDB API server (dynalite, in memory) on ${embedded.endpoint}`);
  return embedded;
};

/** The users table (in the USERS_KEY layout), the notice's idempotency table and the demo user. */
const prepareData = async (endpoint: string, config: Config): Promise<void> => {
  const layout = config.usersLayout;
  const created = await ensureUsersTable(endpoint, table, layout).catch((error: Error) => fail(`cannot reach DynamoDB at ${endpoint}: ${error.message}`));
  console.log(`• table ${table} ${created === 'created' ? 'created' : 'already there'}`);
  // The owner notice's records, for `sls invoke local -f passwordChangedNotice` (docs/local-development.md).
  await ensureIdempotencyTable(endpoint, env.IDEMPOTENCY_TABLE?.trim() || DEFAULT_IDEMPOTENCY_TABLE);
  await putUser(endpoint, table, { ...DEMO_USER }, config.bcryptCost, { layout });
  console.log(`• demo user "${DEMO_USER.userId}" with password "${DEMO_USER.password}"`);
};

/** Says how tokens are verified, and what a developer does to get one: a token for the demo user when the key source is a secret in hand. */
const tokenAdvice = async ({ jwt: { key, issuer, audience } }: Config): Promise<{ token: string | undefined; howToTry: string }> => {
  const claims = [issuer === undefined ? '' : `iss "${issuer}"`, audience === undefined ? '' : `aud "${audience}"`].filter((c) => c !== '').join(', ');
  const keySource = JWT_KEY_SOURCES[key.kind];
  console.log(`• tokens verified with ${key.kind === 'secret' && key.secret === DEV_JWT_SECRET ? 'the local development secret' : keySource}${claims === '' ? '' : ` (${claims})`}`);
  // Only a secret in hand can sign; other key sources belong to the platform's identity provider.
  const token = key.kind === 'secret' ? await mintToken(DEMO_USER.userId, { secret: key.secret, expiresIn: '12h', issuer, audience }) : undefined;
  const howToTry = token === undefined
    ? `npm start cannot sign tokens for ${keySource}: they come from your identity provider. Get one whose sub is "${DEMO_USER.userId}"${claims === '' ? '' : ` with ${claims}`}, or add your token's user with npm run user:create -- <sub> <password>, and put it in place of <token>:`
    : `Try it (token valid 12 h; mint another with npm run token -- ${DEMO_USER.userId}):`;
  return { token, howToTry };
};

/**
 * serverless-offline, in a process group of its own with esbuild and anything else it starts:
 * stopped as one, by this process only (a terminal's Ctrl+C reaches this process, which then stops
 * the group and dynalite).
 */
const startOffline = (endpoint: string, cost: number): ChildProcessByStdio<null, Readable, Readable> =>
  spawn(process.execPath, ['node_modules/serverless/bin/serverless.js', 'offline', 'start'], {
    env: { ...env, DYNAMODB_ENDPOINT: endpoint, USERS_TABLE: table, BCRYPT_COST: String(cost), PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });

/**
 * With a bus, the local relay: dynalite has no stream, so pending events are swept and published
 * from here every LOCAL_RELAY_SECONDS. Undefined without EVENT_BUS_NAME.
 */
const startRelay = (config: Config, endpoint: string): { stop: () => Promise<void> } | undefined => {
  const { min, max } = VARIABLES.LOCAL_RELAY_SECONDS.range;
  const every = Number(env.LOCAL_RELAY_SECONDS ?? VARIABLES.LOCAL_RELAY_SECONDS.default);
  if (!Number.isInteger(every) || every < min || every > max) fail(`LOCAL_RELAY_SECONDS must be a whole number from ${min} to ${max} (got "${env.LOCAL_RELAY_SECONDS}")`);
  if (config.eventBusName === undefined) return undefined;
  const relay = startLocalRelay({ config: loadRelayConfig({ ...env, USERS_TABLE: table, DYNAMODB_ENDPOINT: endpoint }), intervalMs: every * 1000, env, report: (line) => console.log(`• ${line}`) });
  console.log(`• PasswordChanged events relayed to bus ${config.eventBusName} every ${every} s (the local relay: dynalite has no stream)`);
  return relay;
};

/** What to run once the server is ready: the change, who the token authorizer says you are, and the policy. */
const printHowToTry = (howToTry: string, token: string | undefined): void => {
  const url = `http://localhost:${port}${CHANGE_PASSWORD_ROUTE.path}`;
  console.log(`\n✔ change-password is ready on ${url}\n\n${howToTry}\n`);
  console.log(`curl -sS -X POST ${url} \\\n  -H 'Content-Type: application/json' \\\n  -H 'Authorization: Bearer ${token ?? '<token>'}' \\\n  -d '{"oldPassword":"${DEMO_USER.password}","newPassword":"NewSecureP@ssw0rd!"}'\n`);
  console.log(`Who the token authorizer says you are (403 once a change from another session revoked the token):\ncurl -sS http://localhost:${port}${SESSION_ROUTE.path} -H 'Authorization: Bearer ${token ?? '<token>'}'\n`);
  console.log(`The password policy in force (no token):\ncurl -sS http://localhost:${port}${PASSWORD_POLICY_ROUTE.path}\n`);
  console.log('Stop with Ctrl+C. Data lives in memory unless DYNAMODB_ENDPOINT is set.');
};

/**
 * Relays the server's output once it is ready (serverless-offline's banner is noise next to ours:
 * shown with VERBOSE=1), and keeps what came before, to show if it stops before serving.
 */
const relayOutput = (child: ChildProcessByStdio<null, Readable, Readable>, onReady: () => void) => {
  let ready = false;
  let early = '';
  const relay = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
    const text = chunk.toString();
    if (env.VERBOSE || ready) out.write(text);
    else early += text;
    if (!ready && text.includes('Server ready')) {
      ready = true;
      onReady();
    }
  };
  child.stdout.on('data', relay(process.stdout));
  child.stderr.on('data', relay(process.stderr));
  return { ready: () => ready, early: () => early };
};

/** Stops the server's process group on Ctrl+C, SIGTERM, this process's exit, or its parent's end. */
const stopWithThisProcess = (child: ChildProcess): void => {
  const shutdown = (): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // No such group (gone already, or a platform without process groups): the child alone.
      child.kill('SIGTERM');
    }
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('exit', shutdown);
  // npm passes SIGTERM and SIGINT on to the shell running this script, and the shell ends without
  // passing them on (`timeout 120 npm start` signals npm alone): a parent gone is a stop as well.
  const parent = process.ppid;
  const orphaned = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(orphaned);
    shutdown();
  }, 500);
  orphaned.unref();
};

const config = loadLocalConfig();
const dynamo = await dynamoServer();
await prepareData(dynamo.endpoint, config);
const { token, howToTry } = await tokenAdvice(config);
const child = startOffline(dynamo.endpoint, config.bcryptCost);
// Ready: with NODE_COMPILE_CACHE set (as the tests set it), what this process compiled is written now,
// for the next ones: a server usually ends by a signal, and then writes nothing.
const output = relayOutput(child, () => {
  printHowToTry(howToTry, token);
  flushCompileCache();
});
stopWithThisProcess(child);
const localRelay = startRelay(config, dynamo.endpoint);
child.on('exit', (code) => {
  // Stopped before serving (e.g. the plugin refused the configuration): show why, exit non-zero.
  if (!output.ready() && !env.VERBOSE) process.stderr.write(output.early());
  void (localRelay?.stop() ?? Promise.resolve()).then(dynamo.stop).finally(() => process.exit(output.ready() ? 0 : code || 1));
});
