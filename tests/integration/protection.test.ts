import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import bcrypt from 'bcryptjs';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { eventBridgeNotifier, EVENT_DETAIL_TYPE, EVENT_SOURCE } from '../../lib/change-notifier.js';
import type { HttpResult } from '../../lib/http.js';
import { verifyPassword } from '../../lib/password-hash.js';
import { createDocumentClient } from '../../lib/user-store.js';
import { mintToken } from '../../scripts/local-dev.js';
import { apiEvent, parseBody, SEED_NEW, SEED_OLD, startHarness, TEST_COST, type Harness } from '../support/harness.js';
import { DEFAULT_TABLE_LAYOUT, LAYOUTS, type LayoutFixture } from '../support/layouts.js';

/**
 * Account protection beyond the contract (issue 3), against the real handler and dynalite. The
 * clock is frozen an hour in the past, so tokens minted now are newer than any change it stamps.
 */
let h: Harness;
// A frozen clock, so a window's edges do not move while a slow machine runs the test.
const base = Date.now();
let offsetMs = -3_600_000;
let verifications = 0;
let doc: DynamoDBDocumentClient;

/** The harness with the frozen clock, counting bcrypt verifications. */
const startProtectionHarness = async (layout: LayoutFixture) => {
  const harness = await startHarness({ clock: () => new Date(base + offsetMs) }, layout);
  const real = harness.deps.verifyPassword;
  harness.deps.verifyPassword = (password, stored) => {
    verifications += 1;
    return real(password, stored);
  };
  return harness;
};

beforeAll(async () => {
  h = await startProtectionHarness(DEFAULT_TABLE_LAYOUT);
  doc = createDocumentClient({ endpoint: h.endpoint });
});
afterAll(() => h.stop());

const codeOf = (res: HttpResult) => (parseBody(res) as { error?: { code: number } }).error?.code;
const change = (token: string, oldPassword: string, newPassword: string) => h.invoke(apiEvent({ token, body: { oldPassword, newPassword } }));
const fakeNowSeconds = () => Math.floor((base + offsetMs) / 1000);
const setAttributes = (userId: string, values: Record<string, unknown>) => {
  const names = Object.keys(values);
  return doc.send(new UpdateCommand({
    TableName: h.table,
    Key: { userId },
    UpdateExpression: `SET ${names.map((n, i) => `#n${i} = :v${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#n${i}`, n])),
    ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, values[n]])),
  }));
};

// On each table layout: this block swaps in its own harness and gives the file's back after.
describe.each(LAYOUTS)('brute-force limit on the old password on the $name layout', (layout) => {
  let fileHarness: Harness;
  beforeAll(async () => {
    fileHarness = h;
    h = await startProtectionHarness(layout);
  });
  afterEach(async () => {
    expect(await h.changedNeighbours()).toEqual([]);
  });
  afterAll(async () => {
    await h.stop();
    h = fileHarness;
  });

  it('answers 429 5029 with Retry-After after 5 wrong old passwords, even for the right one, without bcrypt', async () => {
    const { userId, token } = await h.seedUser();
    for (let i = 0; i < 5; i += 1) expect(codeOf(await change(token, `Wrong-P@ss-${i}`, SEED_NEW))).toBe(5023);
    verifications = 0;
    const locked = await change(token, SEED_OLD, SEED_NEW);
    expect(locked.statusCode).toBe(429);
    expect(parseBody(locked)).toEqual({ status: false, error: { code: 5029, message: 'Too many attempts; try again later' } });
    const retryAfter = Number(locked.headers['Retry-After']);
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(verifications).toBe(0);
    expect(await verifyPassword(SEED_OLD, (await h.getItem(userId))?.passwordHash as string)).toBe(true);
  });

  it('lets the right password through once the 15-minute window has ended', async () => {
    const { token } = await h.seedUser();
    for (let i = 0; i < 5; i += 1) await change(token, `Wrong-P@ss-${i}`, SEED_NEW);
    expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(429);
    offsetMs += 899_000;
    expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(429);
    offsetMs += 1_000;
    try {
      expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    } finally {
      offsetMs -= 900_000;
    }
  });

  it('resets the count on success', async () => {
    const { userId, token } = await h.seedUser();
    for (let i = 0; i < 4; i += 1) await change(token, `Wrong-P@ss-${i}`, SEED_NEW);
    expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const item = await h.getItem(userId);
    expect(item).not.toHaveProperty('oldPasswordAttempts');
    expect(item).not.toHaveProperty('oldPasswordAttemptsSince');
    for (let i = 0; i < 4; i += 1) expect(codeOf(await change(token, `Wrong-P@ss-${i}`, 'Third-P@ssw0rd!'))).toBe(5023);
    expect((await change(token, SEED_NEW, 'Third-P@ssw0rd!')).statusCode).toBe(200);
  });

  it('lets exactly 5 of 50 parallel wrong guesses reach bcrypt, and leaves other users alone', async () => {
    const victim = await h.seedUser();
    const bystander = await h.seedUser();
    verifications = 0;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => change(victim.token, `Guess-P@ss-${i}`, SEED_NEW)));
    expect(verifications).toBe(5);
    expect(results.filter((r) => codeOf(r) === 5023)).toHaveLength(5);
    expect(results.filter((r) => codeOf(r) === 5029)).toHaveLength(45);
    expect((await h.getItem(victim.userId))?.oldPasswordAttempts).toBe(5);
    expect((await change(bystander.token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });

  it('does not count refusals that never reach the old-password check', async () => {
    const { userId, token } = await h.seedUser();
    for (let i = 0; i < 6; i += 1) expect(codeOf(await change(token, SEED_OLD, `weak${i}weak`))).toBe(5025);
    expect((await h.getItem(userId))?.oldPasswordAttempts ?? 0).toBe(0);
    expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });
});

describe('strength, not just composition', () => {
  it.each([
    ['P@ssw0rd123!', 'commonPassword'],
    ['Summer2024!', 'commonPassword'],
    ['Qwerty123!', 'commonPassword'],
    ['1qaz@WSX3edc', 'commonPassword'],
    ['Q1w2e3r4t5!', 'strength'],
    ['Ana.Silva1985!', 'personalInfo'],
  ])('refuses %s with 400 5025 naming %s, and changes nothing', async (newPassword, rule) => {
    const { userId, token } = await h.seedUser({ email: 'ana.silva@example.com', username: 'asilva' });
    const before = await h.getItem(userId);
    const res = await change(token, SEED_OLD, newPassword);
    expect(res.statusCode).toBe(400);
    const { error } = parseBody(res) as { error: { code: number; details: { failedRules: string[] } } };
    expect(error.code).toBe(5025);
    expect(error.details.failedRules).toContain(rule);
    expect((await h.getItem(userId))?.passwordHash).toBe(before?.passwordHash);
  });

  it.each(['NewSecureP@ssw0rd!', 'Blue-Cactus-Ladder-42', 'k7#Vq2!xLp9$'])('accepts %s', async (newPassword) => {
    const { token } = await h.seedUser({ email: 'ana.silva@example.com', username: 'asilva' });
    expect((await change(token, SEED_OLD, newPassword)).statusCode).toBe(200);
  });
});

describe('tokens issued before the last change', () => {
  it('refuses a token older than passwordChangedAt with 401 4001, and accepts one issued since', async () => {
    const { userId } = await h.seedUser();
    const changedAt = fakeNowSeconds() - 60;
    await setAttributes(userId, { passwordChangedAt: new Date(changedAt * 1000).toISOString() });
    const older = await mintToken(userId, { issuedAt: changedAt - 1 });
    const sameSecond = await mintToken(userId, { issuedAt: changedAt });
    const res = await change(older, SEED_OLD, SEED_NEW);
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('{"status":false,"error":{"code":4001,"message":"Unauthorized"}}');
    expect((await change(sameSecond, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });

  it('makes the token that changed the password unable to change it back', async () => {
    offsetMs = 0;
    try {
      // A token from two seconds ago, as a thief's stolen one would be.
      const { userId } = await h.seedUser();
      const stolen = await mintToken(userId, { issuedAt: fakeNowSeconds() - 2 });
      expect((await change(stolen, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
      const back = await change(stolen, SEED_NEW, 'Thief-Ch0ice-P@ss');
      expect(back.statusCode).toBe(401);
      expect(await verifyPassword(SEED_NEW, (await h.getItem(userId))?.passwordHash as string)).toBe(true);
    } finally {
      offsetMs = -3_600_000;
    }
  });
});

describe('password history', () => {
  it('refuses each of the last 5 passwords with 400 5027 and accepts the 6th oldest', async () => {
    const { userId, token } = await h.seedUser();
    const passwords = [SEED_OLD, ...Array.from({ length: 6 }, (_, i) => `History-${i}-P@ssw0rd`)];
    for (let i = 1; i < passwords.length; i += 1) {
      offsetMs += 1000;
      expect((await change(token, passwords[i - 1] ?? '', passwords[i] ?? '')).statusCode).toBe(200);
    }
    const current = passwords.at(-1) ?? '';
    const item = await h.getItem(userId);
    expect(item?.passwordHistory).toHaveLength(5);
    for (const reused of passwords.slice(-6, -1)) {
      const res = await change(token, current, reused);
      expect(res.statusCode).toBe(400);
      expect(parseBody(res)).toEqual({ status: false, error: { code: 5027, message: 'New password was used recently; choose another', details: { historySize: 5 } } });
    }
    expect((await change(token, current, passwords[0] ?? '')).statusCode).toBe(200);
    offsetMs = -3_600_000;
  });
});

describe('a retry of a change whose answer was lost', () => {
  it('answers the original 200 without counting a failure or writing', async () => {
    offsetMs = 0;
    try {
      const { userId } = await h.seedUser();
      const token = await mintToken(userId, { issuedAt: fakeNowSeconds() - 1 });
      expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
      const after = await h.getItem(userId);
      const retry = await change(token, SEED_OLD, SEED_NEW);
      expect(retry.statusCode).toBe(200);
      expect(retry.body).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
      const again = await h.getItem(userId);
      expect(again?.passwordHash).toBe(after?.passwordHash);
      expect(again?.passwordChangedAt).toBe(after?.passwordChangedAt);
      expect(again?.oldPasswordAttempts ?? 0).toBe(0);
    } finally {
      offsetMs = -3_600_000;
    }
  });

  it('counts a retry whose passwords do not match as the failed attempt it is', async () => {
    const { userId, token } = await h.seedUser();
    expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    expect(codeOf(await change(token, 'Not-The-Old-1!', SEED_NEW))).toBe(5023);
    expect(codeOf(await change(token, SEED_OLD, 'Not-The-New-1!'))).toBe(5023);
    expect((await h.getItem(userId))?.oldPasswordAttempts).toBe(2);
  });

  it('stops answering 200 once the 5-minute replay window has passed', async () => {
    const { token } = await h.seedUser();
    expect((await change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    offsetMs += 301_000;
    try {
      expect(codeOf(await change(token, SEED_OLD, SEED_NEW))).toBe(5023);
    } finally {
      offsetMs -= 301_000;
    }
  });
});

describe('Unicode', () => {
  const composed = 'Caf\u00e9-Cr\u00e8me-42!';
  const decomposed = composed.normalize('NFD');

  it('verifies a password set in decomposed form when it is sent composed, and the reverse', async () => {
    expect(decomposed).not.toBe(composed);
    const other = 'R\u00e9sum\u00e9-No\u00ebl-77!';
    const { token } = await h.seedUser();
    expect((await change(token, SEED_OLD, decomposed)).statusCode).toBe(200);
    offsetMs += 1000;
    expect((await change(token, composed, other)).statusCode).toBe(200);
    offsetMs += 1000;
    expect((await change(token, other.normalize('NFD'), SEED_NEW)).statusCode).toBe(200);
    offsetMs = -3_600_000;
  });

  it('treats composed and decomposed spellings as the same password (5024)', async () => {
    const { token } = await h.seedUser({}, composed);
    expect(codeOf(await change(token, composed, decomposed))).toBe(5024);
  });

  it('still verifies a legacy hash of a non-NFC password exactly as stored', async () => {
    const { userId, token } = await h.seedUser();
    await setAttributes(userId, { passwordHash: bcrypt.hashSync(decomposed, TEST_COST) });
    expect((await change(token, decomposed, SEED_NEW)).statusCode).toBe(200);
  });

  it.each([
    ['a lone surrogate', 'Abc-\ud800-123!'],
    ['a NUL character', 'Abc-\u0000-123!'],
    ['a newline', 'Abc-\n-123!'],
  ])('refuses %s with 400 1002 invalidCharacters', async (_name, newPassword) => {
    const { token } = await h.seedUser();
    const res = await change(token, SEED_OLD, newPassword);
    expect(res.statusCode).toBe(400);
    expect(parseBody(res)).toMatchObject({ error: { code: 1002, details: { fieldErrors: ['newPassword:invalidCharacters'] } } });
  });
});

describe('response hardening', () => {
  const HARDENING = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' };

  it('sends no-store, nosniff and HSTS on 2xx, 4xx and 5xx', async () => {
    const { token } = await h.seedUser();
    const ok = await change(token, SEED_OLD, SEED_NEW);
    const bad = await h.invoke(apiEvent({ body: {} }));
    const failing = await startHarness({
      store: { beginAttempt: () => Promise.reject(new Error('boom')), releaseAttempt: () => Promise.resolve(), replacePasswordHash: () => Promise.resolve() },
    });
    const broken = await failing.invoke(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
    await failing.stop();
    expect([ok.statusCode, bad.statusCode, broken.statusCode]).toEqual([200, 401, 500]);
    for (const res of [ok, bad, broken]) expect(res.headers).toMatchObject(HARDENING);
    expect(broken.body).toBe('{"status":false,"error":{"code":9000,"message":"Internal server error"}}');
  });

  it('sends no CORS headers and answers OPTIONS with 405 when CORS is off (the default)', async () => {
    const res = await h.invoke(apiEvent({ method: 'OPTIONS', headers: { origin: 'https://app.example.com' } }));
    expect(res.statusCode).toBe(405);
    expect(res.headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });

  it('answers the preflight and tags answers for an allowed origin when CORS_ALLOWED_ORIGINS is set', async () => {
    const cors = await startHarness({ corsAllowedOrigins: ['https://app.example.com'] });
    try {
      const preflight = await cors.invoke(apiEvent({ method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } }));
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Allow-Methods': 'POST,OPTIONS', 'Access-Control-Allow-Headers': 'Authorization,Content-Type' });
      const allowed = await cors.invoke(apiEvent({ body: {}, headers: { origin: 'https://app.example.com' } }));
      expect(allowed.statusCode).toBe(401);
      expect(allowed.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
      const other = await cors.invoke(apiEvent({ body: {}, headers: { origin: 'https://evil.example.net' } }));
      expect(other.headers).not.toHaveProperty('Access-Control-Allow-Origin');
    } finally {
      await cors.stop();
    }
  });
});

describe('PasswordChanged event', () => {
  it('publishes who, when and from where after a change, and nothing secret', async () => {
    const sent: unknown[] = [];
    const client = { send: vi.fn((command: { input: unknown }) => { sent.push(command.input); return Promise.resolve({ FailedEntryCount: 0 }); }) };
    const evented = await startHarness({ notifier: eventBridgeNotifier('platform-bus', client) });
    try {
      const { userId, token } = await evented.seedUser();
      const res = await evented.invoke(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
      expect(res.statusCode).toBe(200);
      const item = await evented.getItem(userId);
      expect(sent).toHaveLength(1);
      const entry = (sent[0] as { Entries: { EventBusName: string; Source: string; DetailType: string; Detail: string }[] }).Entries[0];
      expect(entry).toMatchObject({ EventBusName: 'platform-bus', Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE });
      expect(JSON.parse(entry?.Detail ?? '')).toEqual({ userId, changedAt: item?.passwordChangedAt, requestId: expect.any(String), sourceIp: '203.0.113.7' });
      for (const secret of [SEED_OLD, SEED_NEW, token, item?.passwordHash as string]) expect(JSON.stringify(sent)).not.toContain(secret);
      expect(codeOf(await evented.invoke(apiEvent({ token, body: { oldPassword: 'Wrong-P@ss-1', newPassword: 'Other-P@ssw0rd1' } })))).not.toBe(undefined);
      expect(sent).toHaveLength(1);
    } finally {
      await evented.stop();
    }
  });

  it('keeps the change and reports the failure when publishing fails', async () => {
    const failures: unknown[] = [];
    const client = { send: () => Promise.reject(new Error('EventBridge down')) };
    const evented = await startHarness({ notifier: eventBridgeNotifier('platform-bus', client), onNotifyError: (e) => failures.push(e) });
    try {
      const { userId, token } = await evented.seedUser();
      const res = await evented.invoke(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
      expect(res.statusCode).toBe(200);
      expect(await verifyPassword(SEED_NEW, (await evented.getItem(userId))?.passwordHash as string)).toBe(true);
      expect(failures).toHaveLength(1);
    } finally {
      await evented.stop();
    }
  });
});
