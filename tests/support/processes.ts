import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CommandResult } from '../../scripts/cli/command.js';

const run = promisify(execFile);

/** Node run to its end with these arguments and `env` added to the test process's: its exit code and what it printed. */
export const runNode = (args: string[], env: Record<string, string> = {}): Promise<CommandResult> =>
  run(process.execPath, args, { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
