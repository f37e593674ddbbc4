/** The stale-token rule of the use case: no JWT library involved, so any service can apply it. */
import type { SessionState, VerifiedToken } from './ports.js';

/**
 * True when a token was issued before the user's last password change, so it must no longer be
 * accepted. Compared in whole seconds (JWT `iat` has no finer unit): a token issued in the same
 * second as the change stays valid. A token without `iat` counts as stale once a change is recorded.
 * Exported for the platform's other services, which should apply the same rule.
 */
export const issuedBeforePasswordChange = (issuedAt: number | undefined, passwordChangedAt: string | undefined): boolean => {
  // Stryker disable next-line ConditionalExpression: Date.parse(undefined) is NaN, refused on the line below
  if (passwordChangedAt === undefined) return false;
  const changedMs = Date.parse(passwordChangedAt);
  if (Number.isNaN(changedMs)) return false;
  return issuedAt === undefined || issuedAt < Math.floor(changedMs / 1000);
};

/**
 * What a change does to the user's other sessions (OTHER_SESSIONS_ON_CHANGE): `sign-out` ends them
 * all; `user-choice` lets the request keep them (`signOutOtherSessions: false`). OWASP ASVS 5.0
 * 7.4.3 asks for the option; ending them stays the default.
 */
export const OTHER_SESSIONS_MODES = ['sign-out', 'user-choice'] as const;
export type OtherSessionsMode = (typeof OTHER_SESSIONS_MODES)[number];

/**
 * From when the user's tokens are valid (a per-user not-before, OWASP ASVS 5.0 7.4.1): the
 * recorded `tokensValidFrom` when a change kept the other sessions, else the last change, which
 * ended them (every change did, before the option existed).
 */
export const tokensValidFrom = (state: SessionState): string | undefined => state.tokensValidFrom ?? state.passwordChangedAt;

/**
 * The rule the change endpoint and the token authorizer both apply: a token issued before the
 * user's not-before ({@link tokensValidFrom}) is revoked, unless it belongs to the session that set
 * it (its OIDC `sid` equals the recorded one), so the device that changed the password stays
 * signed in. A token or a change without `sid` gets no exception.
 */
export const revokedByPasswordChange = (token: Pick<VerifiedToken, 'issuedAt' | 'sessionId'>, state: SessionState): boolean =>
  issuedBeforePasswordChange(token.issuedAt, tokensValidFrom(state)) &&
  (token.sessionId === undefined || token.sessionId !== state.passwordChangedBySession);

/** A not-before that revokes no token: what a kept change records for a user whose tokens were all valid. */
export const ALL_TOKENS_VALID = '1970-01-01T00:00:00.000Z';
