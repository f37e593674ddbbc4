/**
 * `npm run bench:suite`: what `npm test` costs on this machine. Runs it (output hidden unless it
 * fails) and prints the wall time and the CPU the whole machine spent meanwhile (from /proc/stat,
 * Linux only), which counts the `npm start` servers and `sls` runs the tests start in process
 * groups of their own: `time` misses those. Run it on an otherwise idle machine.
 *
 *   --fresh   first clones HEAD into a temporary folder, runs `npm ci` there (not timed) and
 *             empties tsx's transform cache, as CI starts: no compile, tsx, tsc or vitest caches.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

/** Busy and total CPU time of the whole machine so far, in seconds (USER_HZ = 100). */
const machineCpu = (): { busy: number; total: number } => {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields.map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / 100, total: (user + nice + system + idle + iowait + irq + softirq + steal) / 100 };
};

/** Clones HEAD into a temporary folder and installs it as CI does (not timed); returns the folder. */
const freshClone = (from: string): string => {
  const clone = mkdtempSync(join(tmpdir(), 'cp-suite-'));
  console.log(`cloning HEAD into ${clone} and running npm ci (not timed)…`);
  execFileSync('git', ['clone', '--quiet', from, clone], { stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: clone, stdio: 'inherit' });
  rmSync(join(tmpdir(), `tsx-${userInfo().uid}`), { recursive: true, force: true });
  return clone;
};

/** Runs `npm test` in `cwd` with its output held back; resolves with the exit code and the output. */
const npmTest = (cwd: string): Promise<{ code: number; output: string }> =>
  new Promise((done) => {
    const child = spawn('npm', ['test'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('close', (c) => done({ code: c ?? 1, output: output.join('') }));
  });

const fresh = process.argv.includes('--fresh');
const checkout = resolve(import.meta.dirname, '../..');
const cwd = fresh ? freshClone(checkout) : checkout;

const load = loadavg()[0]?.toFixed(2);
const before = machineCpu();
const started = performance.now();
const { code, output } = await npmTest(cwd);
const wall = (performance.now() - started) / 1000;
const after = machineCpu();

if (code !== 0) process.stdout.write(output);
const tests = /Tests\s+(?:\S+\s+)*?(\d+) passed/.exec(stripVTControlCharacters(output))?.[1] ?? '?';
console.log(`npm test${fresh ? ' (fresh clone, no caches)' : ''}: exit ${code}, ${tests} tests`);
console.log(`  wall ${wall.toFixed(1)} s, machine CPU busy ${(after.busy - before.busy).toFixed(1)} s of ${(after.total - before.total).toFixed(1)} s (${cpus().length} cores), load ${load} at start`);
if (fresh) rmSync(cwd, { recursive: true, force: true });
process.exitCode = code;
