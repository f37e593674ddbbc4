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

const fresh = process.argv.includes('--fresh');
let cwd = resolve(import.meta.dirname, '../..');
if (fresh) {
  const clone = mkdtempSync(join(tmpdir(), 'cp-suite-'));
  console.log(`cloning HEAD into ${clone} and running npm ci (not timed)…`);
  execFileSync('git', ['clone', '--quiet', cwd, clone], { stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: clone, stdio: 'inherit' });
  rmSync(join(tmpdir(), `tsx-${userInfo().uid}`), { recursive: true, force: true });
  cwd = clone;
}

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

if (code !== 0) process.stdout.write(output);
const tests = /Tests\s+(?:\S+\s+)*?(\d+) passed/.exec(stripVTControlCharacters(output))?.[1] ?? '?';
console.log(`npm test${fresh ? ' (fresh clone, no caches)' : ''}: exit ${code}, ${tests} tests`);
console.log(`  wall ${wall.toFixed(1)} s, machine CPU busy ${(after.busy - before.busy).toFixed(1)} s of ${(after.total - before.total).toFixed(1)} s (${cpus().length} cores), load ${load} at start`);
if (fresh) rmSync(cwd, { recursive: true, force: true });
process.exitCode = code;
