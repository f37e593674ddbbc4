/**
 * `npm run soak:offline`: `npm start` under mixed concurrent load on a saturated CPU, every answer
 * checked against its own request, every user's stored hash against the password of their last 200.
 *
 * Starts `npm start` (serverless-offline over dynalite) on free ports at BCRYPT_COST=4, seeds
 * LOAD_CLIENTS × 3/4 users, starts LOAD_BUSY busy-looping Node processes so that every core is
 * saturated by other work, then runs LOAD_CLIENTS concurrent clients for LOAD_SECONDS:
 * - one client per user, one request in flight: valid changes (most), wrong old passwords, weak
 *   new passwords, and now and then a request of the other kinds;
 * - the other clients: no token, forged, expired and `alg: none` tokens, malformed and oversized bodies.
 *
 * What each kind may be answered (anything else is a mismatch):
 *   valid change → 200 (the new password is now the user's), 429 5029, 409 5026, or a timed-out
 *     local invocation (503 9001 or serverless-offline's 504), after which the same request is sent
 *     again (after its Retry-After) until answered otherwise: a retry of a change that landed answers 200 too;
 *   wrong old password → 400 5023 or 429 5029; weak new password → 400 5025 or 429 5029;
 *   no token → 401 4002; forged / expired / alg none → 401 4001; malformed → 400 1001; oversized → 413 1004;
 *   and any kind → 503 9001 or 504 when the local invocation timed out.
 * A 200 must carry the success envelope; no answer may carry a stack trace. At the end each user's
 * hash is read from the embedded DynamoDB with the real client and must verify the password of the
 * user's last 200. Prints a summary as JSON; exits 1 on any mismatch.
 *
 *   npm run soak:offline                        # 60 s, 32 clients, 3 busy processes
 *   LOAD_SECONDS=120 LOAD_CLIENTS=48 npm run soak:offline
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { verifyPassword } from '../../lib/adapters/bcrypt/password-hash.js';
import { CHANGE_PASSWORD_ROUTE } from '../../lib/http/routes.js';
import { putUser } from '../local/dynamodb.js';
import { mintToken } from '../local/dev-token.js';
import { freePort } from '../local/free-port.js';

const env = process.env;
const bounded = (name: string, fallback: number, min: number, max: number): number => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return value;
};
const SECONDS = bounded('LOAD_SECONDS', 60, 5, 600);
const CLIENTS = bounded('LOAD_CLIENTS', 32, 4, 256);
const BUSY = bounded('LOAD_BUSY', 3, 0, 16);
const USERS = Math.floor((CLIENTS * 3) / 4);
const COST = 4;
const TABLE = 'offline-load-users';
const START_PASSWORD = 'Load-Start-P@ss1';
/** How long after the run a change answered only by timeouts may still be retried; later it is a mismatch. */
const RESOLVE_MS = 60_000;

const children: ChildProcess[] = [];
const stop = (list: ChildProcess[]): void => {
  for (const child of list) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  }
};
process.on('exit', () => stop(children));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

/** `npm start`, as a developer runs it, on free ports; everything else from the shell, except a DynamoDB or key source of its own. */
const startNpmStart = async (): Promise<{ dynamoEndpoint: string; url: string }> => {
  const [port, dynamoPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
  const { DYNAMODB_ENDPOINT: _endpoint, JWT_SECRET: _secret, JWT_SECRET_PARAMETER: _parameter, JWT_PUBLIC_KEY: _pem, JWT_JWKS_URL: _jwks, ...inherited } = env;
  const server = spawn('npm', ['start'], {
    env: { ...inherited, PORT: String(port), DYNAMODB_PORT: String(dynamoPort), OFFLINE_LAMBDA_PORT: String(lambdaPort), BCRYPT_COST: String(COST), USERS_TABLE: TABLE, ESBUILD_WORK_FOLDER: '.esbuild-offline-load', LOCKOUT_MAX_ATTEMPTS: '20' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(server);
  await new Promise<void>((resolve, reject) => {
    let serverOutput = '';
    const timer = setTimeout(() => reject(new Error(`npm start was not ready within 180 s:\n${serverOutput}`)), 180_000);
    server.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${serverOutput}`)));
    const collect = (chunk: Buffer): void => {
      if (serverOutput.length < 200_000) serverOutput += chunk.toString();
      if (serverOutput.includes('Stop with Ctrl+C')) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout.on('data', collect);
    server.stderr.on('data', collect);
  });
  return { dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`, url: `http://127.0.0.1:${port}${CHANGE_PASSWORD_ROUTE.path}` };
};

interface User {
  userId: string;
  password: string;
  token: string;
  changes: number;
}

/** USERS users at the start password, each with a token of its own. */
const seedUsers = async (dynamoEndpoint: string): Promise<User[]> => {
  const users: User[] = [];
  for (let i = 0; i < USERS; i++) {
    const userId = `load-user-${i}`;
    await putUser(dynamoEndpoint, TABLE, { userId, password: START_PASSWORD }, COST);
    users.push({ userId, password: START_PASSWORD, token: await mintToken(userId, { expiresIn: '2h' }), changes: 0 });
  }
  return users;
};

/** A valid token of a user with no record, and the three bad tokens: forged, expired, `alg: none`. */
const tokens = async () => {
  const now = Math.floor(Date.now() / 1000);
  const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    bystander: await mintToken('load-bystander', { expiresIn: '2h' }),
    forged: await mintToken('load-user-0', { secret: 'not-the-local-secret-but-long-enough-for-hs256', expiresIn: '2h' }),
    expired: await mintToken('load-user-0', { issuedAt: now - 7200, expiresIn: now - 3600 }),
    algNone: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'load-user-0', iat: now, exp: now + 7200 })}.`,
  };
};

type Kind = 'change' | 'wrongOld' | 'weak' | 'noToken' | 'forged' | 'expired' | 'algNone' | 'malformed' | 'oversized';
const STATELESS: Kind[] = ['noToken', 'forged', 'expired', 'algNone', 'malformed', 'oversized'];
/** `status code` pairs each kind may be answered, besides a timed-out invocation (503 9001, 504). */
const ALLOWED: Record<Kind, string[]> = {
  change: ['200 0', '429 5029', '409 5026'],
  wrongOld: ['400 5023', '429 5029'],
  weak: ['400 5025', '429 5029'],
  noToken: ['401 4002'],
  forged: ['401 4001'],
  expired: ['401 4001'],
  algNone: ['401 4001'],
  malformed: ['400 1001'],
  oversized: ['413 1004'],
};
const SUCCESS = '{"status":true,"data":{"passwordChanged":"OK"}}';

interface Answer {
  status: number;
  code: number;
  body: string;
  /** Retry-After in seconds, when given. */
  retryAfter?: number;
}

/** What the clients of one run share: where to send, the tokens, and the tally of what came back. */
interface Run {
  url: string;
  tokens: Awaited<ReturnType<typeof tokens>>;
  answers: Record<string, number>;
  mismatches: { kind: Kind; status: number; body: string }[];
  counts: { mismatches: number; requests: number; retries: number; unresolved: number };
}

const send = async (run: Run, headers: Record<string, string>, body: string): Promise<Answer> => {
  run.counts.requests += 1;
  try {
    const res = await fetch(run.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    let code = 0;
    try {
      code = (JSON.parse(text) as { error?: { code?: number } }).error?.code ?? 0;
    } catch {
      code = -1;
    }
    const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
    return { status: res.status, code, body: text, ...(Number.isFinite(retryAfter) ? { retryAfter } : {}) };
  } catch (error) {
    return { status: 0, code: -1, body: `no answer: ${(error as Error).message}` };
  }
};

const timedOut = ({ status, code }: Answer): boolean => (status === 503 && code === 9001) || status === 504;

/** Records the answer; false when it is not one this kind of request may get. */
const check = (run: Run, kind: Kind, answer: Answer): boolean => {
  const key = `${answer.status} ${answer.code}`;
  run.answers[`${kind} → ${key}`] = (run.answers[`${kind} → ${key}`] ?? 0) + 1;
  const ok = (ALLOWED[kind].includes(key) || timedOut(answer)) && (answer.status !== 200 || answer.body === SUCCESS) && !/stackTrace|\n\s+at /.test(answer.body);
  if (!ok) {
    run.counts.mismatches += 1;
    if (run.mismatches.length < 20) run.mismatches.push({ kind, status: answer.status, body: answer.body.slice(0, 300) });
  }
  return ok;
};

const statelessRequest = async (run: Run, kind: Kind): Promise<void> => {
  const valid = { Authorization: `Bearer ${run.tokens.bystander}` };
  const body = JSON.stringify({ oldPassword: START_PASSWORD, newPassword: 'Never-Stored-P@ss7' });
  const request: Record<string, () => Promise<Answer>> = {
    noToken: () => send(run, {}, body),
    forged: () => send(run, { Authorization: `Bearer ${run.tokens.forged}` }, body),
    expired: () => send(run, { Authorization: `Bearer ${run.tokens.expired}` }, body),
    algNone: () => send(run, { Authorization: `Bearer ${run.tokens.algNone}` }, body),
    malformed: () => send(run, valid, '{"oldPassword": "Load-Start-P@ss1",'),
    oversized: () => send(run, valid, JSON.stringify({ oldPassword: START_PASSWORD, newPassword: 'Never-Stored-P@ss7', padding: 'x'.repeat(16 * 1024) })),
  };
  check(run, kind, await (request[kind] as () => Promise<Answer>)());
};

/** One valid change, sent again after each timed-out answer until it is answered otherwise. */
const change = async (run: Run, user: User, deadline: number): Promise<void> => {
  const next = `Load-${user.userId}-${user.changes + 1}-P@ss!`;
  const headers = { Authorization: `Bearer ${user.token}` };
  const body = JSON.stringify({ oldPassword: user.password, newPassword: next });
  for (let attempt = 0; ; attempt++) {
    const answer = await send(run, headers, body);
    check(run, 'change', answer);
    // A client trusts the status: a 200 means its password is now the new one.
    if (answer.status === 200) {
      user.password = next;
      user.changes += 1;
      // A token issued before the change no longer passes; the client gets a new one.
      user.token = await mintToken(user.userId, { expiresIn: '2h' });
      return;
    }
    if (!timedOut(answer) && !(attempt > 0 && answer.status === 409)) return;
    if (Date.now() > deadline + RESOLVE_MS) {
      run.counts.unresolved += 1;
      run.counts.mismatches += 1;
      return;
    }
    run.counts.retries += 1;
    // As a client should: after Retry-After (the function's 503 says 2 s), 2 s without one.
    await new Promise((resolve) => setTimeout(resolve, (answer.retryAfter ?? 2) * 1000));
  }
};

const userClient = async (run: Run, user: User, deadline: number): Promise<void> => {
  while (Date.now() < deadline) {
    const roll = Math.random();
    if (roll < 0.6) await change(run, user, deadline);
    else if (roll < 0.75) check(run, 'wrongOld', await send(run, { Authorization: `Bearer ${user.token}` }, JSON.stringify({ oldPassword: 'Wrong-Old-P@ss9', newPassword: 'Never-Stored-P@ss7' })));
    else if (roll < 0.87) check(run, 'weak', await send(run, { Authorization: `Bearer ${user.token}` }, JSON.stringify({ oldPassword: user.password, newPassword: 'weakpassword' })));
    else await statelessRequest(run, STATELESS[Math.floor(Math.random() * STATELESS.length)] as Kind);
  }
};

const statelessClient = async (run: Run, offset: number, deadline: number): Promise<void> => {
  for (let i = offset; Date.now() < deadline; i++) await statelessRequest(run, STATELESS[i % STATELESS.length] as Kind);
};

/** Every user's stored hash against the password of their last 200, read with the real client; the users whose hash is not. */
const usersWhoseHashDiffers = async (dynamoEndpoint: string, users: User[]): Promise<string[]> => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const differ: string[] = [];
  for (const user of users) {
    const { Item } = await doc.send(new GetCommand({ TableName: TABLE, Key: { userId: user.userId }, ConsistentRead: true }));
    const hash: unknown = Item?.passwordHash;
    if (typeof hash !== 'string' || !(await verifyPassword(user.password, hash))) differ.push(user.userId);
  }
  doc.destroy();
  return differ;
};

const { dynamoEndpoint, url } = await startNpmStart();
const users = await seedUsers(dynamoEndpoint);
const run: Run = { url, tokens: await tokens(), answers: {}, mismatches: [], counts: { mismatches: 0, requests: 0, retries: 0, unresolved: 0 } };

// Saturate every core with other work, as a busy laptop or CI box is.
for (let i = 0; i < BUSY; i++) children.push(spawn(process.execPath, ['-e', 'for(;;){}'], { detached: true, stdio: 'ignore' }));

const started = Date.now();
const deadline = started + SECONDS * 1000;
await Promise.all([
  ...users.map((user) => userClient(run, user, deadline)),
  ...Array.from({ length: CLIENTS - USERS }, (_, i) => statelessClient(run, i, deadline)),
]);
const elapsed = (Date.now() - started) / 1000;
stop(children.slice(1));
const differ = await usersWhoseHashDiffers(dynamoEndpoint, users);

const summary = {
  command: `LOAD_SECONDS=${SECONDS} LOAD_CLIENTS=${CLIENTS} LOAD_BUSY=${BUSY} npm run soak:offline`,
  date: new Date().toISOString(),
  seconds: Math.round(elapsed),
  clients: CLIENTS,
  users: USERS,
  busyProcesses: BUSY,
  requests: run.counts.requests,
  passwordsChanged: users.reduce((total, user) => total + user.changes, 0),
  retriesAfterTimeout: run.counts.retries,
  unresolvedChanges: run.counts.unresolved,
  answers: Object.fromEntries(Object.entries(run.answers).sort(([a], [b]) => a.localeCompare(b))),
  mismatches: run.counts.mismatches,
  mismatchSamples: run.mismatches,
  usersWhoseHashIsNotTheirLast200: `${differ.length} of ${USERS}`,
};
console.log(JSON.stringify(summary, null, 2));
// The server is stopped by the exit handler (its whole process group).
process.exit(run.counts.mismatches === 0 && differ.length === 0 ? 0 : 1);
