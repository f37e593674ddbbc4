/**
 * `npm run bench:bcrypt`: what each bcrypt cost costs per password change on this machine, and
 * what that means on Lambda; then whether overlapping the old-password compare with the
 * new-password hash would pay.
 *
 * A change runs one compare (the old password, at the stored hash's cost) and one salt + hash (the
 * new password, at BCRYPT_COST), through lib/adapters/bcrypt/password-hash.ts exactly as the function does. Users
 * with history no longer add anything once their hashes share a salt (lib/core/password-history.ts);
 * the "+ 5 history compares" column is what a full history of 5 cost before that, and what the
 * first change of a user whose history is separately salted still costs.
 *
 * Lambda: CPU-bound single-threaded JavaScript runs at min(1, memory / 1769 MB) of a vCPU, so its
 * duration ≈ CPU time here / that share, assuming a Lambda arm64 vCPU runs bcryptjs as fast as one
 * core of this machine (check against the REPORT lines of a deployed function). Prices are stated
 * in `prices`; every figure is printed next to the assumption it rests on.
 */
import { Worker } from 'node:worker_threads';
import { cpus, loadavg } from 'node:os';
import bcrypt from 'bcryptjs';
import { hashPassword, verifyPassword } from '../../lib/adapters/bcrypt/password-hash.js';

/** Assumed prices (USD): Lambda arm64 first tier, us-east-1 DynamoDB on-demand (since Nov 2024). */
const prices = {
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  dynamoPerMillionWriteUnits: 0.625,
};
/** Two UpdateItems of an item under 1 KB: one write request unit each (ReturnValues costs none). */
const WRITE_UNITS_PER_CHANGE = 2;
/** Everything but bcrypt, per change on Lambda: 2 DynamoDB round trips (~5 ms each) and the function's own work. */
const OTHER_MS = 15;
const HISTORY_COMPARES = 5;
const MEMORY_SIZES = [1024, 1769];
const COSTS: [cost: number, samples: number][] = [[10, 5], [11, 5], [12, 3], [13, 3], [14, 2]];

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const measure = async <T>(work: () => Promise<T>): Promise<{ wall: number; cpu: number; value: T }> => {
  const cpu0 = cpuNow();
  const wall0 = performance.now();
  const value = await work();
  return { wall: performance.now() - wall0, cpu: cpuNow() - cpu0, value };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ms = (x: number) => (x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);
const usd = (x: number) => `$${x.toFixed(2)}`;

const log = (line: string) => process.stderr.write(`${line}\n`);
const lines: string[] = [];
const out = (line = '') => lines.push(line);

out(`### npm run bench:bcrypt — ${new Date().toISOString().slice(0, 16)}Z, node ${process.version}, bcryptjs, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
out();
out(`Medians; CPU is this process's CPU time (what a busy shared machine inflates least). Lambda columns: CPU ÷ min(1, memory/1769 MB) + ${OTHER_MS} ms for DynamoDB and the function (assumed), billed at ${prices.lambdaArmPerGbSecond} $/GB-s arm64 + ${prices.lambdaPerMillionRequests} $/1M requests + ${WRITE_UNITS_PER_CHANGE} × ${prices.dynamoPerMillionWriteUnits} $/1M write units (DynamoDB on-demand, us-east-1).`);
out();
out(`| cost | hash (wall / CPU) | compare (wall / CPU) | change = compare + hash, CPU | + ${HISTORY_COMPARES} history entries each under its own salt, CPU | ${MEMORY_SIZES.map((m) => `Lambda ${m} MB: latency, $ per 1M changes`).join(' | ')} |`);
out(`|---|---|---|---|---|${MEMORY_SIZES.map(() => '---').join('|')}|`);

const password = 'CurrentSecureP@ss123';
for (const [cost, samples] of COSTS) {
  log(`• cost ${cost}: ${samples} × (hash + compare) …`);
  const hashes: { wall: number; cpu: number }[] = [];
  const compares: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < samples; i += 1) {
    const hashed = await measure(() => hashPassword(password, cost));
    hashes.push(hashed);
    compares.push(await measure(() => verifyPassword(password, hashed.value)));
  }
  const hashCpu = median(hashes.map((h) => h.cpu));
  const compareCpu = median(compares.map((c) => c.cpu));
  const changeCpu = hashCpu + compareCpu;
  const lambda = MEMORY_SIZES.map((memory) => {
    const share = Math.min(1, memory / 1769);
    const durationMs = changeCpu / share + OTHER_MS;
    const perMillion = durationMs / 1000 * (memory / 1024) * prices.lambdaArmPerGbSecond * 1e6
      + prices.lambdaPerMillionRequests + WRITE_UNITS_PER_CHANGE * prices.dynamoPerMillionWriteUnits;
    return `${ms(durationMs)}, ${usd(perMillion)}`;
  });
  out(`| ${cost} | ${ms(median(hashes.map((h) => h.wall)))} / ${ms(hashCpu)} | ${ms(median(compares.map((c) => c.wall)))} / ${ms(compareCpu)} | ${ms(changeCpu)} | ${ms(changeCpu + HISTORY_COMPARES * compareCpu)} | ${lambda.join(' | ')} |`);
}

// Overlap
const overlapCost = Number(process.env.BENCH_OVERLAP_COST ?? 12);
log(`• overlap at cost ${overlapCost}: sequential, Promise.all on one thread, hash on a worker thread …`);
const stored = await hashPassword(password, overlapCost);
const workerStart = performance.now();
// A worker that hashes what it is sent: the one thing that could run beside the main thread's compare.
const worker = new Worker(
  "const { parentPort } = require('node:worker_threads'); const bcrypt = require('bcryptjs');" +
    'parentPort.on("message", ({ password, cost }) => bcrypt.hash(password, cost).then((h) => parentPort.postMessage(h)));',
  { eval: true },
);
const hashOnWorker = (newPassword: string) =>
  new Promise<string>((resolve) => {
    worker.once('message', (hash: string) => resolve(hash));
    worker.postMessage({ password: newPassword, cost: overlapCost });
  });
await hashOnWorker('warm-up'); // counts the worker's start and first hash, reported separately
const workerReady = performance.now() - workerStart;
const variants = {
  sequential: async () => {
    await bcrypt.compare(password, stored);
    await bcrypt.hash('NewSecureP@ssw0rd!', overlapCost);
  },
  'Promise.all, one thread': async () => {
    await Promise.all([bcrypt.compare(password, stored), bcrypt.hash('NewSecureP@ssw0rd!', overlapCost)]);
  },
  'hash on a worker thread': async () => {
    await Promise.all([bcrypt.compare(password, stored), hashOnWorker('NewSecureP@ssw0rd!')]);
  },
};
const results: Record<string, { wall: number[]; cpu: number[] }> = {};
for (let round = 0; round < 3; round += 1) {
  const names = Object.keys(variants) as (keyof typeof variants)[];
  for (const name of round % 2 === 0 ? names : [...names].reverse()) {
    const { wall, cpu } = await measure(variants[name]);
    (results[name] ??= { wall: [], cpu: [] }).wall.push(wall);
    results[name].cpu.push(cpu);
  }
}
await worker.terminate();
out();
out(`Overlapping the old-password compare and the new-password hash at cost ${overlapCost} (3 runs each, alternated; worker started beforehand: its start + first hash took ${ms(workerReady)}):`);
out();
out('| variant | wall | CPU (all threads) |');
out('|---|---|---|');
for (const [name, r] of Object.entries(results)) out(`| ${name} | ${ms(median(r.wall))} | ${ms(median(r.cpu))} |`);
console.log(lines.join('\n'));
