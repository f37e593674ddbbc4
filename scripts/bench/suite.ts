/**
 * `npm run bench:suite`: what `npm test` costs on this machine. Runs it (output hidden unless it
 * fails) and prints the wall time and the CPU the whole machine spent meanwhile (from /proc/stat,
 * Linux only), which counts the `npm start` servers and `sls` runs the tests start in process
 * groups of their own: `time` misses those. Run it on an otherwise idle machine.
 *
 *   --fresh     first clones HEAD into a temporary folder, runs `npm ci` there (not timed) and
 *               empties tsx's transform cache, as CI starts: no compile, tsx, tsc or vitest caches.
 *   --busy=N    keeps N CPU-bound processes (`for(;;){}`) running beside it, as on a shared machine;
 *               the machine's busy CPU then counts them too, so only the wall time and the result
 *               say anything.
 *   --runs=N    runs it N times in a row (in the same folder: the first of a fresh clone is the
 *               cold one) and prints a line each; exits non-zero if any run failed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, stripVTControlCharacters } from 'node:util';

/** Busy and total CPU time of the whole machine so far, in seconds (USER_HZ = 100). */
const machineCpu = (): { busy: number; total: number } => {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields.map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / 100, total: (user + nice + system + idle + iowait + irq + softirq + steal) / 100 };
};

/** A clone of HEAD with its packages installed and tsx's cache emptied, as CI starts. */
const freshClone = (repo: string): string => {
  const clone = mkdtempSync(join(tmpdir(), 'cp-suite-'));
  console.log(`cloning HEAD into ${clone} and running npm ci (not timed)…`);
  execFileSync('git', ['clone', '--quiet', repo, clone], { stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: clone, stdio: 'inherit' });
  rmSync(join(tmpdir(), `tsx-${userInfo().uid}`), { recursive: true, force: true });
  return clone;
};

/** N processes that each keep one core busy until killed. */
const busyLoops = (n: number): ChildProcess[] => Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));

/** One `npm test` in `cwd`: its exit code, test count, wall time and the machine's CPU meanwhile. */
const runSuite = async (cwd: string) => {
  const load = loadavg()[0]?.toFixed(2);
  const before = machineCpu();
  const started = performance.now();
  const child = spawn('npm', ['test'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
  const wall = (performance.now() - started) / 1000;
  const after = machineCpu();
  const tests = /Tests\s+(?:\S+\s+)*?(\d+) passed/.exec(stripVTControlCharacters(output))?.[1] ?? '?';
  return { code, output, tests, wall, load, busy: after.busy - before.busy, total: after.total - before.total };
};

/** Runs the suite as the flags say, prints a line per run, and answers how many runs failed. */
const main = async (): Promise<number> => {
  const { values } = parseArgs({ options: { fresh: { type: 'boolean', default: false }, busy: { type: 'string', default: '0' }, runs: { type: 'string', default: '1' } } });
  const busy = Number(values.busy);
  const runs = Number(values.runs);
  const cwd = values.fresh ? freshClone(resolve(import.meta.dirname, '../..')) : resolve(import.meta.dirname, '../..');
  const loops = busyLoops(busy);
  let failed = 0;
  try {
    for (let run = 1; run <= runs; run += 1) {
      const result = await runSuite(cwd);
      if (result.code !== 0) {
        failed += 1;
        process.stdout.write(result.output);
      }
      const what = `${values.fresh ? (run === 1 ? 'fresh clone, no caches' : 'same clone again') : 'working copy'}${busy > 0 ? `, ${busy} busy processes beside it` : ''}`;
      console.log(`npm test run ${run}/${runs} (${what}): exit ${result.code}, ${result.tests} tests`);
      console.log(`  wall ${result.wall.toFixed(1)} s, machine CPU busy ${result.busy.toFixed(1)} s of ${result.total.toFixed(1)} s (${cpus().length} cores), load ${result.load} at start`);
    }
  } finally {
    for (const loop of loops) loop.kill('SIGKILL');
    if (values.fresh) rmSync(cwd, { recursive: true, force: true });
  }
  return failed;
};

process.exitCode = (await main()) === 0 ? 0 : 1;
