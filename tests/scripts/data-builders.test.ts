import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PASSWORD_PROFILES } from '../../lib/config/load.js';
import { FINGERPRINT_BYTES } from '../../lib/core/policy/breached-password-list.js';
import type { PolicyContext } from '../../lib/core/policy/password-rule.js';
import { BREACHED_FINGERPRINTS_BASE64 } from '../../lib/core/policy/breached-password-list-data.js';
import { OUTPUT as PASSWORD_DATA, passwordDataSource } from '../../scripts/data/build-password-data.js';
import { OUTPUT as BREACHED_LIST, breachedListSource, CONTEXTS, filterFor, fingerprint, policyFor, readBreachedList, SECOND_FACTOR_TOP, SHIPPED_TOP, survivorRanks, WITH_SECOND_FACTOR as withSecondFactor, WITHOUT_SECOND_FACTOR as withoutSecondFactor } from '../../scripts/data/build-breached-list.js';

/**
 * The data builders rewrite what is committed, byte for byte, from the devDependencies in
 * node_modules (no network), each called in-process as its CLI calls it, on the file it writes.
 */
describe('npm run build:password-data', () => {
  it('writes lib/core/policy/password-strength-data.ts exactly as committed', () => {
    expect(passwordDataSource().source).toBe(readFileSync(PASSWORD_DATA, 'utf8'));
  });
});

describe('npm run build:breached-list', () => {
  const { list, version } = readBreachedList();
  const table = Buffer.from(BREACHED_FINGERPRINTS_BASE64, 'base64');
  const committed = new Set(Array.from({ length: table.length / FINGERPRINT_BYTES }, (_, i) => table.readUIntBE(i * FINGERPRINT_BYTES, FINGERPRINT_BYTES)));
  // Only an entry that passes the cheap rules (length, classes, distinct characters) of some profile
  // can be on the list: those are the ranks worth hashing (a hundredth of the million, and in the
  // top 100 000 those long enough for a user with a second factor).
  const cheap = PASSWORD_PROFILES.map((profile) => policyFor(profile, {}).filter((rule) => !(rule.deferred ?? false)));
  const passesCheap = (password: string, context: PolicyContext) => cheap.some((rules) => rules.every((rule) => rule.test(password.normalize('NFC'), context)));
  const cheapWithout = list.map((password) => passesCheap(password, withoutSecondFactor));
  const candidatesWithout = list.flatMap((_, i) => (cheapWithout[i] === true ? [i + 1] : []));
  const candidates = list.flatMap((password, i) => (cheapWithout[i] === true || (i < SECOND_FACTOR_TOP && passesCheap(password, withSecondFactor)) ? [i + 1] : []));
  /** The ranks of the entries the committed file holds. */
  const named = candidates.filter((rank) => committed.has(fingerprint(list[rank - 1] ?? '')));

  // Every rule over every candidate takes about a minute of CPU: CI does that
  // (`npm run build:breached-list -- --check` in .ci/run). Here: the file, from the entries it names.
  it('writes lib/core/policy/breached-password-list-data.ts exactly as committed, from the entries it names', () => {
    expect(named.length).toBeGreaterThanOrEqual(committed.size);
    expect(breachedListSource(filterFor(list, [named], SHIPPED_TOP), version)).toBe(readFileSync(BREACHED_LIST, 'utf8'));
  });

  it('lists, in the top 100,000, every entry passing every other rule in some profile for a user without a second factor', () => {
    const top = candidatesWithout.filter((rank) => rank <= 100_000);
    const survivors = PASSWORD_PROFILES.flatMap((profile) => survivorRanks(list, profile, {}, top, withoutSecondFactor));
    const listed = new Set(named.filter((rank) => rank <= 100_000));
    expect(top.length).toBeGreaterThan(survivors.length);
    expect(survivors.length).toBeGreaterThan(30);
    expect(survivors.filter((rank) => !listed.has(rank))).toEqual([]);
  });

  it('finds, in ranks 10,001 to 15,000, exactly those entries passing every other rule in some profile, with or without a second factor', () => {
    // Every rule over the top 100 000 for a user with a second factor takes about 8 s of CPU (the
    // build does it); the blocklist holds the top 10 000, so the window starts after it.
    const window = candidates.filter((rank) => rank > 10_000 && rank <= 15_000);
    const survivors = new Set(PASSWORD_PROFILES.flatMap((profile) => CONTEXTS.flatMap((context) => survivorRanks(list, profile, {}, window, context))));
    expect(withSecondFactor.mfaEnrolled).toBe(true);
    expect(survivors.size).toBeGreaterThan(30);
    expect([...survivors].sort((a, b) => a - b)).toEqual(named.filter((rank) => rank > 10_000 && rank <= 15_000));
  });
});
