import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LONG_PASSWORD_PREFIX } from '../../../lib/core/hash-format.js';
import { verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { apiEvent, startHarness, type Harness } from '../../support/harness.js';

/** A platform user whose password, over 72 bytes, was hashed years ago as standard bcrypt by other code. */
const LEGACY_PASSWORD = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored';
/** libxcrypt's hash of it (the OpenBSD test vector): only its first 72 bytes count. */
const LEGACY_HASH = '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui';
const NEW_LONG_PASSWORD = 'Correct-Horse-Battery-Staple-42 and a long tail that goes well past bcrypt limit: 73+ bytes';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

describe('changing a long password whose legacy hash is standard bcrypt', () => {
  it('answers 200 and stores the new long password in the $cp1 format, which covers every byte', async () => {
    const { userId, token } = await h.seedUser();
    await h.setAttributes(userId, { passwordHash: LEGACY_HASH });
    const res = await h.invoke(apiEvent({ token, body: { oldPassword: LEGACY_PASSWORD, newPassword: NEW_LONG_PASSWORD } }));
    expect(res.statusCode).toBe(200);
    const item = await h.getItem(userId);
    const stored = item?.passwordHash as string;
    expect(stored.startsWith(`${LONG_PASSWORD_PREFIX}$2b$04$`)).toBe(true);
    expect(await verifyPassword(NEW_LONG_PASSWORD, stored)).toBe(true);
    expect(await verifyPassword(`${NEW_LONG_PASSWORD.slice(0, 72)}another tail`, stored)).toBe(false);
    expect(item?.passwordHistory).toEqual([LEGACY_HASH]);
  });

  it('still answers 400 5023 for a password that differs within the first 72 bytes', async () => {
    const { userId, token } = await h.seedUser();
    await h.setAttributes(userId, { passwordHash: LEGACY_HASH });
    const res = await h.invoke(apiEvent({ token, body: { oldPassword: `X${LEGACY_PASSWORD.slice(1)}`, newPassword: NEW_LONG_PASSWORD } }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('{"status":false,"error":{"code":5023,"message":"Incorrect old password"}}');
    expect((await h.getItem(userId))?.passwordHash).toBe(LEGACY_HASH);
  });
});
