/**
 * The demo user that `npm start` seeds and development tokens signed with the local dev secret.
 * No AWS SDK here: `npm run token` imports only this.
 */
import { SignJWT } from 'jose';
import { DEV_JWT_SECRET } from '../lib/config.js';

export const DEMO_USER = { userId: 'demo-user', email: 'demo@example.com', username: 'demo', password: 'CurrentSecureP@ss123' } as const;
export const DEFAULT_TABLE = 'change-password-users-local';

/** A development token for `userId`, signed with the local dev secret unless another is given. */
export const mintToken = (
  userId: string,
  { secret = DEV_JWT_SECRET, expiresIn = '1h', issuedAt }: { secret?: string; expiresIn?: string | number; issuedAt?: number } = {},
): Promise<string> =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId).setIssuedAt(issuedAt).setExpirationTime(expiresIn).sign(new TextEncoder().encode(secret));
