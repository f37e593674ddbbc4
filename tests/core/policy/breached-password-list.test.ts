import { describe, expect, it } from 'vitest';
import { containsFingerprint, createBreachedList, fingerprintOf, FINGERPRINT_BYTES } from '../../../lib/core/policy/breached-password-list.js';
import { BREACHED_FINGERPRINTS_BASE64 } from '../../../lib/core/policy/breached-password-list-data.js';
import { DEV_JWT_SECRET } from '../../../lib/config/variables.js';
import { loadConfig } from '../../../lib/config/load.js';
import { buildPolicy, failedRules } from '../../../lib/core/policy/password-policy.js';

/** The bundled list (offline half of `breachedPassword`): SecLists top-1M entries that pass every other rule. */
const policyOf = (profile: string) => buildPolicy(loadConfig({ USERS_TABLE: 'users', JWT_SECRET: DEV_JWT_SECRET, PASSWORD_PROFILE: profile }).policy);
const context = { userAttributes: [] };

describe('the bundled breached-password list', () => {
  it.each([
    // Ranks in the SecLists top 1M; each passes the composition rules, the blocklist and zxcvbn.
    ['default', 'L58jkdjP!'],
    ['default', 'Mosquito@13'],
    ['default', 'NICK1234-rem936'],
    ['nist', 'momsanaladventure'],
    ['nist', '1qazxsw23edcvfr4'],
  ])('refuses a leaked password that every other rule of the %s profile lets through: %s', (profile, password) => {
    const rules = policyOf(profile);
    expect(failedRules(rules.filter((r) => r.id !== 'breachedPassword'), password, context)).toEqual([]);
    expect(failedRules(rules, password, context)).toEqual(['breachedPassword']);
  });

  it('lets through the contract’s example and a fresh passphrase', () => {
    expect(failedRules(policyOf('default'), 'NewSecureP@ssw0rd!', context)).toEqual([]);
    expect(failedRules(policyOf('nist'), 'copper lantern drifts at noon', context)).toEqual([]);
  });

  it('is exact: a leaked password with one character changed is not on it', () => {
    const list = createBreachedList();
    expect(list.has('L58jkdjP!')).toBe(true);
    expect(list.has('L58jkdjP?')).toBe(false);
    expect(list.has('l58jkdjP!')).toBe(false);
  });

  it('holds sorted 40-bit entries that the binary search finds, first, last and each', () => {
    const table = Buffer.from(BREACHED_FINGERPRINTS_BASE64, 'base64');
    const n = table.length / FINGERPRINT_BYTES;
    expect(n).toBeGreaterThan(1000);
    const entries = Array.from({ length: n }, (_, i) => table.readUIntBE(i * FINGERPRINT_BYTES, FINGERPRINT_BYTES));
    for (let i = 1; i < n; i++) expect(entries[i]).toBeGreaterThan(entries[i - 1] ?? -1);
    expect(entries.every((e) => containsFingerprint(table, e))).toBe(true);
    expect(containsFingerprint(table, (entries[0] ?? 0) - 1)).toBe(false);
    expect(containsFingerprint(table, (entries.at(-1) ?? 0) + 1)).toBe(false);
    expect(fingerprintOf('password')).toBe(0x5baa61e4c9);
  });
});
