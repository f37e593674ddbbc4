import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local/free-port.js';

/**
 * `npm start` stopped the way `timeout 120 npm start` stops it: SIGTERM to the npm process alone.
 * npm passes it to the shell running the script, which ends without passing it on; everything
 * npm start started (node with tsx, dynalite, serverless-offline, esbuild) must still stop, free
 * its ports and leave nothing in the temp folder (its own TMPDIR here, so other runs on the machine
 * do not count).
 */
const run = promisify(execFile);
const ESBUILD_FOLDER = '.esbuild-npm-start-stop';
const tmp = mkdtempSync(join(tmpdir(), 'cp-stop-'));
let ports: number[];
let npm: ChildProcess;
/** Every process under npm while it served, by pid. */
let tree: { pid: number; args: string }[];

const descendants = async (root: number): Promise<{ pid: number; args: string }[]> => {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=,args=']);
  const rows = stdout.trim().split('\n').map((line) => {
    const [pid, ppid, ...args] = line.trim().split(/\s+/);
    return { pid: Number(pid), ppid: Number(ppid), args: args.join(' ') };
  });
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (found.has(row.ppid) && !found.has(row.pid)) {
        found.add(row.pid);
        grew = true;
      }
    }
  }
  return rows.filter((row) => found.has(row.pid) && row.pid !== root).map(({ pid, args }) => ({ pid, args }));
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

beforeAll(async () => {
  ports = [await freePort(), await freePort(), await freePort()];
  const [port, dynamoPort, lambdaPort] = ports.map(String);
  npm = spawn('npm', ['start'], {
    env: { ...process.env, PORT: port, DYNAMODB_PORT: dynamoPort, OFFLINE_LAMBDA_PORT: lambdaPort, BCRYPT_COST: '4', USERS_TABLE: 'stop-users', ESBUILD_WORK_FOLDER: ESBUILD_FOLDER, TMPDIR: tmp },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    npm.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    npm.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    npm.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('Stop with Ctrl+C')) resolve();
    });
  });
  tree = await descendants(npm.pid as number);
  const exited = new Promise((resolve) => npm.once('exit', resolve));
  npm.kill('SIGTERM');
  await exited;
  // Stopping takes a moment; 60 s only bounds a stop that never comes.
  for (const until = Date.now() + 60_000; Date.now() < until && tree.some(({ pid }) => alive(pid)); ) await new Promise((resolve) => setTimeout(resolve, 250));
}, 240_000);

afterAll(() => {
  // Whatever a failed stop left running.
  for (const { pid } of tree ?? []) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
  rmSync(ESBUILD_FOLDER, { recursive: true, force: true });
});

describe('npm start, stopped by SIGTERM to npm alone', () => {
  it('stops every process it started', () => {
    expect(tree.map(({ args }) => args).join('\n')).toContain('serverless.js offline start');
    expect(tree.filter(({ pid }) => alive(pid))).toEqual([]);
  });

  it('frees its HTTP, Lambda and DynamoDB ports', async () => {
    expect(await Promise.all(ports.map(canListen))).toEqual([true, true, true]);
  });

  it('leaves nothing in the temp folder but tsx’s cache', () => {
    expect(readdirSync(tmp).filter((entry) => !entry.startsWith('tsx-'))).toEqual([]);
  });
});
