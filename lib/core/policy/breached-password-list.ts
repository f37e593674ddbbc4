import { createHash } from 'node:crypto';
import type { PolicyRule } from './password-rule.js';
import { BREACHED_FINGERPRINTS_BASE64 } from './breached-password-list-data.js';

/**
 * The offline half of the `breachedPassword` rule: leaked passwords from the SecLists top 1M that
 * pass every other rule (a capital, a digit, a symbol, not common, a fair zxcvbn score), so the
 * composition rules and the blocklist cannot catch them. Works with the range API off or down.
 * scripts/data/build-breached-list.ts measures and generates the data; docs/breached-passwords.md has
 * the figures. Each entry is the first 40 bits of its SHA-1: a password that is not on the list
 * is refused with probability n / 2^40 (about 1e-8 for 10 000 entries).
 */

/** Bytes per entry in the sorted table. */
export const FINGERPRINT_BYTES = 5;

/** The first 40 bits of the password's SHA-1 (UTF-8), as a number. */
// Stryker disable next-line StringLiteral: Node reads an empty encoding as its default, UTF-8
export const fingerprintOf = (password: string): number => createHash('sha1').update(password, 'utf8').digest().readUIntBE(0, FINGERPRINT_BYTES);

/** Binary search in a table of sorted big-endian 40-bit entries. */
export const containsFingerprint = (table: Buffer, fingerprint: number): boolean => {
  let low = 0;
  let high = table.length / FINGERPRINT_BYTES - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const value = table.readUIntBE(mid * FINGERPRINT_BYTES, FINGERPRINT_BYTES);
    if (value === fingerprint) return true;
    // Stryker disable next-line EqualityOperator: equality returned on the line above
    if (value < fingerprint) low = mid + 1;
    else high = mid - 1;
  }
  return false;
};

/** The bundled list; `has` decodes the table on first use (well under 1 ms) and keeps it. */
export const createBreachedList = (): { has: (password: string) => boolean } => {
  let table: Buffer | undefined;
  return { has: (password) => containsFingerprint((table ??= Buffer.from(BREACHED_FINGERPRINTS_BASE64, 'base64')), fingerprintOf(password)) };
};

/** Deferred like the other guessability rules: a password that fails a cheap rule never pays for it. */
export const breachedListRule = (list = createBreachedList()): PolicyRule => ({ id: 'breachedPassword', deferred: true, test: (pw) => !list.has(pw) });
