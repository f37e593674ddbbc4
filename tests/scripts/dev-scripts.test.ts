import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { loadConfig } from '../../lib/config/load.js';
import { verifyPassword } from '../../lib/adapters/bcrypt/password-hash.js';
import { createTokenVerifier } from '../../lib/adapters/jwt/token-verifier.js';
import { DEFAULT_TABLE } from '../../scripts/local/dev-token.js';
import { ensureUsersTable } from '../../scripts/local/dynamodb.js';
import { token as tokenCommand } from '../../scripts/cli/token.js';
import { userCreate } from '../../scripts/cli/user-create.js';
import { startHarness, type Harness } from '../support/harness.js';
import { runNode } from '../support/processes.js';

/**
 * `npm run token` and `npm run user:create`: their commands run in-process, with the environment a
 * developer's shell would give them; one real run of each script (a child process, as npm runs it)
 * proves the CLI prints the command's output and exits with its code.
 */
const shell = (env: Record<string, string>) => ({ ...process.env, ...env });
const token = (args: string[], env: Record<string, string> = {}) => tokenCommand(args, shell(env));
const create = (args: string[], env: Record<string, string> = {}) => userCreate(args, shell(env));
/** The script run as `npm run <name>` runs it: tsx in one Node process (`--import tsx`). */
const cli = (name: string, args: string[], env: Record<string, string> = {}) => runNode(['--import', 'tsx', `scripts/cli/${name}.ts`, ...args], env);
const verify = createTokenVerifier(loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET }).jwt);
const printedToken = (stdout: string) => /\n(eyJ[\w-]+\.[\w-]+\.[\w-]+)\n/.exec(stdout)?.[1] ?? '';

// The child processes take a second or more each, several on a loaded machine shared with other work.
const SPAWN = { timeout: 60_000 };

describe('npm run token -- <userId>', () => {
  it('prints a dev token for that user that stage local accepts, valid 12 hours by default', async () => {
    const { code, stdout } = await token(['alice']);
    const printed = stdout.trim();
    expect(code).toBe(0);
    expect(await verify(`Bearer ${printed}`)).toMatchObject({ userId: 'alice' });
    const { exp = 0, iat = 0 } = decodeJwt(printed);
    expect(exp - iat).toBe(12 * 3600);
  });

  it('defaults to the demo user and takes an expiry', async () => {
    const { stdout } = await token([]);
    expect(decodeJwt(stdout.trim()).sub).toBe('demo-user');
    const { stdout: short } = await token(['bob', '30m']);
    const { exp = 0, iat = 0 } = decodeJwt(short.trim());
    expect(exp - iat).toBe(1800);
  });

  it('refuses a malformed expiry, saying what it expects', async () => {
    const { code, stderr } = await token(['bob', 'soon']);
    expect(code).toBe(2);
    expect(stderr).toContain('expiry "soon" is not a duration such as 30m, 12h or 7d');
  });

  it('as a CLI, prints the token on stdout and exits 0', SPAWN, async () => {
    const { code, stdout, stderr } = await cli('token', ['alice']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(await verify(`Bearer ${stdout.trim()}`)).toMatchObject({ userId: 'alice' });
    const { exp = 0, iat = 0 } = decodeJwt(stdout.trim());
    expect(exp - iat).toBe(12 * 3600);
  });
});

describe('npm run user:create -- <userId> <password>', () => {
  let h: Harness;
  let endpoint: string;
  beforeAll(async () => {
    h = await startHarness();
    // The table npm start creates, beside the harness's own, on the same DynamoDB API server.
    ({ endpoint } = h);
    await ensureUsersTable(endpoint, DEFAULT_TABLE);
  });
  afterAll(() => h.stop());

  it('adds the user to the table npm start uses, hashed as the service stores it, and prints a token and a curl', async () => {
    // Act: no USERS_TABLE, so the default table npm start creates.
    const { code, stdout } = await create(['carol', 'Carol-P@ssw0rd', 'carol@example.com'], { DYNAMODB_ENDPOINT: endpoint, USERS_TABLE: '', BCRYPT_COST: '4' });

    // Assert
    expect(code).toBe(0);
    expect(stdout).toContain(`user "carol" created in ${DEFAULT_TABLE}`);
    expect(stdout).toMatch(/curl -sS -X POST http:\/\/localhost:\d+\/v1\/users\/profile\/change-password/);
    expect(stdout).not.toContain('Carol-P@ssw0rd');
    expect(await verify(`Bearer ${printedToken(stdout)}`)).toMatchObject({ userId: 'carol' });
  });

  it('creates a user the endpoint then accepts: the printed token changes the password', async () => {
    // Act
    const { code, stdout } = await create(['dave', 'Dave-P@ssw0rd1'], { DYNAMODB_ENDPOINT: h.endpoint, USERS_TABLE: h.table, BCRYPT_COST: '4' });
    const res = await h.change(printedToken(stdout), 'Dave-P@ssw0rd1', 'Dave-N3w-P@ssw0rd');

    // Assert
    expect(code).toBe(0);
    expect(res.statusCode).toBe(200);
    expect(await verifyPassword('Dave-N3w-P@ssw0rd', (await h.getItem('dave'))?.passwordHash as string)).toBe(true);
  });

  it('never replaces an existing user', async () => {
    const env = { DYNAMODB_ENDPOINT: h.endpoint, USERS_TABLE: h.table, BCRYPT_COST: '4' };
    await create(['erin', 'Erin-P@ssw0rd1'], env);
    const before = await h.getItem('erin');
    const { code, stderr } = await create(['erin', 'Other-P@ssw0rd2'], env);
    expect(code).toBe(1);
    expect(stderr).toContain('user "erin" already exists');
    expect(await h.getItem('erin')).toEqual(before);
  });

  it.each([
    ['no password', ['frank'], {}, 2, 'usage: npm run user:create -- <userId> <password> [email]'],
    ['a password the API would refuse', ['frank', 'short'], {}, 2, 'the password must be 8 to 128 characters (got 5)'],
    ['no server at DYNAMODB_ENDPOINT', ['frank', 'Frank-P@ssw0rd1'], { DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }, 1, 'cannot reach DynamoDB at http://127.0.0.1:9 (ECONNREFUSED): start the API with npm start, or set DYNAMODB_ENDPOINT'],
    ['a missing table', ['frank', 'Frank-P@ssw0rd1'], { USERS_TABLE: 'no-such-table' }, 1, 'table no-such-table does not exist at'],
  ])('explains the fix for %s', async (_case, args, env, exitCode, message) => {
    const { code, stderr } = await create(args, { DYNAMODB_ENDPOINT: h.endpoint, BCRYPT_COST: '4', ...env });
    expect(code).toBe(exitCode);
    expect(stderr).toContain(message);
  });

  it('as a CLI, prints what the command prints and exits with its code, after talking to DynamoDB', SPAWN, async () => {
    // A refusal after a DynamoDB call: the non-zero code reaches the shell, and the SDK's
    // connections do not keep the process alive.
    const args = ['frank', 'Frank-P@ssw0rd1'];
    const env = { DYNAMODB_ENDPOINT: h.endpoint, USERS_TABLE: 'no-such-table', BCRYPT_COST: '4' };
    const expected = await create(args, env);
    expect(expected.code).toBe(1);
    expect(await cli('user-create', args, env)).toEqual(expected);
  });
});
