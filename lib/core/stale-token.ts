/** The stale-token rule of the use case: no JWT library involved, so any service can apply it. */

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
