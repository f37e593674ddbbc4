import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '../../../lib/http/event.js';
import { hashPassword, verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { saltOf } from '../../../lib/core/hash-format.js';
import { mintToken } from '../../../scripts/local/dev-token.js';
import { apiEvent, parseBody, SEED_OLD, startHarness, TEST_COST, type Harness } from '../../support/harness.js';

/**
 * The password history at constant cost (lib/core/password-history.ts), through the real handler and
 * a real DynamoDB API server, counting every bcrypt operation through the injected hasher and
 * verifier. The clock is frozen an hour in the past and moves a second per change.
 */
const base = Date.now() - 3_600_000;
let offsetMs = 0;
const bcryptCalls = { hash: 0, verify: 0 };
/** A harness and its handler that counts bcrypt operations. */
type Sized = Harness & { counted: Harness['invoke'] };
const harnesses = new Map<number, Sized>();

/** A harness whose handler has this history size and counts every bcrypt operation. */
const withHistorySize = async (historySize: number): Promise<Sized> => {
  const h = await startHarness({ clock: () => new Date(base + offsetMs) });
  const { hasher } = h.deps;
  const invoke = h.invokerWith({
    limits: { ...h.deps.limits, historySize },
    hasher: {
      ...hasher,
      hashWithSalt: (password, salt) => ((bcryptCalls.hash += 1), hasher.hashWithSalt(password, salt)),
      verify: (password, stored) => ((bcryptCalls.verify += 1), hasher.verify(password, stored)),
    },
  });
  return { ...h, counted: invoke };
};

beforeAll(async () => {
  for (const size of [1, 5, 24]) harnesses.set(size, await withHistorySize(size));
});
afterAll(() => Promise.all([...harnesses.values()].map((h) => h.stop())));

const harness = (size: number): Sized => harnesses.get(size) as Sized;
const codeOf = (res: HttpResult) => (parseBody(res) as { error?: { code: number } }).error?.code;
const nth = (i: number, tag = 'Hist') => `${tag}-${i}-P@ssw0rd!`;

/** One change, counting the bcrypt operations it spent. */
const change = async ({ counted }: Sized, token: string, oldPassword: string, newPassword: string) => {
  offsetMs += 1000;
  bcryptCalls.hash = 0;
  bcryptCalls.verify = 0;
  const res = await counted(apiEvent({ token, body: { oldPassword, newPassword } }));
  return { res, bcrypt: bcryptCalls.hash + bcryptCalls.verify };
};

/** Makes `count` successful changes from SEED_OLD and returns every password, oldest first, and the bcrypt spent on each change. */
const changeMany = async (h: Sized, token: string, count: number, first = SEED_OLD) => {
  const list = [first];
  const spent: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const next = nth(i);
    const { res, bcrypt } = await change(h, token, list.at(-1) ?? '', next);
    expect(res.statusCode).toBe(200);
    list.push(next);
    spent.push(bcrypt);
  }
  return { list, spent };
};

describe('password history at constant cost', () => {
  it.each([1, 5, 24])('spends at most 3 (in fact 2) bcrypt operations per change with PASSWORD_HISTORY_SIZE=%i, history full', async (size) => {
    const h = harness(size);
    const { token } = await h.seedUser();
    const { spent } = await changeMany(h, token, size + 2);
    expect(Math.max(...spent)).toBeLessThanOrEqual(3);
    // The old-password compare, and one hash that is both the history check and the new hash.
    expect(spent.every((n) => n === 2)).toBe(true);
  });

  it('refuses every one of the last 24 passwords with 5027 for 2 bcrypt operations each, and accepts the 25th oldest', async () => {
    const h = harness(24);
    const { userId, token } = await h.seedUser();
    const { list } = await changeMany(h, token, 25);
    const current = list.at(-1) ?? '';
    const item = await h.getItem(userId);
    expect(item?.passwordHistory).toHaveLength(24);
    // One salt for the current hash and every history entry.
    expect(new Set([item?.passwordHash, ...((item?.passwordHistory ?? []) as string[])].map((x) => saltOf(x as string))).size).toBe(1);
    for (const reused of list.slice(-25, -1)) {
      const { res, bcrypt } = await change(h, token, current, reused);
      expect(codeOf(res)).toBe(5027);
      expect(bcrypt).toBe(2);
    }
    expect((await change(h, token, current, list.at(-26) ?? '')).res.statusCode).toBe(200);
  });

  it('keeps honouring separately salted (legacy) entries while they age out, and reaches 2 operations once they have', async () => {
    const h = harness(5);
    const legacy = Array.from({ length: 5 }, (_, i) => nth(i, 'Legacy'));
    const { userId, token } = await h.seedUser({ passwordHistory: await Promise.all(legacy.map((p) => hashPassword(p, TEST_COST))) });
    // Every legacy password is refused before the first change.
    for (const reused of legacy) expect(codeOf((await change(h, token, SEED_OLD, reused)).res)).toBe(5027);

    const { list, spent } = await changeMany(h, token, 6);
    // 1 old-password compare + one per legacy entry still in the history + 1 hash.
    expect(spent).toEqual([7, 6, 5, 4, 3, 2]);
    expect(await verifyPassword(list.at(-1) ?? '', (await h.getItem(userId))?.passwordHash as string)).toBe(true);
  });

  it('refuses every recent password in the middle of a migration (mixed history)', async () => {
    const h = harness(5);
    const legacy = Array.from({ length: 5 }, (_, i) => nth(i, 'Legacy'));
    const { token } = await h.seedUser({ passwordHistory: await Promise.all(legacy.map((p) => hashPassword(p, TEST_COST))) });
    const { list } = await changeMany(h, token, 2);
    const current = list.at(-1) ?? '';
    // History now: the two replaced passwords (shared salt), then Legacy-0..2 (salts of their own).
    for (const reused of [list[1] ?? '', SEED_OLD, legacy[0] ?? '', legacy[1] ?? '', legacy[2] ?? '']) {
      expect(codeOf((await change(h, token, current, reused)).res)).toBe(5027);
    }
    expect((await change(h, token, current, legacy[3] ?? '')).res.statusCode).toBe(200);
  });

  it('refuses a long password again, and tells it apart from one sharing its first 72 bytes', async () => {
    const h = harness(5);
    const { token } = await h.seedUser();
    const prefix = 'Aa1!'.repeat(18);
    const long = `${prefix}-first-long`;
    expect((await change(h, token, SEED_OLD, long)).res.statusCode).toBe(200);
    expect((await change(h, token, long, 'Interim-P@ssw0rd1')).res.statusCode).toBe(200);
    const reused = await change(h, token, 'Interim-P@ssw0rd1', long);
    expect(codeOf(reused.res)).toBe(5027);
    expect(reused.bcrypt).toBe(2);
    expect((await change(h, token, 'Interim-P@ssw0rd1', `${prefix}-other-long`)).res.statusCode).toBe(200);
  });

  it('still refuses recent passwords after another service reset the hash with a salt of its own, for one more operation', async () => {
    const h = harness(5);
    const { userId, token } = await h.seedUser();
    const { list } = await changeMany(h, token, 3);
    // A reset flow elsewhere writes a fresh hash and leaves the history alone.
    await h.setAttributes(userId, { passwordHash: await hashPassword('Reset-By-Email-1!', TEST_COST) });
    for (const reused of list.slice(0, 3)) expect(codeOf((await change(h, token, 'Reset-By-Email-1!', reused)).res)).toBe(5027);
    const { res, bcrypt } = await change(h, token, 'Reset-By-Email-1!', 'After-Reset-P@ss1');
    expect(res.statusCode).toBe(200);
    // Old compare + the previous salt's group + the hash under the reset hash's salt.
    expect(bcrypt).toBe(3);
  });

  it('answers a lost-response retry with the original 200 once the history shares the salt', async () => {
    const h = harness(5);
    offsetMs = 3_600_000;
    try {
      const { userId } = await h.seedUser();
      const token = await mintToken(userId, { issuedAt: Math.floor((base + offsetMs) / 1000) + 5 });
      const { list } = await changeMany(h, token, 3);
      const stale = await mintToken(userId, { issuedAt: Math.floor((base + offsetMs) / 1000) - 1 });
      offsetMs -= 1000; // the retry arrives within the window, as the change just made
      const before = await h.getItem(userId);
      const retry = await change(h, stale, list.at(-2) ?? '', list.at(-1) ?? '');
      expect(retry.res.statusCode).toBe(200);
      const after = await h.getItem(userId);
      expect(after?.passwordHash).toBe(before?.passwordHash);
      expect(after?.oldPasswordAttempts ?? 0).toBe(0);
    } finally {
      offsetMs = 0;
    }
  });
});
