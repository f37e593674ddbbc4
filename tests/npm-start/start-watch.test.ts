import { utimesSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PASSWORD_POLICY_ROUTE } from '../../lib/http/routes.js';
import { startLocalServer, type LocalServer } from '../support/local-server.js';

/**
 * `npm run start:watch`: `npm start` under Node's watch mode, started again when a file below
 * functions/ or lib/ changes, so the next request runs the edited code. `npm start` alone builds
 * once and watches nothing (docs/decisions/local-server-builds-once.md).
 */
const readyLines = (output: string) => output.split('Stop with Ctrl+C').length - 1;

let server: LocalServer | undefined;
beforeAll(async () => {
  server = await startLocalServer('watch', {}, { npm: 'start:watch' });
}, 180_000);
afterAll(async () => {
  server?.stop();
  await server?.exited;
});

// It starts the whole of npm start twice: seconds each on a busy machine.
describe('npm run start:watch', { timeout: 90_000 }, () => {
  it('starts again on the same ports when a file under lib/ changes, and answers from the new start', async () => {
    if (server === undefined) throw new Error('npm run start:watch did not start');
    const { output, baseUrl } = server;
    expect(readyLines(output())).toBe(1);
    const now = new Date();
    utimesSync(new URL('../../lib/http/routes.ts', import.meta.url), now, now);
    await vi.waitUntil(() => readyLines(output()) === 2, { timeout: 60_000, interval: 100 });
    expect(output()).toContain("Restarting 'scripts/local/start.ts'");
    const res = await fetch(`${baseUrl}${PASSWORD_POLICY_ROUTE.path}`);
    expect(res.status).toBe(200);
  });
});
