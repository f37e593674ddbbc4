import { AppError } from './errors.js';
import { failedRules, type PolicyRule } from './password-policy.js';
import type { UserStore } from './user-store.js';

/** What the use case is plugged into; the handler's composition point supplies the real ones. */
export interface ChangePasswordDeps {
  store: UserStore;
  policy: readonly PolicyRule[];
  hashPassword: (password: string) => Promise<string>;
  verifyPassword: (password: string, stored: string) => Promise<boolean>;
  clock: () => Date;
}

export interface ChangePasswordInput {
  /** From the verified token, never from the body. */
  userId: string;
  oldPassword: string;
  newPassword: string;
}

/**
 * Use case: change a password.
 *
 * Primary course: load the user; check the new password against the policy; verify the old
 * password against the stored hash; hash the new one; swap the hashes with a conditional write.
 * Cheap checks run before the two bcrypt operations, which are the expensive steps.
 *
 * Errors (AppError keys): PASSWORD_UNCHANGED, ENTITY_NOT_FOUND, PASSWORD_POLICY (details.failedRules),
 * INCORRECT_OLD_PASSWORD, CONCURRENT_CHANGE, and SERVICE_UNAVAILABLE from the store.
 */
export const changePassword = async (deps: ChangePasswordDeps, input: ChangePasswordInput): Promise<void> => {
  const { userId, oldPassword, newPassword } = input;
  if (newPassword === oldPassword) throw new AppError('PASSWORD_UNCHANGED');

  const user = await deps.store.findCredentials(userId);
  if (user === undefined) throw new AppError('ENTITY_NOT_FOUND');

  const failed = failedRules(deps.policy, newPassword, { userAttributes: user.attributes });
  if (failed.length > 0) throw new AppError('PASSWORD_POLICY', { details: { failedRules: failed } });

  const { passwordHash } = user;
  if (passwordHash === undefined || !(await deps.verifyPassword(oldPassword, passwordHash))) {
    throw new AppError('INCORRECT_OLD_PASSWORD');
  }

  const newHash = await deps.hashPassword(newPassword);
  await deps.store.replacePasswordHash({ userId, expectedHash: passwordHash, newHash, changedAt: deps.clock() });
};
