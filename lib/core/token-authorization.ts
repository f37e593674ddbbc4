import { AppError, type ErrorKey } from './errors.js';
import type { SessionStore, TokenVerifier } from './ports.js';
import { revokedByPasswordChange } from './stale-token.js';

/** What the token authorizer is plugged into; lib/compose.ts supplies the real ones. */
export interface TokenAuthorizationDeps {
  verifyToken: TokenVerifier;
  sessions: SessionStore;
}

/** Why a token is refused; logged, never returned (API Gateway answers a bare 403). */
export type DenyReason = 'noToken' | 'invalidToken' | 'unknownUser' | 'revokedByPasswordChange';

export type AuthorizationDecision = { allowed: true; userId: string } | { allowed: false; reason: DenyReason; userId?: string };

/** The verifier's refusals that are the token's fault; anything else (a key source or bug) is thrown on. */
const TOKEN_REFUSALS: Partial<Record<ErrorKey, DenyReason>> = { NO_AUTH_TOKEN: 'noToken', UNAUTHORIZED: 'invalidToken' };

/**
 * Use case: may this bearer token reach the platform's routes? It must verify exactly as at the
 * change endpoint, belong to a user with a record, and not be revoked by a password change
 * (lib/core/stale-token.ts, the same rule the change endpoint applies, the changing session's
 * exception included). A failing key source or store rejects (SERVICE_UNAVAILABLE, INTERNAL): an
 * authorizer that cannot decide must not allow.
 */
export const authorizeToken = async (deps: TokenAuthorizationDeps, authorization: string | undefined): Promise<AuthorizationDecision> => {
  let token;
  try {
    token = await deps.verifyToken(authorization);
  } catch (error) {
    const reason = error instanceof AppError ? TOKEN_REFUSALS[error.key] : undefined;
    if (reason === undefined) throw error;
    return { allowed: false, reason };
  }
  const { userId } = token;
  const state = await deps.sessions.sessionState(userId);
  if (state === undefined) return { allowed: false, reason: 'unknownUser', userId };
  if (revokedByPasswordChange(token, state)) return { allowed: false, reason: 'revokedByPasswordChange', userId };
  return { allowed: true, userId };
};
