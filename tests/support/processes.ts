import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { CommandResult } from '../../scripts/cli/command.js';
import { processTree } from '../../scripts/local/process-tree.js';

const run = promisify(execFile);

/** Node run to its end with these arguments and `env` added to the test process's: its exit code and what it printed. */
export const runNode = (args: string[], env: Record<string, string> = {}): Promise<CommandResult> =>
  run(process.execPath, args, { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

/** Every process below `root` (children, their children, …), by pid, with its command line. */
export const descendants = async (root: number): Promise<{ pid: number; args: string }[]> => (await processTree(root)).map(({ pid, args }) => ({ pid, args }));

/** Whether a process with this pid still exists. */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Whether a server could listen on this port of 127.0.0.1 now. */
export const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
