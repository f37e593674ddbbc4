import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBreachedPasswordCheck, HIBP_USER_AGENT, PREFIX_CACHE_MAX, PREFIX_CACHE_TTL_MS, sha1Hex, type UnavailableReason } from '../../../lib/adapters/hibp/breached-passwords.js';
import { verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { createHandler, type HandlerDeps } from '../../../lib/http/change-password-handler.js';
import { apiEvent, lambdaContext, parseBody, SEED_OLD, startHarness, withoutCounter, type Harness } from '../../support/harness.js';
import { assertMatchesOpenApi } from '../../support/openapi.js';
import { closedPort } from '../../support/fault-servers.js';
import { appErrorOf } from '../../support/rejection.js';
import { startRangeApi, type RangeApi, type RangeMode } from '../../support/range-api.js';

/**
 * The Pwned Passwords range check: the adapter's own client over real HTTP to a local stand-in of
 * the range API (tests/support/range-api.ts). Nothing here reaches the internet.
 */
const BREACHED = 'Tr0ub4dor&3-breached';
const PADDED = 'Padding-Only-P@ss1';
const ABSENT = 'Never-Seen-P@ssw0rd-42';

let api: RangeApi;
let unavailable: UnavailableReason[];

beforeAll(async () => {
  api = await startRangeApi();
  api.add(BREACHED, 3);
  api.add(PADDED, 0);
});
afterAll(() => api.stop());
beforeEach(() => {
  api.reset();
  unavailable = [];
});

const checker = (overrides: Partial<Parameters<typeof createBreachedPasswordCheck>[0]> = {}) =>
  createBreachedPasswordCheck({ apiUrl: api.url, timeoutMs: 1000, maxBreaches: 0, failClosed: false, onUnavailable: (r) => unavailable.push(r), ...overrides });

/** Everything a password could leak as: itself, its SHA-1, the 5-character prefix sent to the API. */
const traces = (password: string) => {
  const hash = sha1Hex(password);
  return [password, hash, hash.slice(0, 5), hash.slice(5)];
};

describe('the range lookup', () => {
  it('refuses a password the corpus counts, sending only the 5-character prefix with Add-Padding and a User-Agent', async () => {
    expect(await checker().check(BREACHED)).toBe(true);

    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request?.path).toBe(`/range/${sha1Hex(BREACHED).slice(0, 5)}?mode=sha1`);
    expect(request?.headers['add-padding']).toBe('true');
    expect(request?.headers['user-agent']).toBe(HIBP_USER_AGENT);
    // The API asks each client to name itself: a User-Agent that says which service calls.
    expect(HIBP_USER_AGENT).toMatch(/^change-password \(/);
  });

  it('asks for gzip and reads a compressed answer', async () => {
    // Arrange
    api.setCompression(true);

    // Act / Assert
    expect(await checker().check(BREACHED)).toBe(true);
    expect(await checker().check(ABSENT)).toBe(false);
    expect(api.requests[0]?.headers['accept-encoding']).toBe('gzip');
    expect(unavailable).toEqual([]);
  });

  it('reads the range under a base URL with a path and a trailing slash (a mirror)', async () => {
    expect(await checker({ apiUrl: `${api.url}/mirror/` }).check(ABSENT)).toBe(false);
    expect(api.requests[0]?.path).toBe(`/mirror/range/${sha1Hex(ABSENT).slice(0, 5)}?mode=sha1`);
    expect(unavailable).toEqual([]);
  });

  it('passes a password that appears only as padding (count 0), and one that is absent', async () => {
    expect(await checker().check(PADDED)).toBe(false);
    expect(await checker().check(ABSENT)).toBe(false);
    expect(unavailable).toEqual([]);
  });

  it('refuses only above HIBP_MAX_BREACHES', async () => {
    expect(await checker({ maxBreaches: 3 }).check(BREACHED)).toBe(false);
    expect(await checker({ maxBreaches: 2 }).check(BREACHED)).toBe(true);
  });
});

describe('when the API cannot be used', () => {
  const cases: [string, RangeMode, UnavailableReason][] = [
    ['answers 503', 'error', 'status'],
    ['answers a 200 HTML page', 'html', 'format'],
    ['answers a 200 body cut mid-line', 'truncated', 'format'],
    ['closes the connection before the promised Content-Length', 'cut', 'network'],
    ['sends headers and then nothing', 'slow', 'timeout'],
    ['never answers', 'hang', 'timeout'],
    ['answers an empty 200', 'empty', 'format'],
    ['redirects elsewhere (a redirect is not followed)', 'redirect', 'status'],
  ];

  it.each(cases)('fails open when it %s: not breached, reported as %s, never cached', async (_case, mode, reason) => {
    // Long enough for the second, answered lookup on a loaded machine; the two stalls cost it in full.
    const check = checker({ timeoutMs: 1_000 });
    api.setMode(mode);
    expect(await check.check(BREACHED)).toBe(false);
    expect(unavailable).toEqual([reason]);

    // Not cached: once the API is back, the same prefix is fetched again and refused.
    api.setMode('range');
    expect(await check.check(BREACHED)).toBe(true);
    expect(api.requests).toHaveLength(2);
  });

  it.each(cases)('fails closed when it %s: 503 SERVICE_UNAVAILABLE, with nothing about the password', async (_case, mode, reason) => {
    api.setMode(mode);
    const error = await appErrorOf(checker({ timeoutMs: 300, failClosed: true }).check(BREACHED));
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    expect(error.cause).toEqual({ reason: `breached-password lookup unavailable (${reason})` });
    const text = `${error.message} ${JSON.stringify(error.cause)} ${error.stack ?? ''}`;
    for (const trace of traces(BREACHED)) expect(text).not.toContain(trace);
  });

  it('reports a network error when nothing listens (the API is down)', async () => {
    const check = createBreachedPasswordCheck({ apiUrl: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 1000, maxBreaches: 0, failClosed: false, onUnavailable: (r) => unavailable.push(r) });
    expect(await check.check(BREACHED)).toBe(false);
    expect(unavailable).toEqual(['network']);
  });

  it.each<RangeMode>(['slow', 'hang'])('gives up after HIBP_TIMEOUT_MS instead of waiting (%s API)', async (mode) => {
    // The API never finishes: an answer at all means the check hung up on it, whatever the machine's speed.
    api.setMode(mode);
    expect(await checker({ timeoutMs: 300 }).check(BREACHED)).toBe(false);
    expect(unavailable).toEqual(['timeout']);
    await expect.poll(() => api.abandoned()).toBeGreaterThanOrEqual(1);
  });
});

describe('the answer, line by line', () => {
  /** The suffix of a password's SHA-1 as the API lists it. */
  const suffixOf = (password: string) => sha1Hex(password).slice(5);
  /** 35 hex digits that are not the suffix of any password used here. */
  const OTHER = 'ABCDEF0123456789ABCDEF0123456789ABC';

  const malformed: [string, string][] = [
    ['a negative count', `${OTHER}:-1`],
    ['a count that is not a number', `${OTHER}:many`],
    ['a count beyond the safe integers', `${OTHER}:99999999999999999999`],
    ['a suffix of 36 hex digits', `${OTHER}0:2`],
    ['a suffix of 34 hex digits', `${OTHER.slice(1)}:2`],
    ['a suffix with a character that is not hex', `${OTHER.slice(1)}G:2`],
  ];

  it.each(malformed)('fails closed on a range with one line holding %s among valid ones, reporting the format', async (_case, line) => {
    // Arrange: the breached password's own line is valid; the answer as a whole is not
    api.answerWith(() => [`${suffixOf(BREACHED)}:3`, line, `${OTHER.replace('A', '0')}:0`].join('\r\n'));

    // Act
    const error = await appErrorOf(checker({ failClosed: true }).check(BREACHED));

    // Assert
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    expect(error.cause).toEqual({ reason: 'breached-password lookup unavailable (format)' });
    expect(unavailable).toEqual(['format']);
  });

  it.each(malformed)('fails open on a range with one line holding %s: not breached on this answer', async (_case, line) => {
    // Arrange
    api.answerWith(() => [`${suffixOf(BREACHED)}:3`, line].join('\r\n'));

    // Act / Assert
    expect(await checker().check(BREACHED)).toBe(false);
    expect(unavailable).toEqual(['format']);
  });

  it('reads a mirror that lists suffixes in lower case', async () => {
    // Arrange
    api.answerWith(() => [`${suffixOf(BREACHED).toLowerCase()}:3`, `${suffixOf(PADDED).toLowerCase()}:0`].join('\r\n'));

    // Act / Assert
    expect(await checker().check(BREACHED)).toBe(true);
    expect(await checker().check(PADDED)).toBe(false);
    expect(unavailable).toEqual([]);
  });

  it.each([
    ['first', (ours: string) => [ours, `${OTHER}:5`, `${OTHER.replace('A', '1')}:5`]],
    ['in the middle', (ours: string) => [`${OTHER}:5`, ours, `${OTHER.replace('A', '1')}:5`]],
    ['last', (ours: string) => [`${OTHER}:5`, `${OTHER.replace('A', '1')}:5`, ours]],
  ])('finds a breached suffix listed %s among other breached ones', async (_case, lines) => {
    // Arrange
    api.answerWith(() => lines(`${suffixOf(BREACHED)}:5`).join('\r\n'));

    // Act / Assert
    expect(await checker().check(BREACHED)).toBe(true);
    expect(await checker().check(ABSENT)).toBe(false);
  });
});

describe('the per-container prefix cache', () => {
  it('keeps a prefix for exactly one hour (3 600 000 ms)', async () => {
    // Arrange
    let now = 1_000_000;
    const check = checker({ now: () => now });
    expect(await check.check(BREACHED)).toBe(true);

    // Act / Assert: the last millisecond of the hour is answered from the cache, its end is not
    now += 3_599_999;
    expect(await check.check(BREACHED)).toBe(true);
    expect(api.requests).toHaveLength(1);
    now += 1;
    expect(await check.check(BREACHED)).toBe(true);
    expect(api.requests).toHaveLength(2);
  });

  it('asks once per prefix within the hour, and again after it', async () => {
    let now = 1_000_000;
    const check = checker({ now: () => now });
    expect(await check.check(BREACHED)).toBe(true);
    expect(await check.check(BREACHED)).toBe(true);
    expect(await check.check(PADDED)).toBe(false);
    const prefixes = new Set([BREACHED, PADDED].map((p) => sha1Hex(p).slice(0, 5)));
    expect(api.requests).toHaveLength(prefixes.size);

    now += PREFIX_CACHE_TTL_MS + 1;
    expect(await check.check(BREACHED)).toBe(true);
    expect(api.requests).toHaveLength(prefixes.size + 1);
  });

  it('shares one fetch among concurrent lookups of one prefix', async () => {
    api.setDelay(200);
    const check = checker();
    const verdicts = await Promise.all(Array.from({ length: 5 }, () => check.check(BREACHED)));
    expect(verdicts).toEqual([true, true, true, true, true]);
    expect(api.requests).toHaveLength(1);
  });

  it('shares one failure too, and reports it to each caller', async () => {
    api.setDelay(100);
    api.setMode('html');
    const check = checker();
    expect(await Promise.all([check.check(BREACHED), check.check(BREACHED)])).toEqual([false, false]);
    expect(api.requests).toHaveLength(1);
    expect(unavailable).toEqual(['format', 'format']);
  });

  it(`keeps at most ${PREFIX_CACHE_MAX} prefixes, dropping the least recently used`, async () => {
    const check = checker();
    // PREFIX_CACHE_MAX + 1 passwords with distinct prefixes; the first is then used again.
    const passwords: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; passwords.length <= PREFIX_CACHE_MAX; i++) {
      const prefix = sha1Hex(`cache-${i}`).slice(0, 5);
      if (!seen.has(prefix)) passwords.push(`cache-${i}`);
      seen.add(prefix);
    }
    const [first, second, third] = passwords;
    await check.check(first ?? '');
    for (const password of passwords.slice(1, -1)) await check.check(password);
    await check.check(first ?? ''); // refreshes the first: the second is now the oldest
    api.reset();
    await check.check(passwords.at(-1) ?? ''); // one over the bound: evicts the second
    await check.check(first ?? '');
    await check.check(third ?? ''); // the oldest left: still there, only one was evicted
    await check.check(second ?? '');
    expect(api.requests.map((r) => r.path.slice(7, 12))).toEqual([passwords.at(-1), second].map((p) => sha1Hex(p ?? '').slice(0, 5)));
  });
});

describe('POST /v1/users/profile/change-password with the breach lookup', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  /** Seeds a user, then answers one request with a handler whose breach check is at the stand-in. */
  const change = async (body: { oldPassword: string; newPassword: string }, deps: Partial<HandlerDeps> = {}, failClosed = false) => {
    const { userId, token } = await h.seedUser();
    const before = withoutCounter(await h.getItem(userId));
    const handler = createHandler({ ...h.deps, breachedPasswords: checker({ failClosed }), ...deps });
    const res = await handler(apiEvent({ token, body }), lambdaContext());
    assertMatchesOpenApi(res, 'post');
    const changed = JSON.stringify(withoutCounter(await h.getItem(userId))) !== JSON.stringify(before);
    return { res, body: parseBody(res), changed };
  };

  it('answers 400 5025 with failedRules ["breachedPassword"] for a breached password, and changes nothing', async () => {
    const { res, body, changed } = await change({ oldPassword: SEED_OLD, newPassword: BREACHED });
    expect(res.statusCode).toBe(400);
    expect(body).toEqual({ status: false, error: { code: 5025, message: 'New password does not meet the password policy', details: { failedRules: ['breachedPassword'] } } });
    expect(changed).toBe(false);
  });

  it('changes the password when the API knows it only as padding', async () => {
    const { res, changed } = await change({ oldPassword: SEED_OLD, newPassword: PADDED });
    expect(res.statusCode).toBe(200);
    expect(changed).toBe(true);
  });

  it('does not ask the API about a password the offline rules already refuse', async () => {
    const { res, body } = await change({ oldPassword: SEED_OLD, newPassword: 'P@ssw0rd123!' });
    expect(res.statusCode).toBe(400);
    expect(body).toMatchObject({ error: { code: 5025, details: { failedRules: ['commonPassword', 'strength'] } } });
    expect(api.requests).toEqual([]);
  });

  it('refuses a password on the bundled list (offline) without asking the API', async () => {
    const { res, body } = await change({ oldPassword: SEED_OLD, newPassword: 'Mosquito@13' });
    expect(res.statusCode).toBe(400);
    expect(body).toMatchObject({ error: { code: 5025, details: { failedRules: ['breachedPassword'] } } });
    expect(api.requests).toEqual([]);
  });

  it('starts the lookup before the old password is verified (its network time overlaps bcrypt)', async () => {
    // verifyPassword waits until the stand-in has the request: without the overlap it never would.
    const verify: typeof verifyPassword = async (password, stored) => {
      await vi.waitFor(() => expect(api.requests).toHaveLength(1), { timeout: 5000, interval: 5 });
      return verifyPassword(password, stored);
    };
    const { res } = await change({ oldPassword: SEED_OLD, newPassword: BREACHED }, { hasher: { ...h.deps.hasher, verify } });
    expect(res.statusCode).toBe(400);
  });

  it('answers 5023 for a wrong old password without waiting for the lookup', async () => {
    api.setMode('hang');
    const check = checker({ timeoutMs: 5000 });
    const { res, body } = await change({ oldPassword: 'Wrong-Old-P@ssw0rd-9', newPassword: BREACHED }, { breachedPasswords: check });
    expect(res.statusCode).toBe(400);
    expect(body).toMatchObject({ error: { code: 5023 } });
    // Answered while the lookup was still waiting on the silent API.
    expect(api.requests).toHaveLength(1);
    expect(unavailable).toEqual([]);
  });

  it('answers 503 9001 with Retry-After when failing closed and the API is down, and changes nothing', async () => {
    api.setMode('error');
    const { res, body, changed } = await change({ oldPassword: SEED_OLD, newPassword: ABSENT }, {}, true);
    expect(res.statusCode).toBe(503);
    expect(res.headers['Retry-After']).toBe('2');
    expect(body).toEqual({ status: false, error: { code: 9001, message: 'Service temporarily unavailable' } });
    expect(changed).toBe(false);
  });

  it('changes the password when failing open and the API answers garbage', async () => {
    api.setMode('html');
    const { res, changed } = await change({ oldPassword: SEED_OLD, newPassword: BREACHED });
    expect(res.statusCode).toBe(200);
    expect(changed).toBe(true);
    expect(unavailable).toEqual(['format']);
  });
});

describe('through the handler (fail-open, API down)', () => {
  let stdout: string[] = [];
  beforeEach(() => {
    stdout = [];
    // Powertools writes the EMF line to stdout and a warning through console.warn (stderr off Lambda).
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stdout.push(chunk.toString());
        return true;
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('changes the password on the offline rules, with a warning line and a metric that say nothing about it', async () => {
    for (const [name, value] of Object.entries({ POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'false' })) vi.stubEnv(name, value);
    vi.resetModules();
    const harness = await import('../../support/harness.js');
    const { breachedPasswordCheck } = await import('../../../lib/compose.js');
    const { loadConfig } = await import('../../../lib/config/load.js');
    const config = loadConfig({ USERS_TABLE: 't', JWT_SECRET: 'x'.repeat(32), HIBP_ENABLED: 'true', HIBP_API_URL: api.url, HIBP_TIMEOUT_MS: '300' });
    api.setMode('error');
    const h = await harness.startHarness();
    try {
      const invoke = h.invokerWith({ breachedPasswords: breachedPasswordCheck(config.breachedPasswords, h.deps.logger, h.deps.metrics) });
      const { token } = await h.seedUser();
      const res = await invoke(harness.apiEvent({ token, body: { oldPassword: harness.SEED_OLD, newPassword: BREACHED } }));
      expect(res.statusCode).toBe(200);

      const lines = stdout.join('').split('\n').filter((l) => l.trim() !== '');
      const warning = lines.find((l) => l.includes('Pwned Passwords range API unavailable'));
      expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 'WARN', reason: 'status' });
      expect(lines.some((l) => l.includes('"BreachedPasswordCheckUnavailable":1'))).toBe(true);
      for (const trace of [...traces(BREACHED), harness.SEED_OLD]) expect(stdout.join('')).not.toContain(trace);
    } finally {
      await h.stop();
    }
  });
});
