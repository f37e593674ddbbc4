import { createHmac } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { isSupportedHash, LONG_PASSWORD_PREFIX, saltOf } from '../../core/hash-format.js';
import type { PasswordHasher } from '../../core/ports.js';

/**
 * Password hashing. Two formats are written:
 *
 * - A password whose UTF-8 form fits in bcrypt's 72 bytes is stored as a standard bcrypt hash
 *   (`$2b$<cost>$…`) of the password itself, so any bcrypt library verifies it.
 * - A longer password would be silently truncated by bcrypt, so two passwords sharing their first
 *   72 bytes would verify against each other. It is stored as `$cp1` followed by a standard bcrypt
 *   hash of base64(HMAC-SHA-384(key = that bcrypt hash's 29-character salt prefix, message = the
 *   password's UTF-8)). The digest is 64 ASCII bytes, so nothing is truncated, and keying it with
 *   the salt means a leaked unsalted SHA-384 of a password cannot be "shucked" against it.
 *
 * {@link verifyPassword} accepts `$2a$`, `$2b$`, `$2y$` at any cost, and `$cp1$2…`. A standard
 * hash is checked the way every bcrypt implementation checks it, on the password's first 72 bytes:
 * a platform's legacy hash of a longer password only ever covered those, and its owner must still
 * be able to log in and change it (the change then stores `$cp1`). A `$cp1` hash never matches a
 * password that fits in 72 bytes.
 *
 * Unicode: a password is hashed in its NFC form, so composed and decomposed spellings of the same
 * text verify alike. Verification tries the NFC form first and then, if the text was not already
 * NFC, the exact form sent, so hashes set elsewhere from a non-NFC password still verify as stored.
 */
const BCRYPT_MAX_BYTES = 72;

const prehash = (password: string, salt: string): string =>
  createHmac('sha384', salt)
    // Stryker disable next-line StringLiteral: Node reads an empty encoding as its default, UTF-8
    .update(password, 'utf8')
    .digest('base64');

/** True when bcrypt would see the whole of this password. */
// Stryker disable next-line StringLiteral: Node reads an empty encoding as its default, UTF-8
export const fitsBcrypt = (password: string): boolean => Buffer.byteLength(password, 'utf8') <= BCRYPT_MAX_BYTES;

/**
 * Hashes a password under a given bcrypt salt (`$2b$<cost>$` + 22 characters) in the format
 * described above: one bcrypt operation. Deterministic, so a hash made with the salt of a stored
 * hash can be compared with that hash as a string (lib/core/password-history.ts).
 */
export const hashPasswordWithSalt = async (raw: string, salt: string): Promise<string> => {
  const password = raw.normalize('NFC');
  if (fitsBcrypt(password)) return bcrypt.hash(password, salt);
  return LONG_PASSWORD_PREFIX + (await bcrypt.hash(prehash(password, salt), salt));
};

/** Hashes a password at the given bcrypt cost, under a new random salt, in the format described above. */
export const hashPassword = async (raw: string, cost: number): Promise<string> => hashPasswordWithSalt(raw, await bcrypt.genSalt(cost));

/**
 * The salt for a user's next hash: the salt of their current hash when this function wrote it
 * (`$2b$`, either format) at `cost`, so that one bcrypt of a candidate compares against every
 * hash of theirs that shares it (lib/core/password-history.ts); else a new one, at `cost`.
 */
export const saltForNextHash = async (current: string | undefined, cost: number): Promise<string> => {
  const salt = current === undefined ? undefined : saltOf(current);
  return salt?.startsWith(`$2b$${String(cost).padStart(2, '0')}$`) ? salt : bcrypt.genSalt(cost);
};

/**
 * Checks a password against a stored hash of either format. Exported for the platform's login
 * service, which must verify passwords this function stores. Unknown formats never match.
 */
export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  if (!isSupportedHash(stored)) return false;
  const nfc = password.normalize('NFC');
  return (await verifyExactly(nfc, stored)) || (nfc !== password && verifyExactly(password, stored));
};

const verifyExactly = async (password: string, stored: string): Promise<boolean> => {
  if (stored.startsWith(LONG_PASSWORD_PREFIX)) {
    const inner = stored.slice(LONG_PASSWORD_PREFIX.length);
    // A long-format hash is only ever written for a password longer than 72 bytes.
    if (fitsBcrypt(password)) return false;
    return bcrypt.compare(prehash(password, inner.slice(0, 29)), inner);
  }
  // bcrypt reads the first 72 bytes; hashes of longer passwords written elsewhere covered only those.
  return bcrypt.compare(password, stored);
};

/** The hasher port in bcrypt: new hashes at `cost` (BCRYPT_COST), every supported format verified. */
export const createBcryptHasher = (cost: number): PasswordHasher => ({
  hashWithSalt: hashPasswordWithSalt,
  saltFor: (current) => saltForNextHash(current, cost),
  verify: verifyPassword,
});
