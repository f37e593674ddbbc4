import { describe, expect, it } from 'vitest';
import { SEED_NEW, SEED_OLD, useHarness } from '../../support/harness.js';
import { claims, DEV_SECRET_KEY, signToken } from '../../support/tokens.js';

/**
 * The changing session's exception: a change made with a token carrying the OIDC `sid` records it
 * (passwordChangedBySession), and that session's tokens issued before the change stay valid here,
 * as at the token authorizer; every other older token is refused (401 4001). Without `sid`,
 * tests/use-cases/change-password/stale-tokens.test.ts holds, unchanged.
 */
const { clock, h } = useHarness();

const THIRD = 'Third-Secure-P@ss9';
const token = (sub: string, iat: number, sid?: string) => signToken(claims(sub, { iat, sid }), DEV_SECRET_KEY, 'HS256');

describe('a change made with a sid token', () => {
  it('records the sid, keeps that session’s older tokens valid and refuses other sessions’ and sid-less ones', async () => {
    const { userId } = await h.seedUser();
    const issued = clock.seconds() - 60;
    const mine = await token(userId, issued, 'sid-mine');
    const mineEarlier = await token(userId, issued - 30, 'sid-mine');
    const theirs = await token(userId, issued, 'sid-theirs');
    const noSid = await token(userId, issued);

    expect((await h.change(mine, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    expect((await h.getItem(userId))?.passwordChangedBySession).toBe('sid-mine');

    for (const other of [theirs, noSid]) {
      const refused = await h.change(other, SEED_NEW, THIRD);
      expect(refused.body).toBe('{"status":false,"error":{"code":4001,"message":"Unauthorized"}}');
    }
    clock.advance(1000);
    expect((await h.change(mineEarlier, SEED_NEW, THIRD)).statusCode).toBe(200);
  });

  it('removes the recorded sid on a later change without one, so the earlier session loses its exception', async () => {
    const { userId } = await h.seedUser();
    const issued = clock.seconds() - 60;
    const withSid = await token(userId, issued, 'sid-first');
    expect((await h.change(withSid, SEED_OLD, SEED_NEW)).statusCode).toBe(200);

    clock.advance(2000);
    const fresh = await token(userId, clock.seconds(), undefined);
    expect((await h.change(fresh, SEED_NEW, THIRD)).statusCode).toBe(200);
    expect(await h.getItem(userId)).not.toHaveProperty('passwordChangedBySession');

    const refused = await h.change(withSid, THIRD, 'Fourth-Secure-P@ss8');
    expect(refused.statusCode).toBe(401);
  });

  it('answers a lost-answer retry from the changing session as the change itself (200), not as a wrong old password', async () => {
    const { userId } = await h.seedUser();
    const mine = await token(userId, clock.seconds() - 60, 'sid-retry');
    expect((await h.change(mine, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const stored = await h.getItem(userId);

    expect((await h.change(mine, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    expect((await h.getItem(userId))?.passwordHash).toBe(stored?.passwordHash);
  });
});
