/**
 * The demo user that `npm start` seeds and development tokens signed with the local dev secret.
 * No AWS SDK here: `npm run token` imports only this.
 */
import { SignJWT } from 'jose';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';

export const DEMO_USER = { userId: 'demo-user', email: 'demo@example.com', username: 'demo', password: 'CurrentSecureP@ss123' } as const;
export const DEFAULT_TABLE = 'change-password-users-local';
/** The notice's idempotency table on stage local (serverless.yml's default for IDEMPOTENCY_TABLE). */
export const DEFAULT_IDEMPOTENCY_TABLE = 'change-password-idempotency-local';

/** A development token for `userId`, signed with the local dev secret unless another is given; `iss`/`aud` when given. */
export const mintToken = (
  userId: string,
  { secret = DEV_JWT_SECRET, expiresIn = '1h', issuedAt, issuer, audience }: { secret?: string; expiresIn?: string | number; issuedAt?: number; issuer?: string | undefined; audience?: string | undefined } = {},
): Promise<string> => {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setIssuedAt(issuedAt).setExpirationTime(expiresIn);
  if (issuer !== undefined) jwt.setIssuer(issuer);
  if (audience !== undefined) jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(secret));
};
