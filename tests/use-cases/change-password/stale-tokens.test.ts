import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { mintToken } from '../../../scripts/local/dev-token.js';
import { SEED_NEW, SEED_OLD, useHarness } from '../../support/harness.js';
import { claims, DEV_SECRET_KEY, signToken } from '../../support/tokens.js';

/** Tokens issued before the user's last password change stop working (401 4001). */
const { clock, h } = useHarness();

describe('tokens issued before the last change', () => {
  it('refuses a token without iat once a change is recorded, and accepts it before any change', async () => {
    const never = await h.seedUser();
    const changed = await h.seedUser();
    await h.setAttributes(changed.userId, { passwordChangedAt: new Date((clock.seconds() - 60) * 1000).toISOString() });
    const noIat = async (sub: string) => signToken(claims(sub, { iat: undefined }), DEV_SECRET_KEY, 'HS256');

    const stale = await h.change(await noIat(changed.userId), SEED_OLD, SEED_NEW);
    const fresh = await h.change(await noIat(never.userId), SEED_OLD, SEED_NEW);

    expect(stale.body).toBe('{"status":false,"error":{"code":4001,"message":"Unauthorized"}}');
    expect(fresh.statusCode).toBe(200);
  });

  it('refuses a token older than passwordChangedAt with 401 4001, and accepts one issued since', async () => {
    const { userId } = await h.seedUser();
    const changedAt = clock.seconds() - 60;
    await h.setAttributes(userId, { passwordChangedAt: new Date(changedAt * 1000).toISOString() });
    const older = await mintToken(userId, { issuedAt: changedAt - 1 });
    const sameSecond = await mintToken(userId, { issuedAt: changedAt });
    const res = await h.change(older, SEED_OLD, SEED_NEW);
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('{"status":false,"error":{"code":4001,"message":"Unauthorized"}}');
    expect((await h.change(sameSecond, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });

  it('makes the token that changed the password unable to change it back', async () => {
    clock.reset(0);
    // A token from two seconds ago, as a thief's stolen one would be.
    const { userId } = await h.seedUser();
    const stolen = await mintToken(userId, { issuedAt: clock.seconds() - 2 });
    expect((await h.change(stolen, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const back = await h.change(stolen, SEED_NEW, 'Thief-Ch0ice-P@ss');
    expect(back.statusCode).toBe(401);
    expect(await verifyPassword(SEED_NEW, (await h.getItem(userId))?.passwordHash as string)).toBe(true);
  });
});
