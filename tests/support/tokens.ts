/**
 * Signing test tokens: valid ones with chosen claims and keys, and hand-made ones (any header, any
 * HMAC, no signature) that jose would refuse to produce. Development tokens for a user id come
 * from scripts/local/dynamodb.ts `mintToken`, as `npm start` prints them.
 */
import { createHmac } from 'node:crypto';
import { SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';

/** The local development secret as a jose HMAC key. */
export const DEV_SECRET_KEY = new TextEncoder().encode(DEV_JWT_SECRET);

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** base64url of a string as it is, or of anything else as JSON. */
export const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The claims of a valid token for `sub`, issued now, expiring in 5 minutes; `extra` may override or (with undefined) drop any. */
export const claims = (sub: string, extra: Record<string, unknown> = {}): JWTPayload => ({ sub, iat: nowSeconds(), exp: nowSeconds() + 300, ...extra });

/** A token signed by jose with `alg` and any extra header fields. */
export const signToken = (payload: JWTPayload, key: CryptoKey | KeyObject | Uint8Array, alg: string, header: Record<string, unknown> = {}): Promise<string> =>
  new SignJWT(payload).setProtectedHeader({ ...header, alg }).sign(key);

/** Any header, any payload, HMAC-signed by hand with any secret and any HMAC size. */
export const hmacToken = (header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Uint8Array, bits: 256 | 384 | 512 = 256): string => {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac(`sha${bits}`, secret).update(input).digest('base64url')}`;
};

/** A token with no (or any given) signature. */
export const unsignedToken = (header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string => `${b64url(header)}.${b64url(payload)}.${signature}`;
