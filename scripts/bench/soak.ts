/**
 * `npm run soak`: load and soak test of the local server, bounded in time and count, 127.0.0.1 only.
 *
 * Two servers, both over dynalite at BCRYPT_COST=4 on free ports:
 * - SOAK_SERVER=in-process (default): the exported handler, warm, behind a tiny node:http server
 *   (scripts/bench/soak-server.ts). This is the function's own throughput, latency and memory.
 * - SOAK_SERVER=offline: exactly what `npm start` runs (scripts/local/start.ts, serverless-offline). It
 *   relays through Hapi, so it measures mostly itself; use it to check the npm start path holds up,
 *   not for figures (scripts/bench/offline-load.ts checks its answers under mixed load).
 * Seeds SOAK_USERS users each with its own token, then drives the server with autocannon for
 * SOAK_SECONDS over SOAK_CONNECTIONS keep-alive connections. Each
 * request checks a user out of a pool and changes that user's password (old → new, tracked), so
 * every request is a real read + two bcrypts + conditional write. Every 10th request is sent with
 * a wrong old password (intended 400 5023) and every 25th without a token (intended 401 4002).
 *
 * Reports requests, intended refusals, errors (anything else: must be 0), p50/p99 latency, and the
 * RSS of the server processes before and after. Exits 1 when there was any error.
 *
 *   npm run soak                                   # 30 s, 64 connections, 128 users, in-process
 *   SOAK_SECONDS=120 SOAK_CONNECTIONS=32 npm run soak
 *   SOAK_SERVER=offline SOAK_CONNECTIONS=8 npm run soak
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon, { type Request } from 'autocannon';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { CHANGE_PASSWORD_ROUTE } from '../../lib/http/routes.js';
import { ensureUsersTable, putUser, startEmbeddedDynamo } from '../local/dynamodb.js';
import { mintToken } from '../local/dev-token.js';
import { freePort } from '../local/free-port.js';
import { processTree } from '../local/process-tree.js';

const env = process.env;
const bounded = (name: string, fallback: number, max: number): number => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be a whole number from 1 to ${max}`);
  return value;
};
const SECONDS = bounded('SOAK_SECONDS', 30, 600);
const CONNECTIONS = bounded('SOAK_CONNECTIONS', 64, 256);
// Twice the connections: a connection whose request timed out keeps its user checked out.
const USERS = bounded('SOAK_USERS', CONNECTIONS * 2, 2048);
const COST = 4;
const TABLE = 'soak-users';
const PASSWORDS = ['Soak-Start-P@ss1'];
/**
 * A new password for a change: random, and in hex after its prefix, so that it holds no word of
 * the user's ("soak", "user", "example" from soak-user-N@example.com), which the policy refuses.
 */
const freshPassword = (): string => `Qz7!${randomBytes(12).toString('hex')}`;


// Start the server
/** Spawns a process group and resolves once its output contains `ready`; output is then drained. */
const spawnUntil = async (args: string[], childEnv: NodeJS.ProcessEnv, ready: string) => {
  const child = spawn(process.execPath, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  };
  process.on('exit', stop);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 120 s:\n${output}`)), 120_000);
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
    const collect = (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
  });
  // From here on the server's own output (a log line per request) is read and dropped.
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();
  return { pid: child.pid as number, output, stop };
};

/** A running server to soak: its process, where its DynamoDB is, and how to read its memory. */
interface SoakServer {
  process: Awaited<ReturnType<typeof spawnUntil>>;
  dynamoEndpoint: string;
  stopDynamo: () => Promise<void>;
  memory: () => Promise<Record<string, number>>;
  description: string;
}

// Always an embedded dynalite, never a DynamoDB named in the caller's environment.
const { DYNAMODB_ENDPOINT: _ignored, ...inherited } = env;
const MODE = env.SOAK_SERVER === 'offline' ? 'offline' : 'in-process';

/** Exactly what `npm start` runs: scripts/local/start.ts, dynalite in its process, serverless-offline as its child. */
const startOffline = async (port: number): Promise<SoakServer> => {
  const [dynamoPort, lambdaPort] = [await freePort(), await freePort()];
  const server = await spawnUntil(
    ['node_modules/tsx/dist/cli.mjs', 'scripts/local/start.ts'],
    { ...inherited, PORT: String(port), DYNAMODB_PORT: String(dynamoPort), OFFLINE_LAMBDA_PORT: String(lambdaPort), BCRYPT_COST: String(COST), USERS_TABLE: TABLE, ESBUILD_WORK_FOLDER: '.esbuild-soak' },
    'Stop with Ctrl+C',
  );
  const found = /dynalite, in memory\) on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output)?.[1];
  if (found === undefined) throw new Error(`could not find the DynamoDB endpoint in:\n${server.output}`);
  return {
    process: server,
    dynamoEndpoint: found,
    stopDynamo: () => Promise.resolve(),
    description: 'scripts/local/start.ts (what npm start runs): serverless-offline over dynalite',
    memory: async () => {
      const tree = await processTree(server.pid);
      const sum = (match: string) => tree.filter((p) => p.args.includes(match)).reduce((total, p) => total + p.rssMiB, 0);
      return { 'serverless-offline': sum('serverless.js offline'), 'dynalite (start.ts)': sum('scripts/local/start.ts') };
    },
  };
};

/** The exported handler, warm, behind node:http in its own process; dynalite in this one. */
const startInProcess = async (port: number): Promise<SoakServer> => {
  const dynamo = await startEmbeddedDynamo();
  await ensureUsersTable(dynamo.endpoint, TABLE);
  const server = await spawnUntil(
    ['node_modules/tsx/dist/cli.mjs', 'scripts/bench/soak-server.ts'],
    { ...inherited, PORT: String(port), DYNAMODB_ENDPOINT: dynamo.endpoint, USERS_TABLE: TABLE, JWT_SECRET: DEV_JWT_SECRET, BCRYPT_COST: String(COST), STAGE: 'local' },
    'ready on',
  );
  return {
    process: server,
    dynamoEndpoint: dynamo.endpoint,
    stopDynamo: dynamo.stop,
    description: 'scripts/bench/soak-server.ts: the exported handler behind node:http, over dynalite',
    memory: async () => {
      const tree = await processTree(server.pid);
      return { 'handler process': tree.filter((p) => p.args.includes('soak-server.ts')).reduce((total, p) => total + p.rssMiB, 0) };
    },
  };
};

interface User {
  userId: string;
  token: string;
  password: string;
  changes: number;
}

/** USERS users, each with a token of its own. */
const seedPool = async (dynamoEndpoint: string): Promise<User[]> => {
  const pool: User[] = [];
  for (let i = 0; i < USERS; i++) {
    const userId = `soak-user-${i}`;
    await putUser(dynamoEndpoint, TABLE, { userId, password: PASSWORDS[0] as string, email: `${userId}@example.com` }, COST);
    pool.push({ userId, token: await mintToken(userId, { expiresIn: '2h' }), password: PASSWORDS[0] as string, changes: 0 });
  }
  return pool;
};

/** One warm-up request so the first cold start is not counted as latency. */
const warmUp = async (url: string, user: User): Promise<void> => {
  const next = freshPassword();
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ oldPassword: user.password, newPassword: next }) });
  if (res.status !== 200) throw new Error(`warm-up answered ${res.status}: ${await res.text()}`);
  user.password = next;
  user.changes += 1;
  user.token = await mintToken(user.userId, { expiresIn: '2h' });
};

type Kind = 'change' | 'wrongOld' | 'noToken';
interface Ctx {
  kind?: Kind;
  user?: User;
  next?: string;
}
type Counts = Record<Kind | 'changed' | 'intendedRefusals' | 'unexpected', number>;

/**
 * The request each connection sends next: a user checked out of the pool changes its password,
 * every 10th with a wrong old password, every 25th (or when the pool is empty) without a token.
 */
const nextRequest = (pool: User[], counts: Counts) => {
  let sequence = 0;
  return (req: Request, context: unknown): Request => {
    const ctx = context as Ctx;
    const n = ++sequence;
    const user = pool.shift();
    const kind: Kind = user === undefined || n % 25 === 0 ? 'noToken' : n % 10 === 0 ? 'wrongOld' : 'change';
    ctx.kind = kind;
    ctx.user = user;
    counts[kind] += 1;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (kind !== 'noToken' && user !== undefined) headers.authorization = `Bearer ${user.token}`;
    const current = user?.password ?? PASSWORDS[0] ?? '';
    ctx.next = freshPassword();
    const body = kind === 'wrongOld' ? { oldPassword: 'Definitely-Wr0ng!', newPassword: ctx.next } : { oldPassword: current, newPassword: ctx.next };
    return { ...req, headers, body: JSON.stringify(body) };
  };
};

/** Counts an answer as intended or not, and returns its user to the pool (after a 200 with its new password and a new token). */
const onAnswer = (pool: User[], counts: Counts, unexpected: Record<string, number>) => (status: number, body: string, context: unknown): void => {
  const ctx = context as Ctx;
  const code = status === 200 ? 0 : ((JSON.parse(body) as { error?: { code?: number } }).error?.code ?? -1);
  const intended = (ctx.kind === 'change' && status === 200) || (ctx.kind === 'wrongOld' && status === 400 && code === 5023) || (ctx.kind === 'noToken' && status === 401 && code === 4002);
  if (!intended) {
    counts.unexpected += 1;
    unexpected[`${ctx.kind ?? '?'} → ${status} ${code}`] = (unexpected[`${ctx.kind ?? '?'} → ${status} ${code}`] ?? 0) + 1;
  } else if (status === 200) {
    counts.changed += 1;
  } else {
    counts.intendedRefusals += 1;
  }
  const { user } = ctx;
  if (user === undefined) return;
  if (status !== 200 || ctx.next === undefined) {
    pool.push(user);
    return;
  }
  user.password = ctx.next;
  user.changes += 1;
  // A token issued before the change no longer passes: the user gets a new one, as a client would.
  void mintToken(user.userId, { expiresIn: '2h' }).then((token) => {
    user.token = token;
    pool.push(user);
  });
};

/** Peak RSS sampled once a second while the load runs, and every 10 s a line of the timeline (a plateau is warm-up, steady growth a leak). */
const sampleMemory = (memory: SoakServer['memory'], before: Record<string, number>) => {
  const peak: Record<string, number> = { ...before };
  const timeline: string[] = [];
  let ticks = 0;
  const sampler = setInterval(() => {
    const tick = ++ticks;
    void memory().then((m) => {
      for (const [name, mib] of Object.entries(m)) peak[name] = Math.max(peak[name] ?? 0, mib);
      if (tick % 10 === 0) timeline.push(`${tick}s: ${Object.values(m).join('/')}`);
    });
  }, 1000);
  return { stop: () => clearInterval(sampler), peak, timeline };
};

/** Drives the server with autocannon for SECONDS over CONNECTIONS connections. */
const runLoad = async (url: string, pool: User[]) => {
  const counts: Counts = { change: 0, changed: 0, wrongOld: 0, noToken: 0, intendedRefusals: 0, unexpected: 0 };
  const unexpected: Record<string, number> = {};
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    pipelining: 1,
    timeout: 10,
    requests: [{ method: 'POST', setupRequest: nextRequest(pool, counts), onResponse: onAnswer(pool, counts, unexpected) }],
  });
  return { result, counts, unexpected };
};

/** Prints the run as JSON and as one line; returns the number of errors. */
const printReport = (server: SoakServer, load: Awaited<ReturnType<typeof runLoad>>, memory: { before: Record<string, number>; after: Record<string, number> } & ReturnType<typeof sampleMemory>): number => {
  const { result, counts, unexpected } = load;
  const errors = counts.unexpected + result.errors + result.timeouts;
  const report = {
    command: `SOAK_SERVER=${MODE} SOAK_SECONDS=${SECONDS} SOAK_CONNECTIONS=${CONNECTIONS} SOAK_USERS=${USERS} npm run soak`,
    server: `${server.description}, BCRYPT_COST=${COST}`,
    seconds: SECONDS,
    connections: CONNECTIONS,
    users: USERS,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    passwordsChanged: counts.changed,
    intendedRefusals: counts.intendedRefusals,
    errors,
    errorDetail: { unexpectedAnswers: unexpected, socketErrors: result.errors, timeouts: result.timeouts },
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    rssTimelineMiB: memory.timeline,
    rssMiB: Object.fromEntries(Object.keys(memory.before).map((name) => [name, { before: memory.before[name], after: memory.after[name], peak: memory.peak[name] }])),
  };
  console.log(JSON.stringify(report, null, 2));
  const rss = Object.entries(report.rssMiB).map(([name, m]) => `${name} RSS ${m.before} → ${m.after} MiB (peak ${m.peak})`).join(', ');
  console.log(
    `\n${report.requests} requests in ${SECONDS} s (${report.requestsPerSecond}/s) over ${CONNECTIONS} connections: ${counts.changed} passwords changed, ` +
      `${counts.intendedRefusals} intended 4xx, ${errors} errors; p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms; ${rss}`,
  );
  return errors;
};

const port = await freePort();
const server = MODE === 'offline' ? await startOffline(port) : await startInProcess(port);
const url = `http://127.0.0.1:${port}${CHANGE_PASSWORD_ROUTE.path}`;
const pool = await seedPool(server.dynamoEndpoint);
await warmUp(url, pool[0] as User);
const memoryBefore = await server.memory();
const sampler = sampleMemory(server.memory, memoryBefore);
const load = await runLoad(url, pool);
sampler.stop();
const memoryAfter = await server.memory();
server.process.stop();
await server.stopDynamo();
process.exit(printReport(server, load, { ...sampler, before: memoryBefore, after: memoryAfter }) === 0 ? 0 : 1);
