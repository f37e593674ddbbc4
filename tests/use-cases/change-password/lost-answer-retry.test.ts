import { describe, expect, it } from 'vitest';
import { mintToken } from '../../../scripts/local/dev-token.js';
import { apiEvent, DEFAULT_LIMITS, errorCode, SEED_NEW, SEED_OLD, useHarness, withoutCounter } from '../../support/harness.js';

/**
 * A retry of a change whose answer was lost (REPLAY_WINDOW_SECONDS): the same change again
 * answers the original 200 without writing or counting; anything else is a failed attempt.
 */
const { clock, h } = useHarness();

describe('a retry of a change whose answer was lost', () => {
  it('answers the original 200 without counting a failure or writing', async () => {
    clock.reset(0);
    const { userId } = await h.seedUser();
    const token = await mintToken(userId, { issuedAt: clock.seconds() - 1 });
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const after = await h.getItem(userId);
    const retry = await h.change(token, SEED_OLD, SEED_NEW);
    expect(retry.statusCode).toBe(200);
    expect(retry.body).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
    const again = await h.getItem(userId);
    expect(again?.passwordHash).toBe(after?.passwordHash);
    expect(again?.passwordChangedAt).toBe(after?.passwordChangedAt);
    expect(again?.oldPasswordAttempts ?? 0).toBe(0);
  });

  it('counts a retry whose passwords do not match as the failed attempt it is', async () => {
    const { userId, token } = await h.seedUser();
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    expect(errorCode(await h.change(token, 'Not-The-Old-1!', SEED_NEW))).toBe(5023);
    expect(errorCode(await h.change(token, SEED_OLD, 'Not-The-New-1!'))).toBe(5023);
    expect((await h.getItem(userId))?.oldPasswordAttempts).toBe(2);
  });

  it('answers a retry with a token newer than the change 200 too, up to the last millisecond of the window', async () => {
    const { userId, token } = await h.seedUser();
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const after = await h.getItem(userId);
    clock.advance(1_000);
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    clock.advance(299_000);
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const again = await h.getItem(userId);
    expect(withoutCounter(again)).toEqual(after);
    expect(again?.oldPasswordAttempts).toBe(0);
  });

  it('does not answer a retry 200 when the change is stamped later than now (a clock that went back)', async () => {
    const { token } = await h.seedUser();
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    clock.advance(-1_000);
    expect(errorCode(await h.change(token, SEED_OLD, SEED_NEW))).toBe(5023);
  });

  it('stops answering 200 once the 5-minute replay window has passed', async () => {
    const { token } = await h.seedUser();
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    clock.advance(301_000);
    expect(errorCode(await h.change(token, SEED_OLD, SEED_NEW))).toBe(5023);
  });

  it('with REPLAY_WINDOW_SECONDS=0 answers a retry as the stale-token refusal it then is', async () => {
    clock.reset(0);
    const change = h.invokerWith({ limits: { ...DEFAULT_LIMITS, replayWindowSeconds: 0 } });
    const { userId } = await h.seedUser();
    const token = await mintToken(userId, { issuedAt: clock.seconds() - 1 });
    const event = apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } });
    expect((await change(event)).statusCode).toBe(200);

    clock.advance(1000);
    const retry = await change(event);

    expect(retry.body).toBe('{"status":false,"error":{"code":4001,"message":"Unauthorized"}}');
  });
});
