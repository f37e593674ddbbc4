import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { errorCode, parseBody, SEED_NEW, SEED_OLD, TEST_COST, useHarness } from '../../support/harness.js';

/** Passwords are hashed as NFC; legacy non-NFC hashes still verify; unusable characters are refused. */
const { clock, h } = useHarness();

describe('Unicode', () => {
  const composed = 'Caf\u00e9-Cr\u00e8me-42!';
  const decomposed = composed.normalize('NFD');

  it('verifies a password set in decomposed form when it is sent composed, and the reverse', async () => {
    expect(decomposed).not.toBe(composed);
    const other = 'R\u00e9sum\u00e9-No\u00ebl-77!';
    const { token } = await h.seedUser();
    expect((await h.change(token, SEED_OLD, decomposed)).statusCode).toBe(200);
    clock.advance(1000);
    expect((await h.change(token, composed, other)).statusCode).toBe(200);
    clock.advance(1000);
    expect((await h.change(token, other.normalize('NFD'), SEED_NEW)).statusCode).toBe(200);
  });

  it('treats composed and decomposed spellings as the same password (5024)', async () => {
    const { token } = await h.seedUser({}, composed);
    expect(errorCode(await h.change(token, composed, decomposed))).toBe(5024);
  });

  it('still verifies a legacy hash of a non-NFC password exactly as stored', async () => {
    const { userId, token } = await h.seedUser();
    await h.setAttributes(userId, { passwordHash: bcrypt.hashSync(decomposed, TEST_COST) });
    expect((await h.change(token, decomposed, SEED_NEW)).statusCode).toBe(200);
  });

  it.each([
    ['a lone surrogate', 'Abc-\ud800-123!'],
    ['a NUL character', 'Abc-\u0000-123!'],
    ['a newline', 'Abc-\n-123!'],
  ])('refuses %s with 400 1002 invalidCharacters', async (_name, newPassword) => {
    const { token } = await h.seedUser();
    const res = await h.change(token, SEED_OLD, newPassword);
    expect(res.statusCode).toBe(400);
    expect(parseBody(res)).toMatchObject({ error: { code: 1002, details: { fieldErrors: ['newPassword:invalidCharacters'] } } });
  });
});
