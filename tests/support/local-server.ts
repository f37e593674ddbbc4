import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../scripts/local/free-port.js';

/**
 * Runs `npm start` (scripts/local/start.ts: serverless-offline over dynalite) on free ports, with `env`
 * added to the shell's, and resolves once it prints its ready line. The ports are free when
 * chosen but are only bound by the child a moment later, so another process may take one first:
 * then it starts again on new ports (up to 3 times). `npm` runs that npm script itself, as a
 * developer does, rather than the script `npm start` runs (one process fewer): for tests of npm's
 * part.
 */
export const startLocalServer = async (name: string, env: Record<string, string> = {}, { npm }: { npm?: string } = {}): Promise<LocalServer> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnFreePorts(name, env, npm);
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE|is taken/.test(String((error as Error).message))) throw error;
    }
  }
};

export type LocalServer = Awaited<ReturnType<typeof startOnFreePorts>>;

const startOnFreePorts = async (name: string, env: Record<string, string>, npm: string | undefined) => {
  const [port, dynamoPort, lambdaPort] = [await freePort(), await freePort(), await freePort()];
  const esbuildFolder = `.esbuild-${name}`;
  // package.json's start script without npm (and without tsx's CLI, one process more).
  const [command, args] = npm === undefined ? [process.execPath, ['--import', 'tsx', 'scripts/local/start.ts']] : ['npm', ['run', npm]];
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, PORT: String(port), DYNAMODB_PORT: String(dynamoPort), OFFLINE_LAMBDA_PORT: String(lambdaPort), BCRYPT_COST: '4', USERS_TABLE: `${name}-users`, ESBUILD_WORK_FOLDER: esbuildFolder, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const token = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      // The printed curl's token; '<token>' (no token) when npm start cannot sign for the key source.
      const match = /Authorization: Bearer ([\w.-]+|<token>)/.exec(output);
      if (output.includes('Stop with Ctrl+C') && match?.[1]) resolve(match[1]);
    });
  });
  return {
    baseUrl: `http://localhost:${port}`,
    /** The embedded DynamoDB API server and table it serves, for seeding more users. */
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    table: `${name}-users`,
    /** serverless-esbuild's work folder for this server (ESBUILD_WORK_FOLDER). */
    esbuildFolder,
    /** The demo user's token that npm start printed, or '<token>' when it could not sign one. */
    token,
    output: () => output,
    /** The process started (npm itself with `npm`), and its HTTP, Lambda and DynamoDB ports. */
    pid: child.pid as number,
    ports: [port, lambdaPort, dynamoPort],
    /** Resolves when that process has exited. */
    exited: new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    }),
    /** SIGTERM to its whole process group; nothing when that group has already gone. */
    stop: () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    },
  };
};
