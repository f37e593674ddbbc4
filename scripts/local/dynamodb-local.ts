/**
 * AWS's own DynamoDB Local (Java), as a second, independent DynamoDB API server for the tests.
 *
 * The jar ships inside the npm package amplify-dynamodb-simulator (emulator/DynamoDBLocal.jar). That
 * package's own dependencies pull in the Amplify CLI and aws-cdk-lib, hundreds of MB we do not need,
 * and it has no install scripts, so it is not a devDependency: `npm pack` fetches exactly the pinned
 * tarball through the npm registry, its integrity is checked against the value pinned here, and only
 * emulator/ is unpacked into .dynamodb-local/ (git-ignored; fetched once per clone).
 *
 *   tsx scripts/local/dynamodb-local.ts fetch   # what `npm run test:dynamodb-local` does first
 *
 * Needs `java` (17+) on PATH. Started with -inMemory and -sharedDb (one database whatever the
 * credentials and region, as dynalite) on 127.0.0.1 and a free port.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
/** `dist.integrity` of that version in the npm registry; a tarball with any other content is refused. */
export const DYNAMODB_LOCAL_INTEGRITY = 'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EMULATOR_DIR = join(ROOT, '.dynamodb-local', 'emulator');
const JAR = join(EMULATOR_DIR, 'DynamoDBLocal.jar');
/** A cold JVM on a busy 2-core machine starts in a few seconds; this only bounds a broken start. */
const START_TIMEOUT_MS = 60_000;

/** Fetches and unpacks the jar unless it is already there. Returns the emulator directory. */
export const ensureDynamoDbLocal = async (): Promise<string> => {
  if (existsSync(JAR)) return EMULATOR_DIR;
  const work = mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
  try {
    const { stdout } = await run('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--json', '--pack-destination', work], { maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as { filename: string; integrity: string }[];
    if (packed?.integrity !== DYNAMODB_LOCAL_INTEGRITY) {
      throw new Error(`${DYNAMODB_LOCAL_PACKAGE} has integrity ${packed?.integrity ?? 'unknown'}, expected ${DYNAMODB_LOCAL_INTEGRITY}`);
    }
    mkdirSync(EMULATOR_DIR, { recursive: true });
    await run('tar', ['-xzf', join(work, packed.filename), '-C', EMULATOR_DIR, '--strip-components=2', 'package/emulator']);
    if (!existsSync(JAR)) throw new Error(`${DYNAMODB_LOCAL_PACKAGE} did not contain emulator/DynamoDBLocal.jar`);
    return EMULATOR_DIR;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};


const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

/**
 * Starts DynamoDB Local in memory on 127.0.0.1 (port 0 picks a free one) and resolves once it
 * answers ListTables; `startupMs` says how long that took.
 */
export const startDynamoDbLocal = async (port = 0): Promise<DynamoDbLocal> => {
  // A port found free may be taken before the JVM binds it: then try again on another (port 0 only).
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOn(port === 0 ? await freePort() : port);
    } catch (error) {
      if (port !== 0 || attempt >= 3 || !/Address already in use|BindException/.test(String((error as Error).message))) throw error;
    }
  }
};

export interface DynamoDbLocal {
  endpoint: string;
  stop: () => Promise<void>;
  startupMs: number;
  pid: number | undefined;
}

const startOn = async (actual: number): Promise<DynamoDbLocal> => {
  const dir = await ensureDynamoDbLocal();
  const started = performance.now();
  const child = spawn(
    'java',
    // Small heap and C1 only: the tests hold a few hundred items, and a 2-core CI box starts it faster.
    ['-Xms64m', '-Xmx384m', '-XX:TieredStopAtLevel=1', `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', JAR, '-inMemory', '-sharedDb', '-port', String(actual)],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = `http://127.0.0.1:${actual}`;
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited(child);
  };
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}:\n${output}`);
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`DynamoDB Local did not answer within ${START_TIMEOUT_MS} ms:\n${output}`);
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop, startupMs: Math.round(performance.now() - started), pid: child.pid };
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  if (command === 'fetch') {
    console.log(`DynamoDB Local: ${await ensureDynamoDbLocal()}`);
  } else if (command === 'probe') {
    // Startup time and memory on this machine, for docs/reliability.md.
    const server = await startDynamoDbLocal();
    const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(server.pid)]);
    console.log(`DynamoDB Local answered after ${server.startupMs} ms; RSS ${Math.round(Number(stdout.trim()) / 1024)} MiB`);
    await server.stop();
  } else {
    console.error('usage: tsx scripts/local/dynamodb-local.ts fetch|probe');
    process.exit(2);
  }
}
