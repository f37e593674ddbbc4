/**
 * The stored hash formats as text, with no hashing: what lib/adapters/bcrypt/password-hash.ts writes and verifies
 * (its doc comment describes them), and what lib/core/password-history.ts groups entries by. Its own
 * module so that the use case's history check reads salts without importing the bcrypt adapter.
 */

/** Marks a hash of a password longer than bcrypt's 72 bytes (HMAC pre-hash, then bcrypt). */
export const LONG_PASSWORD_PREFIX = '$cp1';
/** The bcrypt costs bcryptjs can hash and verify: what BCRYPT_COST may be, and what a stored hash may carry. */
export const BCRYPT_COSTS = { min: 4, max: 31 } as const;
// Costs 04–31 (BCRYPT_COSTS) only: bcryptjs throws on others, and an unverifiable hash must simply not match.
const BCRYPT_HASH = /^\$2[aby]\$(?:0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const withoutPrefix = (stored: string): string => (stored.startsWith(LONG_PASSWORD_PREFIX) ? stored.slice(LONG_PASSWORD_PREFIX.length) : stored);

/** Whether `stored` is a hash format lib/adapters/bcrypt/password-hash.ts `verifyPassword` understands. */
export const isSupportedHash = (stored: string): boolean => BCRYPT_HASH.test(withoutPrefix(stored));

/** The bcrypt salt (`$2x$<cost>$` + 22 characters) of a supported hash of either format, else undefined. */
export const saltOf = (stored: string): string | undefined => (isSupportedHash(stored) ? withoutPrefix(stored).slice(0, 29) : undefined);
