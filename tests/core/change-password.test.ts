import { describe, expect, it } from 'vitest';
import { changePassword, type ChangePasswordInput } from '../../lib/core/change-password.js';
import { AppError } from '../../lib/core/errors.js';
import { SEED_NEW, SEED_OLD, useHarness } from '../support/harness.js';

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

const rejection = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

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
});
