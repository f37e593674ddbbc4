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
 * The rule the change endpoint and the token authorizer both apply: a token issued before the last
 * change is revoked, unless it belongs to the session that made the change (its OIDC `sid` equals
 * the recorded one), so the device that changed the password stays signed in. A token or a change
 * without `sid` gets no exception.
 */
export const revokedByPasswordChange = (token: Pick<VerifiedToken, 'issuedAt' | 'sessionId'>, state: SessionState): boolean =>
  issuedBeforePasswordChange(token.issuedAt, state.passwordChangedAt) &&
  (token.sessionId === undefined || token.sessionId !== state.passwordChangedBySession);
