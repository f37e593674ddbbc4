/**
 * Cold-start figures for packaged bundles: each run is a fresh Node process that requires the
 * bundle and serves one successful change (token, DynamoDB read, policy, two bcrypt operations at
 * the default cost 12, conditional write) against an embedded dynalite.
 *
 *   rm -rf .esbuild* .serverless && npx sls package && unzip -o -d /tmp/new .serverless/changePassword.zip
 *   npx tsx scripts/bench/cold-start.ts /tmp/base/functions/change-password/handler.cjs /tmp/new/functions/change-password/handler.cjs
 *   npx tsx scripts/bench/cold-start.ts handler.cjs --node=/path/to/node22 --node=/path/to/node24 15
 *
 * `--node=` (repeatable) runs every bundle under each of those Node binaries (default: this one).
 * Bundles are run alternately (to spread machine noise evenly) and medians are printed:
 * `import` (require of the bundle), `first` (the first invocation), `process` (spawn to exit), in
 * wall-clock ms and, less sensitive to other load on the machine, in CPU ms of the child.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { ensureUsersTable, putUser, startEmbeddedDynamo } from '../local/dynamodb.js';
import { mintToken } from '../local/dev-token.js';

const run = promisify(execFile);
const bundles = process.argv.slice(2).filter((a) => a.endsWith('.cjs')).map((b) => resolve(b));
const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 9);
const nodes = process.argv.slice(2).filter((a) => a.startsWith('--node=')).map((a) => resolve(a.slice('--node='.length)));
if (bundles.length === 0) throw new Error('usage: tsx scripts/bench/cold-start.ts <handler.cjs>... [--node=<binary>]... [runs]');
/** Every bundle under every Node binary, labelled with the binary's version when there are several. */
const variants = (nodes.length === 0 ? [process.execPath] : nodes).flatMap((node) => bundles.map((bundle) => ({ bundle, node })));
const versionOf = async (node: string) => (await run(node, ['--version'])).stdout.trim();
const labels = await Promise.all(variants.map(async ({ bundle, node }) => (nodes.length === 0 ? bundle : `${bundle} on node ${await versionOf(node)}`)));

const OLD = 'CurrentSecureP@ss123';
const NEW = 'NewSecureP@ssw0rd!';
const table = 'cold-start';
const template = JSON.parse(readFileSync(new URL('../../events/change-password.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** The child: timings from inside the fresh process, printed as one JSON line. */
const CHILD = `
const started = performance.now();
const cpu0 = process.cpuUsage();
const { handler } = require(process.env.BUNDLE);
const imported = performance.now();
const cpu1 = process.cpuUsage();
const ms = (a, b) => (b.user + b.system - a.user - a.system) / 1000;
const context = { awsRequestId: 'cold', functionName: 'changePassword', functionVersion: '$LATEST', memoryLimitInMB: '1769',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:changePassword', getRemainingTimeInMillis: () => 10000 };
handler(JSON.parse(process.env.EVENT), context).then((res) => {
  const done = performance.now();
  const cpu2 = process.cpuUsage();
  console.log(JSON.stringify({ status: res.statusCode, import: imported - started, first: done - imported, importCpu: ms(cpu0, cpu1), firstCpu: ms(cpu1, cpu2) }));
});`;

const dynamo = await startEmbeddedDynamo();
try {
  await ensureUsersTable(dynamo.endpoint, table);
  type Timing = { status: number; import: number; first: number; importCpu: number; firstCpu: number; process: number };
  const results = new Map<string, Timing[]>(labels.map((label) => [label, []]));
  for (let i = 0; i < runs; i += 1) {
    for (const [v, { bundle, node }] of variants.entries()) {
      const userId = `cold-${i}-${v}`;
      await putUser(dynamo.endpoint, table, { userId, password: OLD, email: `${userId}@example.com` }, 12);
      const event = { ...template, headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintToken(userId)}` }, body: JSON.stringify({ oldPassword: OLD, newPassword: NEW }) };
      const env = { ...process.env, BUNDLE: bundle, EVENT: JSON.stringify(event), USERS_TABLE: table, JWT_SECRET: DEV_JWT_SECRET, DYNAMODB_ENDPOINT: dynamo.endpoint, STAGE: 'local', POWERTOOLS_LOG_LEVEL: 'SILENT' };
      const t = performance.now();
      const { stdout } = await run(node, ['-e', CHILD], { env });
      const spawnToExit = performance.now() - t;
      const line = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Omit<Timing, 'process'>;
      if (line.status !== 200) throw new Error(`${labels[v]}: the change answered ${line.status}`);
      results.get(labels[v] ?? bundle)?.push({ ...line, process: spawnToExit });
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  for (const [label, rs] of results) {
    const m = (f: (r: Timing) => number) => median(rs.map(f)).toFixed(1);
    console.log(`${label}: ${rs.length} runs, median ms`);
    console.log(`  wall: import ${m((r) => r.import)}, first change ${m((r) => r.first)}, import+first ${m((r) => r.import + r.first)}, process ${m((r) => r.process)}`);
    console.log(`  cpu:  import ${m((r) => r.importCpu)}, first change ${m((r) => r.firstCpu)}, import+first ${m((r) => r.importCpu + r.firstCpu)}`);
  }
} finally {
  await dynamo.stop();
}
