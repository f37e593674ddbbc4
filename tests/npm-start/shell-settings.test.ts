import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createChangePasswordClient } from '../../client/change-password.js';
import { DEFAULT_LAYOUT } from '../../lib/adapters/dynamodb/table-layout.js';
import type { PendingEvent } from '../../lib/core/password-changed.js';
import { DEMO_USER, mintToken } from '../../scripts/local/dev-token.js';
import { putUser } from '../../scripts/local/dynamodb.js';
import { CHANGE_PASSWORD_ROUTE } from '../../lib/http/routes.js';
import { freePort } from '../../scripts/local/free-port.js';
import { token } from '../../scripts/cli/token.js';
import { startEventBridgeStandIn } from '../support/eventbridge.js';
import { rawDocumentClient, SEED_NEW, SEED_OLD, startHarness } from '../support/harness.js';
import { startLocalServer, type LocalServer } from '../support/local-server.js';
import { assertFetchMatchesOpenApi, openApiCheckedFetch } from '../support/openapi.js';
import { alive, canListen, descendants, runNode } from '../support/processes.js';
import { startRangeApi, type RangeApi } from '../support/range-api.js';
import { startJsonStandIn, type StandIn } from '../support/stand-in.js';
import { claims, signToken } from '../support/tokens.js';

/**
 * `npm start` and `sls invoke local` with the platform's own settings in the shell, the way a team
 * tries the function with its identity provider's tokens and its Pwned Passwords policy: the key
 * source (JWT_JWKS_URL, JWT_PUBLIC_KEY, its own JWT_SECRET) and HIBP_* reach the function, and a
 * bad configuration is refused up front.
 *
 * Each `npm start` costs seconds of CPU, so one server carries two settings that do not interact:
 * - `idp`: JWT_JWKS_URL (a stand-in JWKS endpoint) with the range API check failing open, at a
 *   stand-in that misbehaves on demand; and EVENT_BUS_NAME with AWS_ENDPOINT_URL_EVENTBRIDGE, the bus
 *   a PutEvents stand-in that fails on demand, relayed to every second;
 * - `pem`: JWT_PUBLIC_KEY with the check failing closed, at a stand-in that later goes away; it is
 *   started as a developer starts it, `npm start`, and at the end stopped the way `timeout 120 npm
 *   start` stops it (SIGTERM to npm alone), in a temp folder of its own;
 * - the shared server of the HTTP tests (tests/support/local-server-setup.ts) runs with the
 *   platform's own JWT_SECRET.
 */
const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'change-password';
/**
 * Long enough for an answered lookup while the whole suite loads the machine: the function runs in
 * serverless-offline's own process, where other requests and the server share its CPU.
 */
const HIBP_TIMEOUT_MS = 1500;
const BREACHED = 'Breached-But-C0mpliant!';
const PADDED_ONLY = 'Padded-Only-C0mpliant!';
const COMMON = 'P@ssw0rd123!';

const shared = inject('localServer');
/** An npm start server, and how to sign a token it accepts for a user. */
interface Configured {
  server: LocalServer;
  sign: (userId: string) => Promise<string>;
}
let jwks: StandIn;
let eventBridge: Awaited<ReturnType<typeof startEventBridgeStandIn>>;
const BUS = 'local-platform-bus';
let openApi: RangeApi;
let closedApi: RangeApi;
let idp: Configured;
let pem: Configured;
let rsa: CryptoKey;
/** The pem server's TMPDIR: what it leaves there once stopped is its own. */
const pemTmp = mkdtempSync(join(tmpdir(), 'cp-stop-'));
let ed: CryptoKey;

/** A token from "the identity provider": signed with its private key. */
const idpToken = (key: CryptoKey, alg: string, userId: string, extra: { iss?: string; aud?: string } = {}) => signToken(claims(userId, extra), key, alg, { kid: 'idp-1' });
const post = (baseUrl: string, token: string, body = JSON.stringify({ oldPassword: SEED_OLD, newPassword: SEED_NEW })) =>
  fetch(`${baseUrl}${CHANGE_PASSWORD_ROUTE.path}`, { method: CHANGE_PASSWORD_ROUTE.method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body });

beforeAll(async () => {
  const rsaPair = await generateKeyPair('RS256');
  const edPair = await generateKeyPair('EdDSA', { extractable: true });
  rsa = rsaPair.privateKey;
  ed = edPair.privateKey;
  jwks = await startJsonStandIn(200, JSON.stringify({ keys: [{ ...(await exportJWK(rsaPair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] }));
  [openApi, closedApi, eventBridge] = await Promise.all([startRangeApi(), startRangeApi(), startEventBridgeStandIn()]);
  openApi.add(BREACHED, 12);
  openApi.add(PADDED_ONLY, 0);
  // WARN: the function's log says why a lookup gave up (the suite's own level is SILENT).
  const hibp = { HIBP_ENABLED: 'true', HIBP_TIMEOUT_MS: String(HIBP_TIMEOUT_MS), POWERTOOLS_LOG_LEVEL: 'WARN' };
  // The test process carries the dev JWT_SECRET (vitest.config.ts): emptied where another source is meant.
  const [idpServer, pemServer] = await Promise.all([
    startLocalServer('settings-idp', {
      JWT_SECRET: '', JWT_JWKS_URL: jwks.url('/.well-known/jwks.json').href, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, ...hibp, HIBP_API_URL: openApi.url,
      EVENT_BUS_NAME: BUS, AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint, LOCAL_RELAY_SECONDS: '1',
    }),
    startLocalServer('settings-pem', { JWT_SECRET: '', JWT_PUBLIC_KEY: await exportSPKI(edPair.publicKey), ...hibp, HIBP_API_URL: closedApi.url, HIBP_FAIL_CLOSED: 'true', TMPDIR: pemTmp }, { npm: 'start' }),
  ]);
  idp = { server: idpServer, sign: (userId) => idpToken(rsa, 'RS256', userId, { iss: ISSUER, aud: AUDIENCE }) };
  pem = { server: pemServer, sign: (userId) => idpToken(ed, 'EdDSA', userId) };
}, 180_000);

afterAll(async () => {
  idp?.server.stop();
  pem?.server.stop();
  await Promise.all([jwks?.stop(), openApi?.stop(), closedApi?.stop(), eventBridge?.stop()]);
  rmSync(pemTmp, { recursive: true, force: true });
});

/** Every file below a folder, recursively. */
const filesBelow = (dir: string): string[] =>
  !existsSync(dir) ? [] : readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesBelow(join(dir, name)) : [join(dir, name)]));

describe('npm start with the key source in the shell', () => {
  it('JWT_JWKS_URL: says it cannot sign, prints a placeholder, and accepts the identity provider’s token', async () => {
    openApi.reset();
    const { baseUrl } = idp.server;
    expect(idp.server.output()).toContain('npm start cannot sign tokens for JWT_JWKS_URL: they come from your identity provider');
    expect(idp.server.token).toBe('<token>');
    expect((await post(baseUrl, await mintToken(DEMO_USER.userId))).status).toBe(401);
    expect((await post(baseUrl, await idpToken(rsa, 'RS256', DEMO_USER.userId, { iss: 'https://other.example.com/', aud: AUDIENCE }))).status).toBe(401);
    const res = await post(baseUrl, await idp.sign(DEMO_USER.userId));
    expect(await res.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
  });

  it('nothing set but the key source: GET /v1/password-policy publishes the default profile, with the range API asked', async () => {
    const policy = await createChangePasswordClient({ baseUrl: idp.server.baseUrl, fetch: openApiCheckedFetch }).getPasswordPolicy();
    expect(policy).toMatchObject({ minLength: 8, minLengthWithMfa: 8, requiredClasses: ['lower', 'upper', 'digit', 'symbol'], minUniqueChars: 5, breachedPasswordCheck: { bundledList: true, pwnedPasswords: true } });
  });

  it('JWT_PUBLIC_KEY: accepts a token signed by its private key, and no other', async () => {
    const { baseUrl } = pem.server;
    expect(pem.server.output()).toContain('npm start cannot sign tokens for JWT_PUBLIC_KEY');
    expect((await post(baseUrl, await mintToken(DEMO_USER.userId))).status).toBe(401);
    const res = await post(baseUrl, await pem.sign(DEMO_USER.userId));
    expect(await res.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
  });

  it('its own JWT_SECRET: prints a token signed with it, verifies with it and not the dev secret, and writes the secret nowhere', async () => {
    expect(shared.output).toContain('tokens verified with JWT_SECRET');
    const { payload } = await jwtVerify(shared.token, new TextEncoder().encode(shared.jwtSecret));
    expect(payload.sub).toBe(DEMO_USER.userId);
    await putUser(shared.dynamoEndpoint, shared.table, { userId: 'own-secret-user', password: SEED_OLD }, 4);
    expect((await post(shared.baseUrl, await mintToken('own-secret-user'))).status).toBe(401);
    const res = await post(shared.baseUrl, await mintToken('own-secret-user', { secret: shared.jwtSecret }));
    expect(await res.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
    const files = [...filesBelow('.serverless'), ...filesBelow(shared.esbuildFolder)];
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => readFileSync(file).includes(shared.jwtSecret))).toEqual([]);
  });
});

let users = 0;
/** A new user with SEED_OLD on `on`'s table, then one change request; the answer and its time. */
const change = async (on: Configured, newPassword: string) => {
  const userId = `hibp-user-${++users}`;
  await putUser(on.server.dynamoEndpoint, on.server.table, { userId, password: SEED_OLD }, 4);
  const token = await on.sign(userId);
  const logged = on.server.output().length;
  const res = await post(on.server.baseUrl, token, JSON.stringify({ oldPassword: SEED_OLD, newPassword }));
  await assertFetchMatchesOpenApi(res.clone());
  const body = (await res.json()) as { error?: { code: number; details?: { failedRules: string[] } } };
  /** What the server printed while it answered (its log lines). */
  const log = on.server.output().slice(logged);
  return { status: res.status, headers: res.headers, body, log };
};

describe('npm start with HIBP_ENABLED=true, failing open', () => {
  it('refuses a password the API reports as breached with 400 5025 breachedPassword, in one range request', async () => {
    openApi.reset();
    const { status, body } = await change(idp, BREACHED);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 5025, details: { failedRules: ['breachedPassword'] } });
    expect(openApi.requests).toHaveLength(1);
  });

  it('accepts a password the API reports only as padding', async () => {
    expect((await change(idp, PADDED_ONLY)).status).toBe(200);
  });

  // What matters is the order, not this machine's speed: the change answers without waiting for
  // the API (a slow API never finishes, and is hung up on at HIBP_TIMEOUT_MS), and says why.
  it.each([
    ['slow', 'timeout'],
    ['html', 'format'],
    ['error', 'status'],
  ] as const)('changes the password without the API when it is %s, logging the reason (%s)', async (mode, reason) => {
    openApi.setMode(mode);
    const { status, log } = await change(idp, `Unknown-${mode}-C0mpliant!`);
    expect(status).toBe(200);
    expect(log).toContain('Pwned Passwords range API unavailable; checked on the offline rules only');
    expect(log).toContain(`"reason":"${reason}"`);
    if (mode === 'slow') await expect.poll(() => openApi.abandoned()).toBeGreaterThanOrEqual(1);
  });

  it('still refuses a common password on the offline rules while the API is down', async () => {
    openApi.setMode('hang');
    const { status, body } = await change(idp, COMMON);
    expect(status).toBe(400);
    expect(body.error?.details?.failedRules).toContain('commonPassword');
  });
});

describe('npm start with HIBP_FAIL_CLOSED=true, once nothing listens at HIBP_API_URL', () => {
  // The JWT_PUBLIC_KEY test above used this server while the API answered: now it goes away.
  beforeAll(() => closedApi.stop());

  // The function's own deadline also answers 503 9001: the log line says it was the refused lookup.
  it('answers 503 9001 with Retry-After, because the lookup failed, not the deadline', async () => {
    const { status, headers, body, log } = await change(pem, 'Unknown-Closed-C0mpliant!');
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBe('2');
    expect(body).toEqual({ status: false, error: { code: 9001, message: 'Service temporarily unavailable' } });
    expect(log).toContain('Pwned Passwords range API unavailable; refusing the change (HIBP_FAIL_CLOSED)');
    expect(log).toContain('"reason":"network"');
  });

  it('refuses a common password, and one on the bundled breached list, on the offline rules', async () => {
    const common = await change(pem, COMMON);
    expect(common.status).toBe(400);
    expect(common.body.error?.details?.failedRules).toContain('commonPassword');
    const listed = await change(pem, 'Mosquito@13');
    expect(listed.status).toBe(400);
    expect(listed.body.error).toMatchObject({ code: 5025, details: { failedRules: ['breachedPassword'] } });
  });
});

/** A command run to its end: exit code and everything it printed. */
const finish = async (args: string[], env: Record<string, string>) => {
  const { code, stdout, stderr } = await runNode(args, env);
  return { code, output: stdout + stderr };
};
const sls = ['node_modules/serverless/bin/serverless.js'];
const OWN_SECRET = 'a-shell-secret-for-sls-invoke-local-0123456789';

// Most spawn osls or tsx: seconds each on a busy machine, so a generous per-test timeout.
describe.concurrent('fail fast, and the shell’s secret, on the laptop', { timeout: 90_000 }, () => {
  it('npm start with an invalid configuration exits 1 naming the variable, and serves nothing', async () => {
    const port = await freePort();
    const { code, output } = await finish(['--import', 'tsx', 'scripts/local/start.ts'], { PORT: String(port), DYNAMODB_PORT: String(await freePort()), USERS_KEY: 'pk=USER' });
    expect(code).toBe(1);
    expect(output).toContain('invalid configuration, nothing started: USERS_KEY must put {sub}');
    await expect(fetch(`http://127.0.0.1:${port}${CHANGE_PASSWORD_ROUTE.path}`, { method: CHANGE_PASSWORD_ROUTE.method })).rejects.toThrow();
  });

  it('sls invoke local with an invalid configuration exits non-zero with the message, instead of hanging', async () => {
    const { code, output } = await finish([...sls, 'invoke', 'local', '-f', 'changePassword', '-p', 'events/no-token.json'], { BCRYPT_COST: '3', ESBUILD_WORK_FOLDER: '.esbuild-invoke-invalid' });
    expect(code).not.toBe(0);
    expect(output).toContain('Invalid configuration: BCRYPT_COST must be a whole number from 4 to 31 (got "3")');
  });

  it('npm run token signs with the shell’s JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE', async () => {
    // In-process: tests/scripts/dev-scripts.test.ts proves the CLI wiring.
    const { code, stdout } = await token(['alice'], { ...process.env, JWT_SECRET: OWN_SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
    expect(code).toBe(0);
    const { payload } = await jwtVerify(stdout.trim(), new TextEncoder().encode(OWN_SECRET), { issuer: ISSUER, audience: AUDIENCE });
    expect(payload.sub).toBe('alice');
  });

  it('sls invoke local verifies with the shell’s JWT_SECRET', async () => {
    const h = await startHarness();
    try {
      const { userId } = await h.seedUser();
      const event = (token: string) => JSON.stringify({ version: '2.0', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ oldPassword: SEED_OLD, newPassword: SEED_NEW }), isBase64Encoded: false, requestContext: { http: { method: 'POST' } } });
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

/** Far above one sweep: a shared, loaded machine may delay a sweep by seconds, never by this. */
const ARRIVAL_BOUND_MS = 60_000;
const until = async <T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> => {
  const deadline = Date.now() + ARRIVAL_BOUND_MS;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ARRIVAL_BOUND_MS} ms`);
    await sleep(200);
  }
};

// The local relay (dynalite has no stream) publishes the change's event once the bus answers again,
// with the change's identity; the bound on the wait only says "it arrives" (the sweep is every 1 s).
describe('npm start with EVENT_BUS_NAME', () => {
  it('says it relays events, answers a change at once while the bus fails, and publishes its event with the change\'s identity once the bus answers', async () => {
    const { server } = idp;
    const userId = 'events-user';
    /** The PutEvents entries for this user's changes from the `from`th request on (the server's other changes publish too). */
    const entriesOf = (from = 0) => eventBridge.requests.slice(from).flatMap((r) => r.entries).filter((e) => e.DetailType === 'PasswordChanged' && (JSON.parse(e.Detail ?? '{}') as { userId?: string }).userId === userId);
    expect(server.output()).toContain(`PasswordChanged events relayed to bus ${BUS} every 1 s`);
    eventBridge.answerWith({ status: 500, type: 'InternalException' });
    await putUser(server.dynamoEndpoint, server.table, { userId, password: SEED_OLD }, 4);

    const res = await fetch(`${server.baseUrl}${CHANGE_PASSWORD_ROUTE.path}`, {
      method: CHANGE_PASSWORD_ROUTE.method,
      headers: { Authorization: `Bearer ${await idp.sign(userId)}`, 'Content-Type': 'application/json', 'User-Agent': 'events-test/1.0' },
      body: JSON.stringify({ oldPassword: SEED_OLD, newPassword: SEED_NEW }),
    });
    expect(await res.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');

    // The relay tries, the bus refuses, the event stays on the record.
    await until(() => (entriesOf().length > 0 ? true : undefined), 'a publication attempt');
    const doc = rawDocumentClient(server.dynamoEndpoint);
    const item = (await doc.send(new GetCommand({ TableName: server.table, Key: { userId }, ConsistentRead: true }))).Item;
    const [pending] = (item?.[DEFAULT_LAYOUT.attributes.pendingPasswordChanged] ?? []) as PendingEvent[];
    expect(pending).toMatchObject({ userId, changedAt: item?.passwordChangedAt, userAgent: 'events-test/1.0' });

    eventBridge.answerWith({ failedEntryCount: 0 });
    const refused = eventBridge.requests.length;
    const entry = await until(() => entriesOf(refused)[0], 'the event');

    expect(entry).toMatchObject({ EventBusName: BUS, Source: 'change-password' });
    expect(JSON.parse(entry.Detail ?? '{}')).toMatchObject({ changeId: pending?.changeId, userId, changedAt: item?.passwordChangedAt, userAgent: 'events-test/1.0' });
    await until(async () => {
      const after = (await doc.send(new GetCommand({ TableName: server.table, Key: { userId }, ConsistentRead: true }))).Item;
      return (after?.[DEFAULT_LAYOUT.attributes.pendingPasswordChanged] as unknown[] | undefined)?.length === 0 ? true : undefined;
    }, 'the pending event cleared');
    expect(server.output()).toContain(`relay: published 1 PasswordChanged event of user ${userId}`);
  }, 150_000);
});

// Last in the file: it stops the pem server, which the tests above use.
describe('npm start, stopped by SIGTERM to npm alone', () => {
  /** Every process under npm while it served. */
  let tree: { pid: number; args: string }[];

  beforeAll(async () => {
    // npm passes SIGTERM to the shell running the script, which ends without passing it on;
    // everything npm start started (node with tsx, dynalite, serverless-offline, esbuild) must still stop.
    tree = await descendants(pem.server.pid);
    process.kill(pem.server.pid, 'SIGTERM');
    await pem.server.exited;
    // Stopping takes a moment; 60 s only bounds a stop that never comes.
    for (const until = Date.now() + 60_000; Date.now() < until && tree.some(({ pid }) => alive(pid)); ) await new Promise((resolve) => setTimeout(resolve, 250));
  }, 90_000);

  afterAll(() => {
    // Whatever a failed stop left running.
    for (const { pid } of tree ?? []) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('stops every process it started', () => {
    expect(tree.map(({ args }) => args).join('\n')).toContain('serverless.js offline start');
    expect(tree.filter(({ pid }) => alive(pid))).toEqual([]);
  });

  it('frees its HTTP, Lambda and DynamoDB ports', async () => {
    expect(await Promise.all(pem.server.ports.map(canListen))).toEqual([true, true, true]);
  });

  it('leaves nothing in the temp folder but tsx’s cache', () => {
    expect(readdirSync(pemTmp).filter((entry) => !entry.startsWith('tsx-'))).toEqual([]);
  });
});
