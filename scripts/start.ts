/**
 * `npm start`: the whole endpoint on a laptop. Starts an embedded DynamoDB API server (dynalite, in
 * memory) unless DYNAMODB_ENDPOINT names one, creates the users table if missing, seeds the demo
 * user, serves the function through serverless-offline, and prints a curl with a valid token.
 */
import { spawn } from 'node:child_process';
import { DEV_JWT_SECRET } from '../lib/config.js';
import { DEFAULT_TABLE, DEMO_USER, ensureUsersTable, mintToken, putUser, startEmbeddedDynamo } from './local-dev.js';

const env = process.env;
const port = env.PORT ?? '3000';
const table = env.USERS_TABLE ?? DEFAULT_TABLE;
// Stage local always verifies with the development secret (serverless.yml does not read JWT_SECRET).
const secret = DEV_JWT_SECRET;
const cost = Number(env.BCRYPT_COST ?? 12);

const fail = (message: string): never => {
  console.error(`✖ ${message}`);
  process.exit(1);
};

if (env.JWT_SECRET !== undefined && env.JWT_SECRET !== '' && env.JWT_SECRET !== DEV_JWT_SECRET) {
  console.log('• JWT_SECRET is ignored: stage local verifies tokens with the development secret (npm run token mints them)');
}

let endpoint = env.DYNAMODB_ENDPOINT;
let stopDynamo = (): Promise<void> => Promise.resolve();
if (endpoint === undefined) {
  const dynamoPort = Number(env.DYNAMODB_PORT ?? 8000);
  const embedded = await startEmbeddedDynamo(dynamoPort).catch((error: NodeJS.ErrnoException) =>
    fail(error.code === 'EADDRINUSE' ? `port ${dynamoPort} is taken: set DYNAMODB_PORT to a free port, or DYNAMODB_ENDPOINT to use the server on it` : `could not start the embedded DynamoDB: ${error.message}`),
  );
  ({ endpoint } = embedded);
  stopDynamo = embedded.stop;
  console.log(`• embedded DynamoDB API server (dynalite, in memory) on ${endpoint}`);
} else {
  console.log(`• using the DynamoDB API server at ${endpoint}`);
}

const created = await ensureUsersTable(endpoint, table).catch((error: Error) => fail(`cannot reach DynamoDB at ${endpoint}: ${error.message}`));
console.log(`• table ${table} ${created === 'created' ? 'created' : 'already there'}`);
await putUser(endpoint, table, { ...DEMO_USER }, cost);
console.log(`• demo user "${DEMO_USER.userId}" with password "${DEMO_USER.password}"`);

const token = await mintToken(DEMO_USER.userId, { secret, expiresIn: '12h' });
const child = spawn(process.execPath, ['node_modules/serverless/bin/serverless.js', 'offline', 'start'], {
  env: { ...env, DYNAMODB_ENDPOINT: endpoint, USERS_TABLE: table, JWT_SECRET: secret, BCRYPT_COST: String(cost), PORT: port },
  stdio: ['ignore', 'pipe', 'pipe'],
});

const url = `http://localhost:${port}/v1/users/profile/change-password`;
let ready = false;
// serverless-offline's banner is noise next to ours: shown with VERBOSE=1, or once ready (request logs).
const relay = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
  const text = chunk.toString();
  if (env.VERBOSE || ready) out.write(text);
  if (!ready && text.includes('Server ready')) {
    ready = true;
    console.log(`\n✔ change-password is ready on ${url}\n\nTry it (token valid 12 h; mint another with npm run token -- ${DEMO_USER.userId}):\n`);
    console.log(`curl -sS -X POST ${url} \\\n  -H 'Content-Type: application/json' \\\n  -H 'Authorization: Bearer ${token}' \\\n  -d '{"oldPassword":"${DEMO_USER.password}","newPassword":"NewSecureP@ssw0rd!"}'\n`);
    console.log('Stop with Ctrl+C. Data lives in memory unless DYNAMODB_ENDPOINT is set.');
  }
};
child.stdout.on('data', relay(process.stdout));
child.stderr.on('data', relay(process.stderr));

const shutdown = (): void => {
  child.kill('SIGTERM');
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
child.on('exit', (code) => {
  void stopDynamo().finally(() => process.exit(ready ? 0 : code ?? 1));
});
