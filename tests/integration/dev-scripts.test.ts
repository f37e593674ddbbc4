import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, loadConfig } from '../../lib/config.js';
import { verifyPassword } from '../../lib/password-hash.js';
import { createTokenVerifier } from '../../lib/token.js';
import { DEFAULT_TABLE, ensureUsersTable } from '../../scripts/local-dev.js';
import { startHarness, type Harness } from '../support/harness.js';

/** `npm run token` and `npm run user:create`, run as a developer runs them (tsx, a child process). */
const run = promisify(execFile);
const script = (name: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['node_modules/tsx/dist/cli.mjs', `scripts/${name}.ts`, ...args], { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
const verify = createTokenVerifier(loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET }).jwt);

// Each case spawns tsx (a second or more, several on a loaded machine); independent cases run
// concurrently, and the time limit allows for a machine shared with other work.
const SPAWNS = { timeout: 60_000 };
describe.concurrent('npm run token -- <userId>', SPAWNS, () => {
  it('prints a dev token for that user that stage local accepts, valid 12 hours by default', async () => {
    const { code, stdout } = await script('token', ['alice']);
    const token = stdout.trim();
    expect(code).toBe(0);
    expect(await verify(`Bearer ${token}`)).toMatchObject({ userId: 'alice' });
    const { exp = 0, iat = 0 } = decodeJwt(token);
    expect(exp - iat).toBe(12 * 3600);
  });

  it('defaults to the demo user and takes an expiry', async () => {
    const { stdout } = await script('token', [], {});
    expect(decodeJwt(stdout.trim()).sub).toBe('demo-user');
    const { stdout: short } = await script('token', ['bob', '30m']);
    const { exp = 0, iat = 0 } = decodeJwt(short.trim());
    expect(exp - iat).toBe(1800);
  });

  it('refuses a malformed expiry, saying what it expects', async () => {
    const { code, stderr } = await script('token', ['bob', 'soon']);
    expect(code).toBe(2);
    expect(stderr).toContain('expiry "soon" is not a duration such as 30m, 12h or 7d');
  });
});

describe('npm run user:create -- <userId> <password>', SPAWNS, () => {
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
    const { code, stdout } = await script('user-create', ['carol', 'Carol-P@ssw0rd', 'carol@example.com'], { DYNAMODB_ENDPOINT: endpoint, USERS_TABLE: '', BCRYPT_COST: '4' });

    // Assert
    expect(code).toBe(0);
    expect(stdout).toContain(`user "carol" created in ${DEFAULT_TABLE}`);
    expect(stdout).toMatch(/curl -sS -X POST http:\/\/localhost:\d+\/v1\/users\/profile\/change-password/);
    expect(stdout).not.toContain('Carol-P@ssw0rd');
    const token = /\n(eyJ[\w-]+\.[\w-]+\.[\w-]+)\n/.exec(stdout)?.[1];
    expect(await verify(`Bearer ${token}`)).toMatchObject({ userId: 'carol' });
  });

  it('creates a user the endpoint then accepts: the printed token changes the password', async () => {
    // Act
    const { code, stdout } = await script('user-create', ['dave', 'Dave-P@ssw0rd1'], { DYNAMODB_ENDPOINT: h.endpoint, USERS_TABLE: h.table, BCRYPT_COST: '4' });
    const token = /\n(eyJ[\w-]+\.[\w-]+\.[\w-]+)\n/.exec(stdout)?.[1] ?? '';
    const res = await h.change(token, 'Dave-P@ssw0rd1', 'Dave-N3w-P@ssw0rd');

    // Assert
    expect(code).toBe(0);
    expect(res.statusCode).toBe(200);
    expect(await verifyPassword('Dave-N3w-P@ssw0rd', (await h.getItem('dave'))?.passwordHash as string)).toBe(true);
  });

  it('never replaces an existing user', async () => {
    const env = { DYNAMODB_ENDPOINT: h.endpoint, USERS_TABLE: h.table, BCRYPT_COST: '4' };
    await script('user-create', ['erin', 'Erin-P@ssw0rd1'], env);
    const before = await h.getItem('erin');
    const { code, stderr } = await script('user-create', ['erin', 'Other-P@ssw0rd2'], env);
    expect(code).toBe(1);
    expect(stderr).toContain('user "erin" already exists');
    expect(await h.getItem('erin')).toEqual(before);
  });

  it.concurrent.each([
    ['no password', ['frank'], {}, 2, 'usage: npm run user:create -- <userId> <password> [email]'],
    ['a password the API would refuse', ['frank', 'short'], {}, 2, 'the password must be 8 to 128 characters (got 5)'],
    ['no server at DYNAMODB_ENDPOINT', ['frank', 'Frank-P@ssw0rd1'], { DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }, 1, 'cannot reach DynamoDB at http://127.0.0.1:9 (ECONNREFUSED): start the API with npm start, or set DYNAMODB_ENDPOINT'],
    ['a missing table', ['frank', 'Frank-P@ssw0rd1'], { USERS_TABLE: 'no-such-table' }, 1, 'table no-such-table does not exist at'],
  ])('explains the fix for %s', async (_case, args, env, exitCode, message) => {
    const { code, stderr } = await script('user-create', args, { DYNAMODB_ENDPOINT: h.endpoint, BCRYPT_COST: '4', ...env });
    expect(code).toBe(exitCode);
    expect(stderr).toContain(message);
  });
});
