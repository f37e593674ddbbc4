/**
 * The ports of the change-password use case: what it needs from the outside world, in its own
 * words. The use case (lib/change-password.ts) depends on these; adapters (lib/user-store.ts for
 * DynamoDB, lib/change-notifier.ts for EventBridge, lib/breached-passwords.ts for the Pwned
 * Passwords range API) implement them and import this file, never the other way round.
 */

/** What the use case needs to know about a user to change their password. */
export interface UserCredentials {
  userId: string;
  /** Absent for a user who has no password (e.g. federated sign-in only). */
  passwordHash: string | undefined;
  passwordChangedAt: string | undefined;
  /** Previous hashes, newest first, bounded by the history size. */
  passwordHistory: string[];
  /** Personal attributes a policy rule may refuse passwords built on. */
  attributes: string[];
}

/** A reserved old-password attempt: the credentials read in the same write, and the window it counts in. */
export interface Attempt {
  user: UserCredentials;
  /** Epoch seconds at which the counting window started; identifies the window for a release. */
  windowStart: number;
}

export interface AttemptLimits {
  maxAttempts: number;
  windowSeconds: number;
}

export interface PasswordReplacement {
  userId: string;
  /** The hash that was verified; the write happens only if it is still the stored one. */
  expectedHash: string;
  newHash: string;
  changedAt: Date;
  /** The history to store with the new hash (newest first, already bounded). */
  history: string[];
}

/** The user store port: the use case depends on this, not on DynamoDB. */
export interface UserStore {
  /**
   * Atomically takes one of `maxAttempts` old-password checks in the user's current window and
   * returns the record as of that write. Throws ENTITY_NOT_FOUND when there is no record and
   * TOO_MANY_ATTEMPTS (with retryAfterSeconds) when the window's attempts are used up.
   */
  beginAttempt(userId: string, now: Date, limits: AttemptLimits): Promise<Attempt>;
  /** Gives back an attempt that proved the old password without changing it. Best effort. */
  releaseAttempt(userId: string, windowStart: number): Promise<void>;
  /**
   * Swaps the hash if and only if the record still holds `expectedHash`, stores the history and
   * clears the attempt counter. Throws CONCURRENT_CHANGE when another change won,
   * ENTITY_NOT_FOUND when the record is gone.
   */
  replacePasswordHash(change: PasswordReplacement): Promise<void>;
}

/** Notified after a successful change (e.g. EventBridge), so the platform can email the user. */
export interface ChangeNotifier {
  passwordChanged(event: { userId: string; changedAt: Date; requestId: string | undefined; sourceIp: string | undefined }): Promise<void>;
}

/**
 * Looks a new password up in a breach corpus (lib/breached-passwords.ts: the Pwned Passwords range
 * API). Resolves true when it is breached; false when not, or unavailable and failing open; rejects
 * with an AppError (503) when unavailable and failing closed.
 */
export interface BreachedPasswordCheck {
  check(password: string): Promise<boolean>;
}
