import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, exportSPKI, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER, mintToken } from '../../scripts/local-dev.js';
import { SEED_NEW, SEED_OLD, startHarness } from '../support/harness.js';
import { freePort } from '../../scripts/free-port.js';
import { startLocalServer } from '../support/local-server.js';
import { startJsonStandIn, type StandIn } from '../support/stand-in.js';

/**
 * `npm start` and `sls invoke local` with the platform's own key source from the shell, the way a
 * team tries the function with its identity provider's tokens; and both refusing a bad
 * configuration up front. One server per key source, started together.
 */
const run = promisify(execFile);
const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'change-password';
const OWN_SECRET = 'the-platform-own-hs256-secret-0123456789';
const body = JSON.stringify({ oldPassword: SEED_OLD, newPassword: SEED_NEW });

type Server_ = Awaited<ReturnType<typeof startLocalServer>>;
let jwks: StandIn;
let rsa: CryptoKey;
let ed: CryptoKey;
const servers: Record<'jwks' | 'pem' | 'secret', Server_ | undefined> = { jwks: undefined, pem: undefined, secret: undefined };

/** A token from "the identity provider": signed with its private key, for the demo user. */
const idpToken = (key: CryptoKey, alg: string, claims: { iss?: string; aud?: string } = {}) =>
  new SignJWT({ ...claims }).setProtectedHeader({ alg, kid: 'idp-1' }).setSubject(DEMO_USER.userId).setIssuedAt().setExpirationTime('1h').sign(key);
const post = (server: Server_ | undefined, token: string) =>
  fetch(`${server?.baseUrl ?? ''}/v1/users/profile/change-password`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body });

beforeAll(async () => {
  const rsaPair = await generateKeyPair('RS256');
  const edPair = await generateKeyPair('EdDSA', { extractable: true });
  rsa = rsaPair.privateKey;
  ed = edPair.privateKey;
  const set = JSON.stringify({ keys: [{ ...(await exportJWK(rsaPair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] });
  jwks = await startJsonStandIn(200, set);
  const jwksUrl = jwks.url('/.well-known/jwks.json').href;
  // The test process carries the dev JWT_SECRET (vitest.config.ts): emptied where another source is meant.
  [servers.jwks, servers.pem, servers.secret] = await Promise.all([
    startLocalServer('keys-jwks', { JWT_SECRET: '', JWT_JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }),
    startLocalServer('keys-pem', { JWT_SECRET: '', JWT_PUBLIC_KEY: await exportSPKI(edPair.publicKey) }),
    startLocalServer('keys-secret', { JWT_SECRET: OWN_SECRET }),
  ]);
}, 180_000);

afterAll(async () => {
  for (const server of Object.values(servers)) server?.stop();
  await jwks.stop();
});

/** Every file below a folder, recursively. */
const filesBelow = (dir: string): string[] =>
  !existsSync(dir) ? [] : readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesBelow(join(dir, name)) : [join(dir, name)]));

describe('npm start with the key source in the shell', () => {
  it('JWT_JWKS_URL: says it cannot sign, prints a placeholder, and accepts the identity provider’s token', async () => {
    expect(servers.jwks?.output()).toContain('npm start cannot sign tokens for JWT_JWKS_URL: they come from your identity provider');
    expect(servers.jwks?.token).toBe('<token>');
    expect((await post(servers.jwks, await mintToken(DEMO_USER.userId))).status).toBe(401);
    expect((await post(servers.jwks, await idpToken(rsa, 'RS256', { iss: 'https://other.example.com/', aud: AUDIENCE }))).status).toBe(401);
    const res = await post(servers.jwks, await idpToken(rsa, 'RS256', { iss: ISSUER, aud: AUDIENCE }));
    expect(await res.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
  });

  it('JWT_PUBLIC_KEY: accepts a token signed by its private key, and no other', async () => {
    expect(servers.pem?.output()).toContain('npm start cannot sign tokens for JWT_PUBLIC_KEY');
    expect((await post(servers.pem, await mintToken(DEMO_USER.userId))).status).toBe(401);
    const res = await post(servers.pem, await idpToken(ed, 'EdDSA'));
    expect(await res.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
  });

  it('its own JWT_SECRET: prints a token signed with it that answers 200, refuses the dev secret’s, and writes the secret nowhere', async () => {
    expect(servers.secret?.output()).toContain('tokens verified with JWT_SECRET');
    expect((await post(servers.secret, await mintToken(DEMO_USER.userId))).status).toBe(401);
    const res = await post(servers.secret, servers.secret?.token ?? '');
    expect(await res.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
    const files = [...filesBelow('.serverless'), ...filesBelow('.esbuild-keys-secret')];
    expect(files.filter((file) => readFileSync(file).includes(OWN_SECRET))).toEqual([]);
  });
});

/** A command run to its end: exit code and everything it printed. */
const finish = (args: string[], env: Record<string, string>) =>
  run(process.execPath, args, { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
  );
const sls = ['node_modules/serverless/bin/serverless.js'];

// Each spawns osls or tsx: seconds each on a busy machine, so a generous per-test timeout.
describe.concurrent('fail fast, and the shell’s secret, on the laptop', { timeout: 90_000 }, () => {
  it('npm start with an invalid configuration exits 1 naming the variable, and serves nothing', async () => {
    const port = await freePort();
    const { code, output } = await finish(['node_modules/tsx/dist/cli.mjs', 'scripts/start.ts'], { PORT: String(port), DYNAMODB_PORT: String(await freePort()), USERS_KEY: 'pk=USER' });
    expect(code).toBe(1);
    expect(output).toContain('invalid configuration, nothing started: USERS_KEY must put {sub}');
    await expect(fetch(`http://127.0.0.1:${port}/v1/users/profile/change-password`, { method: 'POST' })).rejects.toThrow();
  });

  it('sls invoke local with an invalid configuration exits non-zero with the message, instead of hanging', async () => {
    const { code, output } = await finish([...sls, 'invoke', 'local', '-f', 'changePassword', '-p', 'events/no-token.json'], { BCRYPT_COST: '3', ESBUILD_WORK_FOLDER: '.esbuild-invoke-invalid' });
    expect(code).not.toBe(0);
    expect(output).toContain('Invalid configuration: BCRYPT_COST must be a whole number from 4 to 31 (got "3")');
  });

  it('npm run token signs with the shell’s JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE', async () => {
    const { code, output } = await finish(['node_modules/tsx/dist/cli.mjs', 'scripts/token.ts', 'alice'], { JWT_SECRET: OWN_SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
    expect(code).toBe(0);
    const { payload } = await jwtVerify(output.trim(), new TextEncoder().encode(OWN_SECRET), { issuer: ISSUER, audience: AUDIENCE });
    expect(payload.sub).toBe('alice');
  });

  it('sls invoke local verifies with the shell’s JWT_SECRET', async () => {
    const h = await startHarness();
    try {
      const { userId } = await h.seedUser();
      const event = (token: string) => JSON.stringify({ version: '2.0', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body, isBase64Encoded: false, requestContext: { http: { method: 'POST' } } });
      const { code, output } = await finish([...sls, 'invoke', 'local', '-f', 'changePassword', '-d', event(await mintToken(userId, { secret: OWN_SECRET }))], {
        JWT_SECRET: OWN_SECRET, DYNAMODB_ENDPOINT: h.endpoint, USERS_TABLE: h.table, ESBUILD_WORK_FOLDER: '.esbuild-invoke-secret',
      });
      expect(code).toBe(0);
      expect(output).toContain('"statusCode": 200');
    } finally {
      await h.stop();
    }
  });
});
