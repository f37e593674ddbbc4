import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { hashPassword, hashPasswordWithSalt, saltForNextHash, verifyPassword } from '../../lib/adapters/bcrypt/password-hash.js';
import { saltOf } from '../../lib/core/hash-format.js';
import { isRecentPassword, type HistoryDeps } from '../../lib/core/password-history.js';

const COST = 4;

/** The real hasher and verifier, counting the bcrypt operations they are asked for. */
const counting = () => {
  const calls = { hash: 0, verify: 0 };
  const deps: HistoryDeps = {
    hashWithSalt: (password, salt) => ((calls.hash += 1), hashPasswordWithSalt(password, salt)),
    verify: (password, stored) => ((calls.verify += 1), verifyPassword(password, stored)),
  };
  return { deps, calls, total: () => calls.hash + calls.verify };
};

const passwords = (n: number, tag = 'P') => Array.from({ length: n }, (_, i) => `${tag}-${i}-Hist0ry!`);

describe('hashPasswordWithSalt / saltOf / saltForNextHash', () => {
  it('hashes deterministically under a given salt, in the format verifyPassword reads', async () => {
    const salt = await bcrypt.genSalt(COST);
    const [a, b] = await Promise.all([hashPasswordWithSalt('Same-P@ssw0rd', salt), hashPasswordWithSalt('Same-P@ssw0rd', salt)]);
    expect(a).toBe(b);
    expect(a.startsWith(salt)).toBe(true);
    expect(await verifyPassword('Same-P@ssw0rd', a)).toBe(true);
  });

  it('keeps the long-password format (HMAC pre-hash) under a shared salt', async () => {
    const salt = await bcrypt.genSalt(COST);
    const long = `${'x'.repeat(72)}-one`;
    const hash = await hashPasswordWithSalt(long, salt);
    expect(hash.startsWith(`$cp1${salt}`)).toBe(true);
    expect(saltOf(hash)).toBe(salt);
    expect(await hashPasswordWithSalt(`${'x'.repeat(72)}-two`, salt)).not.toBe(hash);
  });

  it('reuses the salt of a hash this function wrote at the configured cost, and only that', async () => {
    const ours = await hashPassword('Current-P@ss1', COST);
    expect(await saltForNextHash(ours, COST)).toBe(saltOf(ours));
    const long = await hashPassword('l'.repeat(100), COST);
    expect(await saltForNextHash(long, COST)).toBe(saltOf(long));
    // Another cost (a raised BCRYPT_COST), another prefix, or no hash: a new salt at the configured cost.
    const fresh = await saltForNextHash(ours, 5);
    expect(fresh).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{22}$/);
    expect(await saltForNextHash(ours.replace('$2b$', '$2a$'), COST)).not.toBe(saltOf(ours));
    expect(await saltForNextHash(undefined, COST)).toMatch(/^\$2b\$04\$/);
    expect(await saltForNextHash('not-a-hash', COST)).toMatch(/^\$2b\$04\$/);
  });
});

describe('isRecentPassword', () => {
  it.each([1, 5, 24])('spends one bcrypt on %i entries sharing the salt, and leaves the hash for the new password', async (size) => {
    const salt = await bcrypt.genSalt(COST);
    const entries = await Promise.all(passwords(size).map((p) => hashPasswordWithSalt(p, salt)));
    const { deps, calls, total } = counting();
    const hashes = new Map<string, string>();

    expect(await isRecentPassword(deps, 'Brand-New-P@ss1', entries, salt, hashes)).toBe(false);
    expect(total()).toBe(1);
    expect(calls.hash).toBe(1);
    expect(await verifyPassword('Brand-New-P@ss1', hashes.get(salt) ?? '')).toBe(true);
  });

  it.each([0, 11, 23])('finds the entry at position %i of 24 with that one bcrypt', async (position) => {
    const salt = await bcrypt.genSalt(COST);
    const list = passwords(24);
    const entries = await Promise.all(list.map((p) => hashPasswordWithSalt(p, salt)));
    const { deps, total } = counting();
    expect(await isRecentPassword(deps, list[position] ?? '', entries, salt, new Map())).toBe(true);
    expect(total()).toBe(1);
  });

  it('verifies separately salted (legacy) entries one by one', async () => {
    const list = passwords(3, 'Legacy');
    const entries = await Promise.all(list.map((p) => hashPassword(p, COST)));
    const salt = await bcrypt.genSalt(COST);
    for (const [i, password] of list.entries()) {
      const { deps, calls } = counting();
      expect(await isRecentPassword(deps, password, entries, salt, new Map())).toBe(true);
      expect(calls.verify).toBe(i + 1);
      expect(calls.hash).toBe(0);
    }
    const { deps, total } = counting();
    expect(await isRecentPassword(deps, 'Not-In-History-1!', entries, salt, new Map())).toBe(false);
    expect(total()).toBe(3);
  });

  it('handles a mixed history: one bcrypt for the shared salt, one per legacy entry', async () => {
    const salt = await bcrypt.genSalt(COST);
    const shared = passwords(2, 'Shared');
    const legacy = passwords(3, 'Legacy');
    const entries = [
      ...(await Promise.all(shared.map((p) => hashPasswordWithSalt(p, salt)))),
      ...(await Promise.all(legacy.map((p) => hashPassword(p, COST)))),
    ];
    for (const password of [...shared, ...legacy]) expect(await isRecentPassword(counting().deps, password, entries, salt, new Map())).toBe(true);
    const { deps, calls } = counting();
    expect(await isRecentPassword(deps, 'Not-In-History-1!', entries, salt, new Map())).toBe(false);
    expect(calls).toEqual({ hash: 1, verify: 3 });
  });

  it('groups entries that share a salt other than the new one (e.g. after a reset elsewhere)', async () => {
    const older = await bcrypt.genSalt(COST);
    const list = passwords(4);
    const entries = await Promise.all(list.map((p) => hashPasswordWithSalt(p, older)));
    const { deps, calls } = counting();
    expect(await isRecentPassword(deps, 'Not-In-History-1!', entries, await bcrypt.genSalt(COST), new Map())).toBe(false);
    expect(calls).toEqual({ hash: 1, verify: 0 });
    expect(await isRecentPassword(counting().deps, list[3] ?? '', entries, await bcrypt.genSalt(COST), new Map())).toBe(true);
  });

  it('tells apart long passwords sharing their first 72 bytes', async () => {
    const salt = await bcrypt.genSalt(COST);
    const prefix = 'L'.repeat(72);
    const entries = [await hashPasswordWithSalt(`${prefix}-first`, salt), await hashPassword(`${prefix}-legacy`, COST)];
    expect(await isRecentPassword(counting().deps, `${prefix}-first`, entries, salt, new Map())).toBe(true);
    expect(await isRecentPassword(counting().deps, `${prefix}-legacy`, entries, salt, new Map())).toBe(true);
    expect(await isRecentPassword(counting().deps, `${prefix}-other`, entries, salt, new Map())).toBe(false);
  });

  it('matches a decomposed spelling of a shared-salt entry (hashed as NFC)', async () => {
    const salt = await bcrypt.genSalt(COST);
    const entries = [await hashPasswordWithSalt('Caf\u00e9-P@ssw0rd', salt)];
    expect(await isRecentPassword(counting().deps, 'Cafe\u0301-P@ssw0rd', entries, salt, new Map())).toBe(true);
  });

  it('never matches, and spends nothing on, an entry of no supported format', async () => {
    const { deps, total } = counting();
    expect(await isRecentPassword(deps, 'anything', ['', 'plain-text', '$2b$99$x'], await bcrypt.genSalt(COST), new Map())).toBe(false);
    expect(total()).toBe(0);
  });
});
