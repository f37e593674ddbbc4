import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, putUser } from '../../scripts/local-dev.js';
import { closedPort } from '../support/fault-servers.js';
import { startLocalServer } from '../support/local-server.js';
import { assertFetchMatchesOpenApi } from '../support/openapi.js';
import { startRangeApi, type RangeApi } from '../support/range-api.js';

/**
 * The "done when", over real HTTP: `npm start` with HIBP_ENABLED=true and HIBP_API_URL at
 * a local stand-in of the range API. Two servers (one per configuration), started together:
 * fail-open at a stand-in that misbehaves on demand, fail-closed at a port where nothing listens.
 */
const TIMEOUT_MS = 500;
/** Generous: the bound asserted is "gives up after the timeout", not a speed target. */
const MARGIN_MS = 2000;
const OLD = 'CurrentSecureP@ss123';
const BREACHED = 'Breached-But-C0mpliant!';
const COMMON = 'P@ssw0rd123!';

let api: RangeApi;
let open: Awaited<ReturnType<typeof startLocalServer>>;
let closed: Awaited<ReturnType<typeof startLocalServer>>;
let users = 0;

beforeAll(async () => {
  api = await startRangeApi();
  api.add(BREACHED, 12);
  api.add('Padded-Only-C0mpliant!', 0);
  const common = { HIBP_ENABLED: 'true', HIBP_TIMEOUT_MS: String(TIMEOUT_MS) };
  [open, closed] = await Promise.all([
    startLocalServer('hibp-open', { ...common, HIBP_API_URL: api.url }),
    startLocalServer('hibp-closed', { ...common, HIBP_API_URL: `http://127.0.0.1:${await closedPort()}`, HIBP_FAIL_CLOSED: 'true' }),
  ]);
}, 120_000);

afterAll(async () => {
  open?.stop();
  closed?.stop();
  await api?.stop();
});

/** A new user with the old password, then one change request; returns the answer and its time. */
const change = async (server: typeof open, newPassword: string) => {
  const userId = `hibp-user-${++users}`;
  await putUser(server.dynamoEndpoint, server.table, { userId, password: OLD }, 4);
  const token = await mintToken(userId);
  const started = performance.now();
  const res = await fetch(`${server.baseUrl}/v1/users/profile/change-password`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ oldPassword: OLD, newPassword }),
  });
  const ms = performance.now() - started;
  await assertFetchMatchesOpenApi(res.clone());
  return { status: res.status, headers: res.headers, body: (await res.json()) as { error?: { code: number; details?: { failedRules: string[] } } }, ms };
};

describe('npm start with HIBP_ENABLED=true, failing open', () => {
  it('refuses a password the API reports as breached with 400 5025 breachedPassword', async () => {
    api.reset();
    // The first request also loads the function: not timed.
    const { status, body } = await change(open, BREACHED);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 5025, details: { failedRules: ['breachedPassword'] } });
    expect(api.requests).toHaveLength(1);
  });

  it('accepts a password the API reports only as padding', async () => {
    expect((await change(open, 'Padded-Only-C0mpliant!')).status).toBe(200);
  });

  it.each(['slow', 'html', 'error'] as const)('answers within HIBP_TIMEOUT_MS plus a margin when the API is %s, and changes the password', async (mode) => {
    api.setMode(mode);
    const { status, ms } = await change(open, `Unknown-${mode}-C0mpliant!`);
    expect(status).toBe(200);
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('still refuses a common password on the offline rules while the API is down', async () => {
    api.setMode('hang');
    const { status, body } = await change(open, COMMON);
    expect(status).toBe(400);
    expect(body.error?.details?.failedRules).toContain('commonPassword');
  });
});

describe('npm start with HIBP_FAIL_CLOSED=true and nothing listening at HIBP_API_URL', () => {
  it('answers 503 9001 with Retry-After, within HIBP_TIMEOUT_MS plus a margin once loaded', async () => {
    await change(closed, 'Warm-Up-C0mpliant-1!');
    const { status, headers, body, ms } = await change(closed, 'Unknown-Closed-C0mpliant!');
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBe('2');
    expect(body).toEqual({ status: false, error: { code: 9001, message: 'Service temporarily unavailable' } });
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('refuses a common password, and one on the bundled breached list, on the offline rules', async () => {
    const common = await change(closed, COMMON);
    expect(common.status).toBe(400);
    expect(common.body.error?.details?.failedRules).toContain('commonPassword');
    const listed = await change(closed, 'Mosquito@13');
    expect(listed.status).toBe(400);
    expect(listed.body.error).toMatchObject({ code: 5025, details: { failedRules: ['breachedPassword'] } });
  });
});
