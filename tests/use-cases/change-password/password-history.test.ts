import { describe, expect, it } from 'vitest';
import { apiEvent, DEFAULT_LIMITS, parseBody, SEED_OLD, useHarness } from '../../support/harness.js';

/** A new password may not match any of the last PASSWORD_HISTORY_SIZE (400 5027). */
const { clock, h } = useHarness();

describe('password history', () => {
  it('refuses each of the last 5 passwords with 400 5027 and accepts the 6th oldest', async () => {
    const { userId, token } = await h.seedUser();
    const passwords = [SEED_OLD, ...Array.from({ length: 6 }, (_, i) => `History-${i}-P@ssw0rd`)];
    for (let i = 1; i < passwords.length; i += 1) {
      clock.advance(1000);
      expect((await h.change(token, passwords[i - 1] ?? '', passwords[i] ?? '')).statusCode).toBe(200);
    }
    const current = passwords.at(-1) ?? '';
    const item = await h.getItem(userId);
    expect(item?.passwordHistory).toHaveLength(5);
    for (const reused of passwords.slice(-6, -1)) {
      const res = await h.change(token, current, reused);
      expect(res.statusCode).toBe(400);
      expect(parseBody(res)).toEqual({ status: false, error: { code: 5027, message: 'New password was used recently; choose another', details: { historySize: 5 } } });
    }
    expect((await h.change(token, current, passwords[0] ?? '')).statusCode).toBe(200);
  });

  it('with PASSWORD_HISTORY_SIZE=0 accepts the password just replaced, keeping only the one hash a lost-answer retry needs', async () => {
    const change = h.invokerWith({ limits: { ...DEFAULT_LIMITS, historySize: 0 } });
    const { userId, token } = await h.seedUser();
    const body = (oldPassword: string, newPassword: string) => apiEvent({ token, body: { oldPassword, newPassword } });

    expect((await change(body(SEED_OLD, 'History-Off-P@ssw0rd'))).statusCode).toBe(200);
    clock.advance(1000);
    expect((await change(body('History-Off-P@ssw0rd', SEED_OLD))).statusCode).toBe(200);

    expect((await h.getItem(userId))?.passwordHistory).toHaveLength(1);
  });
});
