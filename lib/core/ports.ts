/**
 * The ports of the change-password use case: what it needs from the outside world, in its own
 * words. The use case (lib/core/change-password.ts) and the HTTP edge depend on these; the adapters
 * under lib/adapters/ implement them and import this file, never the other way round.
 */

import type { PendingEvent } from './password-changed.js';

/** What the use case needs to know about a user to change their password. */
export interface UserCredentials extends SessionState {
  userId: string;
  /** Absent for a user who has no password (e.g. federated sign-in only). */
  passwordHash: string | undefined;
  /** Previous hashes, newest first, bounded by the history size. */
  passwordHistory: string[];
  /** Personal attributes a policy rule may refuse passwords built on. */
  attributes: string[];
  /** Whether the user enrolled a second factor: true only when the record holds the boolean true. */
  mfaEnrolled: boolean;
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
  /** The changing token's `sid`, recorded so that session stays signed in; undefined clears any earlier one. */
  sessionId?: string | undefined;
  /**
   * Absent: the change ends the other sessions (the change is the not-before, `sessionId` its
   * exception). Given: the user chose to keep them, so the not-before and its exception stay as
   * they were, the not-before now recorded on its own.
   */
  keptSessions?: { tokensValidFrom: string } | undefined;
  /** The change's PasswordChanged event, recorded by the same write (the outbox); undefined: none. */
  event?: PendingEvent | undefined;
}

export interface BeginAttemptOptions {
  /**
   * Take no attempt from a user enrolled in a second factor (decided atomically with the write)
   * and throw MFA_REQUIRED (`stepUpRefusal('mfaRequired')`, lib/core/step-up.ts) instead.
   */
  refuseMfaEnrolled?: boolean;
}

/** The user store port (lib/adapters/dynamodb). */
export interface UserStore {
  /**
   * Atomically takes one of `maxAttempts` old-password checks in the user's current window and
   * returns the record as of that write. Throws ENTITY_NOT_FOUND when there is no record,
   * MFA_REQUIRED with `refuseMfaEnrolled` for an enrolled user, and TOO_MANY_ATTEMPTS (with
   * retryAfterSeconds) when the window's attempts are used up, in that order.
   */
  beginAttempt(userId: string, now: Date, limits: AttemptLimits, options?: BeginAttemptOptions): Promise<Attempt>;
  /** Gives back an attempt that proved the old password without changing it. Best effort. */
  releaseAttempt(userId: string, windowStart: number): Promise<void>;
  /**
   * Swaps the hash if and only if the record still holds `expectedHash`, stores the history,
   * clears the attempt counter and adds `event` to the record's pending events. Throws CONCURRENT_CHANGE when another change won,
   * ENTITY_NOT_FOUND when the record is gone.
   */
  replacePasswordHash(change: PasswordReplacement): Promise<void>;
}

/** The password hasher port (lib/adapters/bcrypt): the stored formats are lib/core/hash-format.ts. */
export interface PasswordHasher {
  /** One hashing operation: the password's hash under `salt`; deterministic for a given salt. */
  hashWithSalt(password: string, salt: string): Promise<string>;
  /** The salt for the user's next hash, given their current one (no hashing work). */
  saltFor(currentHash: string | undefined): Promise<string>;
  /** Whether the password matches a stored hash of any supported format. */
  verify(password: string, stored: string): Promise<boolean>;
}

/** Now, as the use case sees it; tests move it by hand. */
export type Clock = () => Date;

/**
 * Looks a new password up in a breach corpus (lib/adapters/hibp: the Pwned Passwords range API).
 * Resolves true when it is breached; false when not, or unavailable and failing open; rejects
 * with an AppError (503) when unavailable and failing closed.
 */
export interface BreachedPasswordCheck {
  check(password: string): Promise<boolean>;
}

/** What a verified bearer token tells the use case. */
export interface VerifiedToken {
  /** The token's `sub`: the only source of the user id. */
  userId: string;
  /** The token's `iat` in seconds since the epoch, when present. */
  issuedAt: number | undefined;
  /** RFC 8176 `amr`: how the holder signed in (its string entries), when it is an array. */
  amr?: string[] | undefined;
  /** OIDC `acr`: the authentication context class, when it is a string. */
  acr?: string | undefined;
  /** OIDC `auth_time` in seconds since the epoch: when the holder signed in, when it is a number. */
  authTime?: number | undefined;
  /** The OIDC `sid` claim (the sign-in session the token belongs to), when it is a string. */
  sessionId?: string | undefined;
}

/**
 * Seconds of clock skew tolerated between the token issuer and this function: for `exp`, `nbf` and
 * `iat` by the token verifier, and for `auth_time` by step-up (lib/core/step-up.ts).
 */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * The bearer-token port (lib/adapters/jwt): the `Authorization` header in, the verified token out;
 * rejects with NO_AUTH_TOKEN, UNAUTHORIZED, or SERVICE_UNAVAILABLE when the key source fails.
 */
export type TokenVerifier = (authorization: string | undefined) => Promise<VerifiedToken>;

/**
 * What the stale-token rule reads of a user (lib/core/stale-token.ts): when the password last
 * changed, from when tokens are valid when that differs, and the session whose older tokens stay valid.
 */
export interface SessionState {
  passwordChangedAt: string | undefined;
  /** Set when a change kept the other sessions; absent, the last change is the not-before. */
  tokensValidFrom?: string | undefined;
  /** The `sid` of the token that set the not-before, whose older tokens that change left valid. */
  passwordChangedBySession: string | undefined;
}

/** The authorizer's read of the user store (lib/adapters/dynamodb); rejects with SERVICE_UNAVAILABLE or INTERNAL. */
export interface SessionStore {
  /** The user's session state, or undefined when the user has no record. */
  sessionState(userId: string): Promise<SessionState | undefined>;
}
