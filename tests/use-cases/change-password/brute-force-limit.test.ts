import { afterEach, describe, expect, it } from 'vitest';
import { createBcryptHasher, verifyPassword } from '../../../lib/adapters/bcrypt/password-hash.js';
import { errorCode, parseBody, SEED_NEW, SEED_OLD, TEST_COST, useHarness } from '../../support/harness.js';
import { LAYOUTS } from '../../support/layouts.js';

/**
 * The brute-force limit on the old password (LOCKOUT_MAX_ATTEMPTS per LOCKOUT_WINDOW_SECONDS),
 * through the real handler and dynalite. The clock is frozen an hour back, so tokens minted now
 * are newer than any change it stamps; each test starts from there.
 */
/** bcrypt verifications the handler ran: the limit must hold before bcrypt. */
let verifications = 0;

// On each table layout; on the single-table one, the user's neighbouring items must stay as seeded.
describe.each(LAYOUTS)('brute-force limit on the old password on the $name layout', (layout) => {
  const { clock, h } = useHarness({
    hasher: {
      ...createBcryptHasher(TEST_COST),
      verify: (password, stored) => {
        verifications += 1;
        return verifyPassword(password, stored);
      },
    },
  }, { layout });
  afterEach(async () => {
    expect(await h.changedNeighbours()).toEqual([]);
  });

  it('answers 429 5029 with Retry-After after 5 wrong old passwords, even for the right one, without bcrypt', async () => {
    const { userId, token } = await h.seedUser();
    for (let i = 0; i < 5; i += 1) expect(errorCode(await h.change(token, `Wrong-P@ss-${i}`, SEED_NEW))).toBe(5023);
    verifications = 0;
    const locked = await h.change(token, SEED_OLD, SEED_NEW);
    expect(locked.statusCode).toBe(429);
    expect(parseBody(locked)).toEqual({ status: false, error: { code: 5029, message: 'Too many attempts; try again later' } });
    const retryAfter = Number(locked.headers['Retry-After']);
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(verifications).toBe(0);
    expect(await verifyPassword(SEED_OLD, (await h.getItem(userId))?.passwordHash as string)).toBe(true);
  });

  it('lets the right password through once the 15-minute window has ended', async () => {
    const { token } = await h.seedUser();
    for (let i = 0; i < 5; i += 1) await h.change(token, `Wrong-P@ss-${i}`, SEED_NEW);
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(429);
    clock.advance(899_000);
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(429);
    clock.advance(1_000);
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });

  it('resets the count on success', async () => {
    const { userId, token } = await h.seedUser();
    for (let i = 0; i < 4; i += 1) await h.change(token, `Wrong-P@ss-${i}`, SEED_NEW);
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
    const item = await h.getItem(userId);
    expect(item).not.toHaveProperty('oldPasswordAttempts');
    expect(item).not.toHaveProperty('oldPasswordAttemptsSince');
    for (let i = 0; i < 4; i += 1) expect(errorCode(await h.change(token, `Wrong-P@ss-${i}`, 'Third-P@ssw0rd!'))).toBe(5023);
    expect((await h.change(token, SEED_NEW, 'Third-P@ssw0rd!')).statusCode).toBe(200);
  });

  it('lets exactly 5 of 20 parallel wrong guesses reach bcrypt, and leaves other users alone', async () => {
    // 20, four times the limit: enough to race for the counter, few enough that a loaded machine
    // does not turn the embedded DynamoDB's slowness into 503s (SDK timeouts) instead.
    const victim = await h.seedUser();
    const bystander = await h.seedUser();
    verifications = 0;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h.change(victim.token, `Guess-P@ss-${i}`, SEED_NEW)));
    const answers = results.map(errorCode).reduce<Record<string, number>>((counts, code) => ({ ...counts, [String(code)]: (counts[String(code)] ?? 0) + 1 }), {});
    expect(answers).toEqual({ 5023: 5, 5029: 15 });
    expect(verifications).toBe(5);
    expect((await h.getItem(victim.userId))?.oldPasswordAttempts).toBe(5);
    expect((await h.change(bystander.token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });

  it('does not count refusals that never reach the old-password check', async () => {
    const { userId, token } = await h.seedUser();
    for (let i = 0; i < 6; i += 1) expect(errorCode(await h.change(token, SEED_OLD, `weak${i}weak`))).toBe(5025);
    expect((await h.getItem(userId))?.oldPasswordAttempts ?? 0).toBe(0);
    expect((await h.change(token, SEED_OLD, SEED_NEW)).statusCode).toBe(200);
  });
});
