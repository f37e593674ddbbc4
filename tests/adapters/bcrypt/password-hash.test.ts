import { createHmac } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { describe, expect, it, vi } from 'vitest';
import { createBcryptHasher, hashPassword, saltForNextHash, verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { isSupportedHash, LONG_PASSWORD_PREFIX } from '../../../lib/core/hash-format.js';

const COST = 4;
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** 72 ASCII bytes: exactly what bcrypt reads. */
const ASCII_72 = 'Aa1!'.repeat(18);
/** 24 × "€" (3 bytes each) = 72 UTF-8 bytes in 24 characters. */
const EURO_72 = '€'.repeat(24);

describe('hashPassword', () => {
  it('writes a standard $2b$ hash at the requested cost that plain bcryptjs verifies', async () => {
    // Arrange
    const password = 'NewSecureP@ssw0rd!';

    // Act
    const hash = await hashPassword(password, COST);

    // Assert
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(await bcrypt.compare(password, hash)).toBe(true);
    expect(await verifyPassword(password, hash)).toBe(true);
  });

  it('salts every hash: the same password hashes differently twice', async () => {
    // Act
    const [first, second] = await Promise.all([hashPassword('same-password', COST), hashPassword('same-password', COST)]);

    // Assert
    expect(first).not.toBe(second);
  });

  it('keeps the standard format for exactly 72 ASCII bytes', async () => {
    // Arrange
    expect(bytes(ASCII_72)).toBe(72);

    // Act
    const hash = await hashPassword(ASCII_72, COST);

    // Assert
    expect(hash.startsWith('$2b$04$')).toBe(true);
    expect(await bcrypt.compare(ASCII_72, hash)).toBe(true);
    expect(await verifyPassword(ASCII_72, hash)).toBe(true);
  });

  it('switches to the $cp1$2b$ long format at 73 ASCII bytes', async () => {
    // Arrange
    const password = ASCII_72 + 'x';

    // Act
    const hash = await hashPassword(password, COST);

    // Assert
    expect(hash).toMatch(/^\$cp1\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(await verifyPassword(password, hash)).toBe(true);
  });

  it('measures the boundary in UTF-8 bytes: 24 × "€" (72 bytes) is standard', async () => {
    // Arrange
    expect(bytes(EURO_72)).toBe(72);

    // Act
    const hash = await hashPassword(EURO_72, COST);

    // Assert
    expect(hash.startsWith('$2b$04$')).toBe(true);
    expect(await bcrypt.compare(EURO_72, hash)).toBe(true);
    expect(await verifyPassword(EURO_72, hash)).toBe(true);
  });

  it('measures the boundary in UTF-8 bytes: 25 × "€" (75 bytes, 25 characters) is long format', async () => {
    // Arrange
    const password = '€'.repeat(25);

    // Act
    const hash = await hashPassword(password, COST);

    // Assert
    expect(hash.startsWith(`${LONG_PASSWORD_PREFIX}$2b$04$`)).toBe(true);
    expect(await verifyPassword(password, hash)).toBe(true);
  });
});

describe('verifyPassword never lets bcrypt truncation match two different passwords', () => {
  it('refuses, both ways, two long passwords that share their first 72 bytes', async () => {
    // Arrange
    const a = ASCII_72 + 'first-tail';
    const b = ASCII_72 + 'second-tail';
    const [hashA, hashB] = await Promise.all([hashPassword(a, COST), hashPassword(b, COST)]);

    // Act / Assert
    expect(await verifyPassword(a, hashB)).toBe(false);
    expect(await verifyPassword(b, hashA)).toBe(false);
    expect(await verifyPassword(a, hashA)).toBe(true);
    expect(await verifyPassword(b, hashB)).toBe(true);
  });

  it('refuses a 72-byte password against the long-format hash of its 73+-byte extension', async () => {
    // Arrange (the other way round, a standard hash reads 72 bytes: tests/adapters/bcrypt/legacy-long-hash.test.ts)
    const short = ASCII_72;
    const long = ASCII_72 + 'extra';
    const longHash = await hashPassword(long, COST);

    // Act / Assert
    expect(await verifyPassword(short, longHash)).toBe(false);
  });

  it('refuses multibyte passwords that share their first 72 bytes', async () => {
    // Arrange
    const a = EURO_72 + 'a';
    const b = EURO_72 + 'b';
    const [hashA, hashB] = await Promise.all([hashPassword(a, COST), hashPassword(b, COST)]);

    // Act / Assert
    expect(await verifyPassword(a, hashB)).toBe(false);
    expect(await verifyPassword(b, hashA)).toBe(false);
  });

  it('refuses a standard hash relabelled as long format', async () => {
    // Arrange
    const password = 'NewSecureP@ssw0rd!';
    const stored = LONG_PASSWORD_PREFIX + (await bcrypt.hash(password, COST));

    // Act / Assert
    expect(await verifyPassword(password, stored)).toBe(false);
  });

  it('refuses a long-format hash of a password that fits bcrypt (a format hashPassword never writes)', async () => {
    // Arrange: build the $cp1 construction by hand for a short password
    const password = 'NewSecureP@ssw0rd!';
    const salt = await bcrypt.genSalt(COST);
    const prehash = createHmac('sha384', salt).update(password, 'utf8').digest('base64');
    const stored = LONG_PASSWORD_PREFIX + (await bcrypt.hash(prehash, salt));

    // Act / Assert
    expect(isSupportedHash(stored)).toBe(true);
    expect(await verifyPassword(password, stored)).toBe(false);
  });

  it('refuses the wrong password against both formats', async () => {
    // Arrange
    const [standard, long] = await Promise.all([hashPassword('right-password', COST), hashPassword('r'.repeat(80), COST)]);

    // Act / Assert
    expect(await verifyPassword('wrong-password', standard)).toBe(false);
    expect(await verifyPassword('w'.repeat(80), long)).toBe(false);
  });
});

describe('verifyPassword with hashes written elsewhere', () => {
  it('accepts a $2a$ hash (OpenBSD test vector)', async () => {
    // Act / Assert
    expect(await verifyPassword('U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')).toBe(true);
    expect(await verifyPassword('U*V', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')).toBe(false);
  });

  it('accepts a $2y$ hash (PHP password_hash documentation example, cost 10)', async () => {
    // Act / Assert
    expect(await verifyPassword('rasmuslerdorf', '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a')).toBe(true);
    expect(await verifyPassword('rasmuslerdorF', '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a')).toBe(false);
  });

  it.each(['$2a$', '$2y$'])('accepts a bcryptjs hash relabelled with the %s prefix', async (prefix) => {
    // Arrange
    const stored = prefix + (await bcrypt.hash('legacy-password', COST)).slice(4);

    // Act / Assert
    expect(await verifyPassword('legacy-password', stored)).toBe(true);
  });

  it('accepts a cost other than the one the service writes with', async () => {
    // Arrange
    const [cost5, cost6] = await Promise.all([hashPassword('other-cost', 5), bcrypt.hash('other-cost', 6)]);

    // Act / Assert
    expect(cost5.startsWith('$2b$05$')).toBe(true);
    expect(await verifyPassword('other-cost', cost5)).toBe(true);
    expect(await verifyPassword('other-cost', cost6)).toBe(true);
  });
});

describe('unknown hash formats', () => {
  const garbage = [
    '',
    'plaintext-password',
    '$2b$04$tooshort',
    `$2x$04$${'a'.repeat(53)}`,
    `$2b$4$${'a'.repeat(54)}`,
    `$2b$04$${'a'.repeat(52)}!`,
    `$2b$04$${'a'.repeat(54)}`,
    `$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$${'a'.repeat(43)}`,
    '$cp1$garbage',
    `$cp1$cp1$2b$04$${'a'.repeat(53)}`,
    ` $2b$04$${'a'.repeat(53)}`,
  ];

  it.each(garbage)('verifyPassword resolves false without throwing for %j', async (stored) => {
    // Act / Assert
    await expect(verifyPassword('NewSecureP@ssw0rd!', stored)).resolves.toBe(false);
  });

  it.each(garbage)('isSupportedHash is false for %j', (stored) => {
    // Act / Assert
    expect(isSupportedHash(stored)).toBe(false);
  });

  // bcryptjs throws on costs outside 04-31; such a stored hash must be "no match", not a 500.
  it.each([
    ['short-password', `$2b$03$${'a'.repeat(53)}`],
    ['short-password', `$2b$99$${'a'.repeat(53)}`],
    ['l'.repeat(80), `$cp1$2b$32$${'a'.repeat(53)}`],
  ])('verifyPassword resolves false without throwing for %j against an out-of-range cost %j', async (password, stored) => {
    // Act / Assert
    await expect(verifyPassword(password, stored)).resolves.toBe(false);
  });

  it.each([`$2b$03$${'a'.repeat(53)}`, `$2b$99$${'a'.repeat(53)}`])('isSupportedHash is false for an out-of-range cost %j', (stored) => {
    // Act / Assert
    expect(isSupportedHash(stored)).toBe(false);
  });
});

describe('isSupportedHash', () => {
  it('recognises both formats hashPassword writes', async () => {
    // Arrange
    const [standard, long] = await Promise.all([hashPassword('short-enough', COST), hashPassword('l'.repeat(100), COST)]);

    // Act / Assert
    expect(isSupportedHash(standard)).toBe(true);
    expect(isSupportedHash(long)).toBe(true);
  });

  it.each(['$2a$', '$2b$', '$2y$'])('recognises the %s prefix at costs 05 and 12', (prefix) => {
    // Arrange
    const tail = 'CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';

    // Act / Assert
    expect(isSupportedHash(`${prefix}05$${tail}`)).toBe(true);
    expect(isSupportedHash(`${prefix}12$${tail}`)).toBe(true);
  });
});

describe('the $cp1 long-password format: known answers', () => {
  // Fixed vectors (password, stored hash). The platform's login service verifies these hashes, so
  // a change to the construction must fail here, not in production: never regenerate them.
  const VECTORS: [string, string][] = [
    ['correct horse battery staple correct horse battery staple correct horse battery staple', '$cp1$2b$04$Xq3ZgW1yTn8cP0dR5vK2aOb0OnCbPN.rrpzAtHTXsNCGodC2cqSKm'],
    ['Pässwörter-sind-manchmal-sehr-lang-und-das-ist-gut-so-Pässwörter-sind-manchmal-sehr-lang-und-das-ist-gut-so-', '$cp1$2b$04$1LmN0pQr2StUvWxYz3AbCeeaWAtZKGYWyJN9lxMYqFwe.pv6sHvjO'],
    ['€'.repeat(25), '$cp1$2b$10$abcdefghijklmnopqrstuuXKb59Yg34FePUrv0s84yuQJNZt45DO2'],
  ];

  it.each(VECTORS)('verifies %s against its stored hash, and not the password one character shorter', async (password, stored) => {
    expect(Buffer.byteLength(password)).toBeGreaterThan(72);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword(password.slice(0, -1), stored)).toBe(false);
  });

  it.each(VECTORS)('stores %s as documented: $cp1 + bcrypt(base64(HMAC-SHA-384(key = salt prefix, password)))', (password, stored) => {
    const salt = stored.slice('$cp1'.length, '$cp1'.length + 29);
    const digest = createHmac('sha384', salt).update(password, 'utf8').digest('base64');
    expect(`$cp1${bcrypt.hashSync(digest, salt)}`).toBe(stored);
  });
});

describe('verifyPassword and Unicode normalisation', () => {
  const composed = 'Caf\u00e9-Cr\u00e8me-42!';
  const decomposed = composed.normalize('NFD');
  const wrongDecomposed = 'R\u00e9sum\u00e9-No\u00ebl-77!'.normalize('NFD');

  /** bcrypt comparisons made while `run` runs. */
  const comparisons = async (run: () => Promise<unknown>): Promise<number> => {
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      await run();
      return compare.mock.calls.length;
    } finally {
      compare.mockRestore();
    }
  };

  it('refuses a wrong password sent in a non-NFC spelling, against either kind of stored hash', async () => {
    // Arrange
    expect(wrongDecomposed).not.toBe(wrongDecomposed.normalize('NFC'));
    const [nfcHash, legacyHash] = await Promise.all([hashPassword(composed, COST), bcrypt.hash(decomposed, COST)]);

    // Act / Assert
    expect(await verifyPassword(wrongDecomposed, nfcHash)).toBe(false);
    expect(await verifyPassword(wrongDecomposed, legacyHash)).toBe(false);
  });

  it('verifies a hash written elsewhere from the non-NFC text only with that text as sent', async () => {
    // Arrange: bcrypt of the decomposed bytes, which the NFC form does not match
    const legacyHash = await bcrypt.hash(decomposed, COST);

    // Act / Assert
    expect(await verifyPassword(decomposed, legacyHash)).toBe(true);
    expect(await verifyPassword(composed, legacyHash)).toBe(false);
  });

  it('hashes the NFC form, so both spellings verify against what it writes', async () => {
    // Act
    const stored = await hashPassword(decomposed, COST);

    // Assert
    expect(await bcrypt.compare(composed, stored)).toBe(true);
    expect(await verifyPassword(composed, stored)).toBe(true);
    expect(await verifyPassword(decomposed, stored)).toBe(true);
  });

  it('spends one bcrypt comparison on a wrong password already in NFC, and two only on one that is not', async () => {
    // Arrange
    const stored = await hashPassword(composed, COST);

    // Act / Assert
    expect(await comparisons(() => verifyPassword('Wrong-P@ssw0rd-1', stored))).toBe(1);
    expect(await comparisons(() => verifyPassword(wrongDecomposed, stored))).toBe(2);
    expect(await comparisons(() => verifyPassword(composed, stored))).toBe(1);
  });
});

describe('the salt of the next hash', () => {
  it('reuses the salt of a current $2b$ hash at the configured cost, of either format', async () => {
    // Arrange
    const [standard, long] = await Promise.all([hashPassword('short-enough', COST), hashPassword('l'.repeat(100), COST)]);

    // Act / Assert
    expect(await saltForNextHash(standard, COST)).toBe(standard.slice(0, 29));
    expect(await saltForNextHash(long, COST)).toBe(long.slice(LONG_PASSWORD_PREFIX.length, LONG_PASSWORD_PREFIX.length + 29));
    expect(await createBcryptHasher(COST).saltFor(standard)).toBe(standard.slice(0, 29));
  });

  it.each([
    ['no current hash', () => Promise.resolve(undefined)],
    ['a hash at another cost', () => hashPassword('short-enough', 5)],
    ['a $2a$ hash', async () => `$2a$${(await hashPassword('short-enough', COST)).slice(4)}`],
    ['a $2y$ hash', async () => `$2y$${(await hashPassword('short-enough', COST)).slice(4)}`],
    ['an unsupported hash', () => Promise.resolve('plaintext-password')],
  ])('draws a new $2b$ salt at the configured cost for %s', async (_case, current) => {
    // Arrange
    const stored = await current();

    // Act
    const salts = await Promise.all([saltForNextHash(stored, COST), saltForNextHash(stored, COST)]);

    // Assert: new and random, at the configured cost, never the current hash's
    for (const salt of salts) {
      expect(salt).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{22}$/);
      expect(stored?.includes(salt.slice(7)) ?? false).toBe(false);
    }
    expect(salts[0]).not.toBe(salts[1]);
  });

  it('reads the cost of a two-digit salt too', async () => {
    // Arrange: a well-formed cost-10 hash as text (no hashing needed to read its salt)
    const cost10 = `$2b$10$${'a'.repeat(53)}`;

    // Act / Assert
    expect(await saltForNextHash(cost10, 10)).toBe(cost10.slice(0, 29));
  });
});
