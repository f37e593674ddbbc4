/**
 * `npm run user:create -- <userId> <password> [email]`: adds a user to the local DynamoDB that
 * `npm start` runs (DYNAMODB_ENDPOINT, default http://127.0.0.1:<DYNAMODB_PORT or 8000>; table
 * USERS_TABLE, default change-password-users-local), with the password hashed as the service
 * stores it, then prints a token and a curl for that user. Never replaces an existing user.
 * Run as a script, it is the CLI; tests call `userCreate` in-process.
 */
import { ConditionalCheckFailedException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../../lib/http/request-schema.js';
import { CHANGE_PASSWORD_ROUTE } from '../../lib/http/routes.js';
import { loadTableLayout } from '../../lib/config/user-access.js';
import { ConfigError } from '../../lib/core/settings.js';
import { type TableLayout } from '../../lib/adapters/dynamodb/table-layout.js';
import { VARIABLES } from '../../lib/config/variables.js';
import { codePointLength } from '../../lib/core/policy/password-rule.js';
import { printed, refused, runAsCli, type CommandResult } from './command.js';
import { DEFAULT_TABLE, mintToken } from '../local/dev-token.js';
import { putUser } from '../local/dynamodb.js';
import { hasOwnKeySource, localJwtSecret } from '../local/function-env.js';

const usage = 'usage: npm run user:create -- <userId> <password> [email]';
const fail = (message: string, code = 1): CommandResult => refused(code, `✖ ${message}`);

export const userCreate = async (args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> => {
  const [id, secret, email, ...extra] = args;
  if (id === undefined || secret === undefined || extra.length > 0 || id.trim() === '') return fail(`give a user id and a password\n${usage}`, 2);
  const length = codePointLength(secret);
  if (length < PASSWORD_MIN_CHARS || length > PASSWORD_MAX_CHARS) {
    return fail(`the password must be ${PASSWORD_MIN_CHARS} to ${PASSWORD_MAX_CHARS} characters (got ${length}), as the API requires`, 2);
  }

  const endpoint = env.DYNAMODB_ENDPOINT?.trim() || `http://127.0.0.1:${env.DYNAMODB_PORT ?? VARIABLES.DYNAMODB_PORT.default}`;
  const table = env.USERS_TABLE?.trim() || DEFAULT_TABLE;
  const cost = Number(env.BCRYPT_COST ?? VARIABLES.BCRYPT_COST.default);
  const { min, max } = VARIABLES.BCRYPT_COST.range;
  if (!Number.isInteger(cost) || cost < min || cost > max) return fail(`BCRYPT_COST must be a whole number from ${min} to ${max} (got "${env.BCRYPT_COST}")`, 2);

  let layout: TableLayout;
  try {
    // The layout npm start created the table in (USERS_KEY, USERS_ATTRIBUTE_NAMES).
    layout = loadTableLayout(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(error.message, 2);
  }

  try {
    await putUser(endpoint, table, { userId: id, password: secret, ...(email === undefined ? {} : { email }) }, cost, { onlyIfMissing: true, layout });
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return fail(`user "${id}" already exists in ${table}; pick another id (restart npm start to reset the in-memory data)`);
    if (error instanceof ResourceNotFoundException) return fail(`table ${table} does not exist at ${endpoint}: start the API with npm start, or set USERS_TABLE to the table it uses`);
    return fail(`cannot reach DynamoDB at ${endpoint} (${(error as NodeJS.ErrnoException).code ?? (error as Error).name}): start the API with npm start, or set DYNAMODB_ENDPOINT (or DYNAMODB_PORT) to the server it uses`);
  }

  const port = env.PORT ?? String(VARIABLES.PORT.default);
  const signing = localJwtSecret(env);
  const tokenLines = hasOwnKeySource(env) && signing === ''
    ? `\nTokens come from your identity provider (JWT_PUBLIC_KEY / JWT_JWKS_URL / JWT_SECRET_PARAMETER): use one whose sub is "${id}".`
    : `\nA token for it (12 h):\n${await mintToken(id, { secret: signing, expiresIn: '12h', issuer: env.JWT_ISSUER || undefined, audience: env.JWT_AUDIENCE || undefined })}`;
  return printed(
    `✔ user "${id}" created in ${table} at ${endpoint}`,
    tokenLines,
    `\nThen: curl -sS -X ${CHANGE_PASSWORD_ROUTE.method} http://localhost:${port}${CHANGE_PASSWORD_ROUTE.path} -H 'Content-Type: application/json' -H 'Authorization: Bearer <token>' -d '{"oldPassword":"<password>","newPassword":"<new password>"}'`,
  );
};

if (import.meta.main) await runAsCli(userCreate);
