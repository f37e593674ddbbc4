import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { LONG_PASSWORD_PREFIX } from '../../../lib/core/hash-format.js';

/**
 * Standard bcrypt hashes of passwords longer than 72 bytes, written by other code: they only ever
 * covered the first 72 bytes, and verify the way every bcrypt implementation verifies them.
 * Vectors computed with libxcrypt (the C bcrypt behind crypt(3)), not with bcryptjs.
 */
const OPENBSD_LONG = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored';
const OPENBSD_LONG_HASH = '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui';
/** 30 × "€" = 90 UTF-8 bytes; bcrypt reads the first 24. */
const EURO_90 = '€'.repeat(30);
const EURO_90_HASH = '$2b$04$abcdefghijklmnopqrstuuLMnfsIcwrd9XOzJ8Re069XuK/iLtljS';
/** "a" + 30 × "€": byte 72 falls inside a "€", which bcrypt cuts as bytes. */
const CUT_MID_CHARACTER = `a${'€'.repeat(30)}`;
const CUT_MID_CHARACTER_HASH = '$2b$04$abcdefghijklmnopqrstuujp5JQpJgOEIQ/skao5041cEchUVGJ/W';

describe('verifyPassword with a legacy standard hash of a password over 72 bytes', () => {
  it.each([
    ['98 ASCII bytes ($2a$)', OPENBSD_LONG, OPENBSD_LONG_HASH],
    ['90 bytes of "€" ($2b$)', EURO_90, EURO_90_HASH],
    ['73+ bytes cut inside a character', CUT_MID_CHARACTER, CUT_MID_CHARACTER_HASH],
  ])('accepts the password it was written for: %s', async (_case, password, stored) => {
    expect(await verifyPassword(password, stored)).toBe(true);
  });

  it('compares the first 72 bytes, as the writer did: anything after them is not part of the hash', async () => {
    expect(await verifyPassword(`${OPENBSD_LONG.slice(0, 72)}something else`, OPENBSD_LONG_HASH)).toBe(true);
    expect(await verifyPassword(OPENBSD_LONG.slice(0, 72), OPENBSD_LONG_HASH)).toBe(true);
  });

  it('refuses a password that differs within the first 72 bytes', async () => {
    expect(await verifyPassword(`X${OPENBSD_LONG.slice(1)}`, OPENBSD_LONG_HASH)).toBe(false);
    expect(await verifyPassword(`${'€'.repeat(23)}e${'€'.repeat(6)}`, EURO_90_HASH)).toBe(false);
  });
});

describe('what this service writes is unchanged', () => {
  it('hashes a password over 72 bytes in the $cp1 format, which a 72-byte prefix never matches', async () => {
    const stored = await hashPassword(OPENBSD_LONG, 4);
    expect(stored.startsWith(`${LONG_PASSWORD_PREFIX}$2b$04$`)).toBe(true);
    expect(await verifyPassword(OPENBSD_LONG, stored)).toBe(true);
    expect(await verifyPassword(OPENBSD_LONG.slice(0, 72), stored)).toBe(false);
    expect(await verifyPassword(`${OPENBSD_LONG.slice(0, 72)}other tail`, stored)).toBe(false);
  });

  it('keeps the standard format for a password that fits, which plain bcrypt verifies', async () => {
    const stored = await hashPassword(OPENBSD_LONG.slice(0, 72), 4);
    expect(stored.startsWith('$2b$04$')).toBe(true);
    expect(await bcrypt.compare(OPENBSD_LONG.slice(0, 72), stored)).toBe(true);
  });
});
