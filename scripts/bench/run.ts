/**
 * `npm run bench`: the packaged function against the floor (scripts/bench/floor.ts), side by side
 * in one run, on a DynamoDB API server on 127.0.0.1 (dynalite, in this process).
 *
 *   warm   one measuring process loads both bundles and alternates blocks of changes between them
 *   cold   fresh processes, alternating sides: import the bundle, serve the first change; and the
 *          same package with one part turned off by its own setting, to tell that part's share,
 *          then with all of them off
 *   phases the handler built with timers (instrumented.ts) next to the floor with its steps timed
 *   size   the zip from `sls package` (built here, in .esbuild-bench, when missing or stale)
 *   memory peak RSS of a fresh process after its first change, and after a soak of warm changes
 *
 *   history the sixth change of a user (a full history of 5) at the production cost 12, against
 *          the floor at the same cost; and the first change after the deploy of a user whose
 *          full history is separately salted (the migration); bcrypt operations counted
 *
 * Every change is a success for a user seeded just for it (random passwords, a token minted for
 * it), so the service's one-change-per-token rule and its history never refuse a request.
 * BCRYPT_COST=4 (override with BENCH_BCRYPT_COST) keeps bcrypt small so the overhead is visible;
 * the history scenario runs at BENCH_HISTORY_COST (12). Sizes of the run: BENCH_ROUNDS,
 * BENCH_BLOCK, BENCH_COLD, BENCH_SOAK, BENCH_HISTORY_PAIRS (see `settings`). The tables are
 * written by scripts/bench/report.ts.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { hashPassword, hashPasswordWithSalt } from '../../lib/adapters/bcrypt/password-hash.js';
import { saltOf } from '../../lib/core/hash-format.js';
import { createDocumentClient } from '../../lib/adapters/dynamodb/client.js';
import { ensureUsersTable, putUser, startEmbeddedDynamo } from '../local/dynamodb.js';
import { mintToken } from '../local/dev-token.js';
import type { HandlerPhases } from './instrumented.js';
import { ensurePackage, packageBuildOptions } from './package.js';
import type { BenchJob, ChildMessage, ParentMessage, Side, Step } from './protocol.js';
import { median, reportLines, type BenchTargets, type Cold, type ColdPart, type HistoryResults, type PackagedHandler, type Sides, type WarmResults } from './report.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const numberFrom = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
};
const settings = {
  cost: numberFrom('BENCH_BCRYPT_COST', 4),
  /** Warm: rounds of one block per side, alternating which side goes first. */
  rounds: numberFrom('BENCH_ROUNDS', 10),
  block: numberFrom('BENCH_BLOCK', 60),
  warmup: Math.min(40, numberFrom('BENCH_BLOCK', 60)),
  /** Rounds of the instrumented pass (shares of time), same block size. */
  phaseRounds: 3,
  /** Fresh processes per side. */
  cold: numberFrom('BENCH_COLD', 30),
  /** Changes per side in the peak-RSS soak. */
  soak: numberFrom('BENCH_SOAK', 200),
  /** The full-history scenario: its bcrypt cost, and changes per side (each ~0.6 s of bcrypt at cost 12). */
  historyCost: numberFrom('BENCH_HISTORY_COST', 12),
  historyPairs: numberFrom('BENCH_HISTORY_PAIRS', 8),
  historySize: 5,
};
/**
 * The performance targets (docs/performance.md), as ratios to the floor in the same run; the zip in
 * kB (1000 bytes), no larger than it was when these targets were set (342.4 kB).
 */
const targets: BenchTargets = { warm: 1.6, cold: 1.05, history: 1.6, zipKB: 342.4 };

const outDir = join(root, '.esbuild-bench-out');
const zipPath = join(root, '.serverless', 'changePassword.zip');
const zipEntry = 'functions/change-password/handler.cjs';

const log = (line: string) => process.stderr.write(`${line}\n`);

// Builds

/** Reads the zip's one entry: sizes from the central directory, and the file itself. */
const unpackHandler = (): PackagedHandler => {
  const script = 'import sys,zipfile,json\nz=zipfile.ZipFile(sys.argv[1])\ni=z.getinfo(sys.argv[2])\nz.extract(i,sys.argv[3])\nprint(json.dumps({"entries":len(z.infolist()),"unpacked":i.file_size}))';
  const dest = join(outDir, 'package');
  const out = JSON.parse(execFileSync('python3', ['-c', script, zipPath, zipEntry, dest], { encoding: 'utf8' })) as { entries: number; unpacked: number };
  if (out.entries !== 1) log(`! the zip holds ${out.entries} entries; the bench loads ${zipEntry} only`);
  return { zipped: statSync(zipPath).size, unpacked: out.unpacked, path: join(dest, zipEntry) };
};

const bundle = async (entry: string, name: string, options: BuildOptions): Promise<string> => {
  const outfile = join(outDir, name);
  await build({ ...options, entryPoints: [join(root, entry)], outfile, logLevel: 'warning' });
  return outfile;
};

/** What the measuring processes load: the packaged handler, the floor, the timed build and the child itself. */
interface Bundles {
  pkg: PackagedHandler;
  floorPath: string;
  instrumentedPath: string;
  childPath: string;
  floorBytes: Buffer;
}

/** Packages the function when stale, unpacks it, and bundles the floor, the timed build and the child alike. */
const buildBundles = async (): Promise<Bundles> => {
  mkdirSync(outDir, { recursive: true });
  ensurePackage(zipPath);
  const pkg = unpackHandler();
  const options = packageBuildOptions();
  const floorPath = await bundle('scripts/bench/floor.ts', 'floor.cjs', options);
  const instrumentedPath = await bundle('scripts/bench/instrumented.ts', 'instrumented.cjs', options);
  const childPath = await bundle('scripts/bench/child.ts', 'child.cjs', { ...options, minify: false });
  return { pkg, floorPath, instrumentedPath, childPath, floorBytes: readFileSync(floorPath) };
};

/**
 * A stand-in for the Pwned Passwords range API on 127.0.0.1: every prefix answers ~800 padded lines
 * with a count of 0, the size of a real padded answer, so the function's lookup parses what it
 * would in production (without the internet's round trip, which overlaps bcrypt in production).
 */
const startRangeApiStandIn = async () => {
  const lines = Array.from({ length: 800 }, () => `${randomBytes(18).toString('hex').toUpperCase().slice(0, 35)}:0`).sort().join('\r\n');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(lines);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

// Users

const secret = randomBytes(32).toString('base64url');
const password = () => `Aa1!${randomBytes(12).toString('base64url')}`;

/** How a seeded user's history is stored; see {@link Bench.seedAtCost}. */
type HistoryKind = 'shared' | 'legacy' | 'none';

/** One run's servers, users and measuring processes. */
interface Bench {
  bundles: Bundles;
  /** Users seeded so far. */
  seeded: () => number;
  /** `count` users at the bench's cost, each with a token and a new password. */
  seed: (count: number) => Promise<BenchJob[]>;
  /**
   * Users as the function leaves them after `historySize` changes (`shared`: the current hash and
   * the history share one salt, as lib/core/password-history.ts writes them, pinned by
   * tests/use-cases/change-password/password-history.test.ts) or as an older version left them (`legacy`: every
   * hash with a salt of its own), at the history cost; `none`: a user with no history, for the floor.
   */
  seedAtCost: (count: number, history: HistoryKind) => Promise<BenchJob[]>;
  /** Starts a measuring process; its stdout (the function's JSON log lines) is discarded. */
  spawnChild: (mode: 'cold' | 'warm', env: Record<string, string>) => ChildProcess;
  stop: () => Promise<void>;
}

/** Seeds users one at a time, counting them, in the table of the run. */
const createSeeder = (endpoint: string, table: string): Pick<Bench, 'seeded' | 'seed' | 'seedAtCost'> => {
  let seeded = 0;
  const historyDoc = createDocumentClient({ endpoint });
  const job = async (userId: string, oldPassword: string): Promise<BenchJob> => ({ userId, token: await mintToken(userId, { secret }), oldPassword, newPassword: password() });
  const seedOne = async (): Promise<BenchJob> => {
    const userId = `bench-user-${++seeded}`;
    const oldPassword = password();
    await putUser(endpoint, table, { userId, password: oldPassword, email: `${userId}@example.com`, username: userId }, settings.cost);
    return job(userId, oldPassword);
  };
  const seedOneAtCost = async (history: HistoryKind): Promise<BenchJob> => {
    const userId = `bench-user-${++seeded}`;
    const current = password();
    const passwordHash = await hashPassword(current, settings.historyCost);
    const salt = saltOf(passwordHash) ?? '';
    const previous = history === 'none' ? [] : Array.from({ length: settings.historySize }, () => password());
    const passwordHistory = await Promise.all(previous.map((p) => (history === 'shared' ? hashPasswordWithSalt(p, salt) : hashPassword(p, settings.historyCost))));
    await historyDoc.send(new PutCommand({ TableName: table, Item: { userId, passwordHash, passwordHistory, email: `${userId}@example.com`, username: userId } }));
    return job(userId, current);
  };
  const times = async (count: number, one: () => Promise<BenchJob>): Promise<BenchJob[]> => {
    const jobs: BenchJob[] = [];
    for (let i = 0; i < count; i += 1) jobs.push(await one());
    return jobs;
  };
  return {
    seeded: () => seeded,
    seed: (count) => times(count, seedOne),
    seedAtCost: (count, history) => times(count, () => seedOneAtCost(history)),
  };
};

/**
 * Node flags for every measuring process, both sides alike (BENCH_NODE_FLAGS, space-separated):
 * none by default; Lambda's own bootstrap starts Node with some (docs/performance.md).
 */
const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

/** The environment of a measuring process: what Lambda would set, nothing of this shell's. */
const childEnv = (table: string, endpoint: string, rangeApiUrl: string, extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  STAGE: 'bench',
  USERS_TABLE: table,
  DYNAMODB_ENDPOINT: endpoint,
  JWT_SECRET: secret,
  BCRYPT_COST: String(settings.cost),
  POWERTOOLS_SERVICE_NAME: 'change-password',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'change-password-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  // The breached-password lookup is on, as deployed, against a stand-in on 127.0.0.1 (no internet
  // here); BENCH_HIBP=off turns it off, to tell its cost apart.
  HIBP_API_URL: rangeApiUrl,
  ...(process.env.BENCH_HIBP === 'off' ? { HIBP_ENABLED: 'false' } : {}),
  ...extra,
});

/** Builds the bundles, starts dynalite and the range API stand-in, and creates the run's table. */
const startBench = async (): Promise<Bench> => {
  const bundles = await buildBundles();
  const dynamo = await startEmbeddedDynamo();
  const rangeApi = await startRangeApiStandIn();
  const table = `bench-${randomBytes(4).toString('hex')}`;
  await ensureUsersTable(dynamo.endpoint, table);
  log(`• dynalite on ${dynamo.endpoint}, table ${table}, bcrypt cost ${settings.cost}`);
  return {
    bundles,
    ...createSeeder(dynamo.endpoint, table),
    spawnChild: (mode, env) =>
      fork(bundles.childPath, [mode], { execPath: process.execPath, execArgv: nodeFlags, env: childEnv(table, dynamo.endpoint, rangeApi.url, env), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    stop: async () => {
      await dynamo.stop();
      rangeApi.server.close();
    },
  };
};

// Talking to a measuring process

const nextMessage = (child: ChildProcess, timeoutMs = 60_000): Promise<ChildMessage> =>
  new Promise((resolveMessage, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error('a measuring process did not answer in time')); }, timeoutMs);
    const onExit = (code: number | null) => { clearTimeout(timer); reject(new Error(`a measuring process exited (${code})`)); };
    child.once('exit', onExit);
    child.once('message', (message: ChildMessage) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      if (message.type === 'error') reject(new Error(message.message));
      else resolveMessage(message);
    });
  });

const runBlock = async (child: ChildProcess, steps: Step[]) => {
  const reply = nextMessage(child, 180_000);
  child.send({ type: 'run', steps } satisfies ParentMessage);
  const message = await reply;
  if (message.type !== 'block') throw new Error(`unexpected ${message.type}`);
  return message;
};

const closeChild = async (child: ChildProcess): Promise<number> => {
  const reply = nextMessage(child);
  child.send({ type: 'exit' } satisfies ParentMessage);
  const message = await reply;
  return message.type === 'bye' ? message.maxRssKb : Number.NaN;
};

/** `pairs` changes per side, interleaved one by one, the leading side swapping at every pair. */
const interleaved = async (bench: Bench, a: Side, b: Side, pairs: number): Promise<Step[]> => {
  const jobs = await bench.seed(2 * pairs);
  return jobs.map((job, i) => {
    const pair = Math.floor(i / 2);
    const first = pair % 2 === 0 ? a : b;
    return { side: i % 2 === 0 ? first : first === a ? b : a, job };
  });
};
const latenciesOf = (steps: Step[], latencies: number[], side: Side) => latencies.filter((_, i) => steps[i]?.side === side);

/** One change of each side per pair, the leading side swapping at every pair. */
const pairUp = (a: Side, jobsA: BenchJob[], b: Side, jobsB: BenchJob[]): Step[] =>
  jobsA.flatMap((job, i) => {
    const other = jobsB[i];
    if (other === undefined) return [];
    const pair: Step[] = [{ side: a, job }, { side: b, job: other }];
    return i % 2 === 0 ? pair : pair.reverse();
  });

// Measurements

/** Warm: rounds of interleaved changes in one process, after a warm-up of every side. */
const measureWarm = async (bench: Bench, child: ChildProcess): Promise<Omit<WarmResults, 'phases'>> => {
  log(`• warm: ${settings.rounds} rounds × ${settings.block} changes per side, interleaved one by one …`);
  await nextMessage(child);
  await runBlock(child, [...(await interleaved(bench, 'handler', 'floor', settings.warmup)), ...(await interleaved(bench, 'instrumented', 'floorTimed', settings.warmup))]);
  const warm: Sides<number[]> = { handler: [], floor: [] };
  const warmCpu: Sides<number[]> = { handler: [], floor: [] };
  const roundRatios: number[] = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    const steps = await interleaved(bench, round % 2 === 0 ? 'handler' : 'floor', round % 2 === 0 ? 'floor' : 'handler', settings.block);
    const { latencies, cpu } = await runBlock(child, steps);
    const handler = latenciesOf(steps, latencies, 'handler');
    const floor = latenciesOf(steps, latencies, 'floor');
    warm.handler.push(...handler);
    warm.floor.push(...floor);
    warmCpu.handler.push(...latenciesOf(steps, cpu, 'handler'));
    warmCpu.floor.push(...latenciesOf(steps, cpu, 'floor'));
    roundRatios.push(median(handler) / median(floor));
  }
  return { warm, warmCpu, roundRatios };
};

/** Phases: the timed build next to the floor's timed steps, in the warm process. */
const measurePhases = async (bench: Bench, child: ChildProcess): Promise<WarmResults['phases']> => {
  log(`• phases: ${settings.phaseRounds} rounds × ${settings.block} changes per side, with timers …`);
  const phases: WarmResults['phases'] = { instrumented: [], floorTimed: [] };
  for (let round = 0; round < settings.phaseRounds; round += 1) {
    const steps = await interleaved(bench, 'instrumented', 'floorTimed', settings.block);
    const block = await runBlock(child, steps);
    block.phases.forEach((p, i) => {
      const side = steps[i]?.side;
      if (p !== undefined && (side === 'instrumented' || side === 'floorTimed')) phases[side].push(p);
    });
  }
  return phases;
};

/** Warm rounds, then the phases, in one measuring process. */
const measureWarmAndPhases = async (bench: Bench): Promise<WarmResults> => {
  const { pkg, floorPath, instrumentedPath } = bench.bundles;
  const child = bench.spawnChild('warm', { BENCH_HANDLER: pkg.path, BENCH_FLOOR: floorPath, BENCH_INSTRUMENTED: instrumentedPath });
  const warm = await measureWarm(bench, child);
  const phases = await measurePhases(bench, child);
  await closeChild(child);
  return { ...warm, phases };
};

/** One fresh process: import the bundle, serve one change, report, exit; `env` overrides the function's settings. */
const coldStart = async (bench: Bench, side: keyof Sides<unknown>, env: Record<string, string> = {}): Promise<Cold> => {
  const [job] = await bench.seed(1);
  const spawnedAt = performance.now();
  const child = bench.spawnChild('cold', { ...env, BENCH_KIND: side, BENCH_TARGET: side === 'handler' ? bench.bundles.pkg.path : bench.bundles.floorPath, BENCH_JOB: JSON.stringify(job) });
  const message = await nextMessage(child);
  const wallMs = performance.now() - spawnedAt;
  if (message.type !== 'cold') throw new Error(`unexpected ${message.type}`);
  await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(undefined)));
  return { ...message, wallMs };
};

/**
 * The parts of a cold start that a setting turns off: the package is the same, so what a part
 * saves is its run (its code is still loaded and compiled). Then all of them at once: what is left
 * is the function's code and libraries, not what its policy and log line do.
 */
const ONE_PART_OFF: ColdPart['setting'][] = [
  { PASSWORD_MIN_STRENGTH: '0' },
  ...(process.env.BENCH_HIBP === 'off' ? [] : [{ HIBP_ENABLED: 'false' }]),
  { POWERTOOLS_LOG_LEVEL: 'SILENT' },
];
const COLD_PARTS: ColdPart['setting'][] = [...ONE_PART_OFF, Object.fromEntries(ONE_PART_OFF.flatMap((setting) => Object.entries(setting)))];

/** Cold: fresh processes, the sides alternating which goes first, then each part turned off in turn, then all of them. */
const measureCold = async (bench: Bench): Promise<{ cold: Sides<Cold[]>; coldParts: ColdPart[] }> => {
  log(`• cold: ${settings.cold} fresh processes per side, alternating, and as many of the function with each of ${ONE_PART_OFF.length} parts turned off, then all of them …`);
  const cold: Sides<Cold[]> = { handler: [], floor: [] };
  const coldParts: ColdPart[] = COLD_PARTS.map((setting) => ({ setting, runs: [] }));
  for (let i = 0; i < settings.cold; i += 1) {
    const order = i % 2 === 0 ? (['handler', 'floor'] as const) : (['floor', 'handler'] as const);
    for (const side of order) cold[side].push(await coldStart(bench, side));
    for (const part of coldParts) part.runs.push(await coldStart(bench, 'handler', part.setting));
  }
  return { cold, coldParts };
};

/** The timed build's phases of the history block, by kind of user. */
const historyPhasesOf = (timedSteps: Step[], phases: (HandlerPhases | undefined)[], timedCount: number): HistoryResults['historyPhases'] => {
  const historyPhases: HistoryResults['historyPhases'] = { shared: [], floor: [], legacy: [] };
  phases.forEach((p, i) => {
    if (p === undefined) return;
    if (timedSteps[i]?.side === 'floorTimed') historyPhases.floor.push(p);
    else if (i < 2 * timedCount) historyPhases.shared.push(p);
    else historyPhases.legacy.push(p);
  });
  return historyPhases;
};

/** Full history at the history cost: sixth changes against the floor, then the timed build with the legacy first change. */
const measureHistory = async (bench: Bench): Promise<HistoryResults> => {
  log(`• full history: ${settings.historyPairs} sixth changes per side at cost ${settings.historyCost}, interleaved, then the same with timers and the legacy first change (seeding ≈ ${Math.round(settings.historyPairs * 4 * 0.3 * (settings.historySize + 1))} s of bcrypt) …`);
  const { pkg, floorPath, instrumentedPath } = bench.bundles;
  const child = bench.spawnChild('warm', { BCRYPT_COST: String(settings.historyCost), BENCH_HANDLER: pkg.path, BENCH_FLOOR: floorPath, BENCH_INSTRUMENTED: instrumentedPath });
  await nextMessage(child, 120_000);
  // One warm-up change per side at this cost (the handler's first policy use, connections).
  await runBlock(child, pairUp('handler', await bench.seedAtCost(1, 'shared'), 'floor', await bench.seedAtCost(1, 'none')));
  const historySteps = pairUp('handler', await bench.seedAtCost(settings.historyPairs, 'shared'), 'floor', await bench.seedAtCost(settings.historyPairs, 'none'));
  const historyBlock = await runBlock(child, historySteps);
  const full = { handler: latenciesOf(historySteps, historyBlock.latencies, 'handler'), floor: latenciesOf(historySteps, historyBlock.latencies, 'floor') };
  const fullCpu = { handler: latenciesOf(historySteps, historyBlock.cpu, 'handler'), floor: latenciesOf(historySteps, historyBlock.cpu, 'floor') };
  const timedCount = Math.max(2, Math.floor(settings.historyPairs / 2));
  const timedSteps = [
    ...pairUp('instrumented', await bench.seedAtCost(timedCount, 'shared'), 'floorTimed', await bench.seedAtCost(timedCount, 'none')),
    ...(await bench.seedAtCost(timedCount, 'legacy')).map((job): Step => ({ side: 'instrumented', job })),
  ];
  const timedBlock = await runBlock(child, timedSteps);
  await closeChild(child);
  return { full, fullCpu, historyPhases: historyPhasesOf(timedSteps, timedBlock.phases, timedCount) };
};

/** Memory: peak RSS of a fresh process per side after a soak of warm changes. */
const measureSoak = async (bench: Bench): Promise<Sides<number>> => {
  log(`• memory: ${settings.soak} warm changes in a fresh process per side …`);
  const soakRss: Sides<number> = { handler: Number.NaN, floor: Number.NaN };
  for (const side of ['floor', 'handler'] as const) {
    const child = bench.spawnChild('warm', side === 'handler' ? { BENCH_HANDLER: bench.bundles.pkg.path } : { BENCH_FLOOR: bench.bundles.floorPath });
    await nextMessage(child);
    await runBlock(child, (await bench.seed(settings.soak)).map((job) => ({ side, job })));
    soakRss[side] = await closeChild(child);
  }
  return soakRss;
};

const main = async () => {
  const started = performance.now();
  const bench = await startBench();
  const warm = await measureWarmAndPhases(bench);
  const { cold, coldParts } = await measureCold(bench);
  const history = await measureHistory(bench);
  const soakRss = await measureSoak(bench);
  await bench.stop();

  const { pkg, floorBytes } = bench.bundles;
  const results = { settings, targets, warm, cold, coldParts, history, soakRss, pkg, floorBytes, seconds: (performance.now() - started) / 1000, seeded: bench.seeded() };
  const { lines, missed } = reportLines(results);
  console.log(lines.join('\n'));
  const { warm: warmSamples, warmCpu, roundRatios, phases } = warm;
  writeFileSync(join(outDir, 'results.json'), JSON.stringify({ settings, warm: warmSamples, warmCpu, roundRatios, cold, coldParts, soakRss, phases, ...history, pkg, floorBytes: floorBytes.length }, null, 1));
  if (missed) log('! a target was missed (see the table): docs/performance.md says by how much and where the time goes');
};

// Bounded: a wedged run is stopped rather than left holding the machine.
const deadline = setTimeout(() => { log('✖ bench took over 12 minutes; stopped'); process.exit(2); }, 12 * 60_000);
deadline.unref();
main().then(
  () => process.exit(0),
  (error: Error) => { log(`✖ ${error.stack ?? error.message}`); process.exit(1); },
);
