/**
 * `npm run bench:authorizer`: the token authorizer's bundle against its floor
 * (scripts/bench/authorizer-floor.ts: one jose verification plus one GetItem), side by side in one
 * run, on a DynamoDB API server on 127.0.0.1 (dynalite, in this process).
 *
 *   warm  this process loads both bundles and alternates blocks of allowed authorizations
 *   cold  fresh processes, alternating sides: load the bundle, answer the first authorization
 *         (wall time, and the process's CPU time, which a busy machine disturbs less)
 *   size  .serverless/tokenAuthorizer.zip from `sls package` (built here when missing or stale)
 *
 * Targets (docs/performance.md): warm ≤ ×1.3 of the floor, cold ≤ ×1.2, zipped ≤ 150 KiB.
 * Sizes of the run: BENCH_ROUNDS, BENCH_BLOCK, BENCH_COLD.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { load as loadYaml } from 'js-yaml';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { SESSION_ROUTE } from '../../lib/http/routes.js';
import { mintToken } from '../local/dev-token.js';
import { ensureUsersTable, putUser, startEmbeddedDynamo } from '../local/dynamodb.js';
import { ensurePackage, packageBuildOptions } from './package.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, '.esbuild-bench-out', 'authorizer');
const whole = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
};
const settings = { rounds: whole('BENCH_ROUNDS', 10), block: whole('BENCH_BLOCK', 200), cold: whole('BENCH_COLD', 20), users: 50 };
const targets = { warm: 1.3, cold: 1.2, zipKiB: 150 };
const TABLE = 'bench-authorizer-users';
const log = (line: string) => process.stderr.write(`${line}\n`);
const zipPath = join(root, '.serverless', 'tokenAuthorizer.zip');
const excluded = (): string[] => (loadYaml(readFileSync(join(root, 'serverless.yml'), 'utf8')) as { custom: { esbuild: { exclude: string[] } } }).custom.esbuild.exclude;

const bundle = async (entry: string, name: string): Promise<string> => {
  const outfile = join(outDir, name);
  // serverless-esbuild's `exclude` (modules the runtime ships) is esbuild's `external`.
  await build({ ...packageBuildOptions(), external: excluded(), entryPoints: [join(root, entry)], outfile, logLevel: 'warning' });
  return outfile;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ms = (x: number) => `${x.toFixed(3)} ms`;

type Handler = (event: unknown) => Promise<{ isAuthorized: boolean }>;
const event = (token: string) => ({ version: '2.0', type: 'REQUEST', routeKey: `${SESSION_ROUTE.method} ${SESSION_ROUTE.path}`, headers: { authorization: `Bearer ${token}` }, requestContext: { requestId: 'bench' } });

// Size: the zip `sls package` writes; packaged first, with the shell's environment.
ensurePackage(zipPath);
const zipped = statSync(zipPath).size;
mkdirSync(outDir, { recursive: true });
log('• bundling the authorizer and the floor (serverless.yml esbuild options) …');
const [authorizerFile, floorFile] = [await bundle('functions/token-authorizer/handler.ts', 'authorizer.cjs'), await bundle('scripts/bench/authorizer-floor.ts', 'floor.cjs')];

const dynamo = await startEmbeddedDynamo();
await ensureUsersTable(dynamo.endpoint, TABLE);
const changedAt = new Date(Date.now() - 3_600_000).toISOString();
const tokens: string[] = [];
for (let i = 0; i < settings.users; i += 1) {
  await putUser(dynamo.endpoint, TABLE, { userId: `bench-${i}`, password: 'CurrentSecureP@ss123', passwordChangedAt: changedAt }, 4);
  tokens.push(await mintToken(`bench-${i}`, { expiresIn: '2h' }));
}
const env = {
  USERS_TABLE: TABLE,
  DYNAMODB_ENDPOINT: dynamo.endpoint,
  JWT_SECRET: DEV_JWT_SECRET,
  STAGE: 'local',
  AWS_REGION: 'local',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};
Object.assign(process.env, env);

// Warm
const require = createRequire(import.meta.url);
const sides = { authorizer: (require(authorizerFile) as { handler: Handler }).handler, floor: (require(floorFile) as { handler: Handler }).handler };
const runBlock = async (handler: Handler, n: number): Promise<number[]> => {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const start = performance.now();
    const { isAuthorized } = await handler(event(tokens[i % tokens.length] ?? ''));
    times.push(performance.now() - start);
    if (!isAuthorized) throw new Error('a bench authorization was denied');
  }
  return times;
};
log(`• warm: ${settings.rounds} rounds of ${settings.block} authorizations per side …`);
await runBlock(sides.authorizer, 50);
await runBlock(sides.floor, 50);
const warm = { authorizer: [] as number[], floor: [] as number[] };
for (let round = 0; round < settings.rounds; round += 1) {
  const order = round % 2 === 0 ? (['authorizer', 'floor'] as const) : (['floor', 'authorizer'] as const);
  for (const side of order) warm[side].push(...(await runBlock(sides[side], settings.block)));
}

// Cold: a fresh process loads the bundle and answers one authorization; timed inside the process.
const probe = `const t0=performance.now();const c0=process.cpuUsage();const {handler}=require(process.argv[1]);
handler(JSON.parse(process.argv[2])).then((r)=>{if(!r.isAuthorized)process.exit(3);const c=process.cpuUsage(c0);
console.log(JSON.stringify({wall:performance.now()-t0,cpu:(c.user+c.system)/1000}));process.exit(0);});`;
const run = promisify(execFile);
const coldAsync = async (file: string): Promise<{ wall: number; cpu: number }> =>
  JSON.parse((await run(process.execPath, ['-e', probe, file, JSON.stringify(event(tokens[0] ?? ''))], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' })).stdout.trim()) as { wall: number; cpu: number };
const cold = { authorizer: [] as { wall: number; cpu: number }[], floor: [] as { wall: number; cpu: number }[] };
for (let i = 0; i < settings.cold; i += 1) {
  const order = i % 2 === 0 ? (['authorizer', 'floor'] as const) : (['floor', 'authorizer'] as const);
  for (const side of order) cold[side].push(await coldAsync(side === 'authorizer' ? authorizerFile : floorFile));
}
await dynamo.stop();

const out = (line: string) => process.stdout.write(`${line}\n`);
const row = (label: string, a: number, f: number, target: number) => {
  const r = a / f;
  out(`| ${label} | ${ms(a)} | ${ms(f)} | **×${r.toFixed(3)}** | ≤ ×${target}: **${r <= target ? 'met' : 'missed'}** |`);
};
out(`### npm run bench:authorizer — ${new Date().toISOString().slice(0, 16)}Z, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
out('');
out('| measure | authorizer | floor | ratio | target |');
out('|---|---|---|---|---|');
row(`warm, median of ${warm.authorizer.length}`, median(warm.authorizer), median(warm.floor), targets.warm);
const coldOf = (side: 'authorizer' | 'floor', what: 'wall' | 'cpu') => median(cold[side].map((sample) => sample[what]));
row(`cold (load + first authorization), wall, median of ${settings.cold}`, coldOf('authorizer', 'wall'), coldOf('floor', 'wall'), targets.cold);
row(`cold, CPU time of the process (less sensitive to a busy machine), median of ${settings.cold}`, coldOf('authorizer', 'cpu'), coldOf('floor', 'cpu'), targets.cold);
out(`| zipped bundle | ${(zipped / 1024).toFixed(1)} KiB (${(statSync(authorizerFile).size / 1024).toFixed(1)} KiB unpacked) | | | ≤ ${targets.zipKiB} KiB: **${zipped <= targets.zipKiB * 1024 ? 'met' : 'missed'}** |`);
