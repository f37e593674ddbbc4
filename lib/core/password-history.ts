import { timingSafeEqual } from 'node:crypto';
import { saltOf } from './hash-format.js';
import type { PasswordHasher } from './ports.js';

/**
 * Password history at constant cost (docs/decisions/history-hashing.md).
 *
 * The history is the list of a user's previous password hashes, newest first, in the formats of
 * lib/core/hash-format.ts. A change hashes the new password under the salt of the hash it replaces
 * (the hasher's `saltFor`), so a user's hashes written by this function share ONE salt. Checking a candidate then costs one bcrypt per
 * distinct salt among the entries, not one per entry: the candidate hashed under the shared salt
 * is compared by string with every entry that has it. That hash is also the new password's hash,
 * so in steady state a change costs the floor: the old-password compare and this one hash.
 *
 * Entries with a salt of their own (written by an older version, or by another service's reset)
 * are verified one by one until they age out, so no recent password escapes the check meanwhile.
 */
export type HistoryDeps = Pick<PasswordHasher, 'hashWithSalt' | 'verify'>;

/** Hashes of one password by salt, computed once: the one under the user's salt becomes their new hash. */
export type HashesBySalt = Map<string, string>;

const sameString = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Whether `password` matches one of `entries`. Entries sharing a salt (or having `salt`, the
 * salt the new hash will use) cost one bcrypt together: the password is hashed under it once and
 * compared, in constant time, with each of them; an entry alone with its salt is verified on its
 * own (legacy formats, non-NFC text). Stops at the first match; every hash computed is left
 * in `hashes`.
 */
export const isRecentPassword = async (deps: HistoryDeps, password: string, entries: readonly string[], salt: string, hashes: HashesBySalt): Promise<boolean> => {
  // Stryker disable next-line ArrayDeclaration: seeding only puts the new salt's group first; any match gives the same answer
  const bySalt = new Map<string, string[]>([[salt, []]]);
  for (const entry of entries) {
    const own = saltOf(entry);
    // An entry of no supported format never matches (verifyPassword says the same).
    if (own !== undefined) bySalt.set(own, [...(bySalt.get(own) ?? []), entry]);
  }
  for (const [shared, group] of bySalt) {
    if (group.length === 0) continue;
    if (group.length === 1 && shared !== salt) {
      // Stryker disable next-line StringLiteral: a group of one always has its entry
      if (await deps.verify(password, group[0] ?? '')) return true;
      continue;
    }
    const hash = hashes.get(shared) ?? (await deps.hashWithSalt(password, shared));
    hashes.set(shared, hash);
    // Every entry of the group is compared, so the time does not tell which one matched.
    if (group.map((entry) => sameString(entry, hash)).includes(true)) return true;
  }
  return false;
};
