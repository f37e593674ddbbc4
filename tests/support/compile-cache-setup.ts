/**
 * Vitest globalSetup, before any other: on a fresh clone, where Node's compile cache
 * (NODE_COMPILE_CACHE, vitest.config.ts) is still empty, one `sls print` fills it with osls, its
 * plugins and tsx before the suite starts a dozen serverless processes, most of them at once: each
 * would otherwise compile the same thousands of modules itself and write them to the cache again
 * (about 0.85 s of CPU each). Once the cache exists this does nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export default async function setup(): Promise<void> {
  const cache = process.env.NODE_COMPILE_CACHE;
  if (cache === undefined || cache === '' || existsSync(cache)) return;
  // Only a warm-up: if it fails, the tests that run serverless say why.
  await run(process.execPath, ['node_modules/serverless/bin/serverless.js', 'print'], { maxBuffer: 16 * 1024 * 1024 }).catch(() => undefined);
}
