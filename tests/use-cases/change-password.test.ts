import { describe, expect, it } from 'vitest';
import { changePassword, overlapWithIo, type ChangePasswordInput } from '../../lib/core/change-password.js';
import { SEED_NEW, SEED_OLD, useHarness } from '../support/harness.js';
import { appErrorOf as rejection } from '../support/rejection.js';

/**
 * The use case called directly, on the real adapters the harness composes (dynalite, bcrypt): what
 * it returns and throws, which the handler then turns into one answer for every outcome.
 */
const { clock, h } = useHarness();

const input = (userId: string, overrides: Partial<ChangePasswordInput> = {}): ChangePasswordInput => ({
  userId,
  tokenIssuedAt: Math.floor(Date.now() / 1000),
  authentication: { amr: undefined, acr: undefined, authTime: undefined },
  oldPassword: SEED_OLD,
  newPassword: SEED_NEW,
  ...overrides,
});

describe('changePassword', () => {
  it('says "changed" for a change and "replayed" for a lost-answer retry of it', async () => {
    const { userId } = await h.seedUser();
    expect(await changePassword(h.deps, input(userId))).toBe('changed');
    expect(await changePassword(h.deps, input(userId))).toBe('replayed');
    clock.advance(1_000);
    expect(await changePassword(h.deps, input(userId, { tokenIssuedAt: clock.seconds() - 3600 }))).toBe('replayed');
  });

  it('says why a stale token is refused, in the cause the log carries', async () => {
    const { userId } = await h.seedUser();
    await changePassword(h.deps, input(userId));
    const error = await rejection(changePassword(h.deps, input(userId, { tokenIssuedAt: clock.seconds() - 3600, oldPassword: SEED_NEW, newPassword: 'Third-P@ssw0rd!' })));
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toEqual({ reason: 'token issued before the last password change' });
  });

  it('refuses an unchanged password before reading the user', async () => {
    const error = await rejection(changePassword(h.deps, input('nobody', { newPassword: SEED_OLD })));
    expect(error.key).toBe('PASSWORD_UNCHANGED');
  });

  it.each([
    ['passwordHash', 'the hash is gone (the account moved to a federation)'],
    ['passwordHistory', 'the change left no history to compare the old password with'],
    ['passwordChangedAt', 'nothing says when the change was made'],
  ])('answers a wrong old password, not a replay, just after a change when %s is missing: %s', async (attribute) => {
    // Arrange: changed a moment ago, then the attribute removed
    const { userId } = await h.seedUser();
    await changePassword(h.deps, input(userId));
    await h.removeAttributes(userId, [attribute]);

    // Act
    const error = await rejection(changePassword(h.deps, input(userId)));

    // Assert
    expect(error.key).toBe('INCORRECT_OLD_PASSWORD');
  });
});

describe('overlapWithIo', () => {
  it('runs the work and leaves no unhandled rejection when the I/O fails meanwhile', async () => {
    // Arrange
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const io = Promise.reject(new Error('store unavailable'));

    try {
      // Act
      const result = await overlapWithIo(io, () => 'policy checked');
      await new Promise((resolve) => setImmediate(resolve));

      // Assert: the work ran; the failure is left to the caller's own await
      expect(result).toBe('policy checked');
      await expect(io).rejects.toThrow('store unavailable');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
