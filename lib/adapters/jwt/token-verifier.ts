import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../../core/errors.js';
import { CLOCK_TOLERANCE_SECONDS, type TokenVerifier, type VerifiedToken } from '../../core/ports.js';

/** The asymmetric algorithms a PEM public key can pin, by key type: RSA, P-256, Ed25519. */
export type PublicKeyAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/** Where the key that verifies tokens comes from: exactly one of the JWT_* key-source variables. */
export type JwtKeySource =
  | { kind: 'secret'; secret: string }
  /** An HS256 secret read at run time from this SSM Parameter Store parameter (SecureString). */
  | { kind: 'secretParameter'; name: string }
  /** A parsed public key and the one algorithm its type allows. */
  | { kind: 'publicKey'; key: KeyObject; algorithm: PublicKeyAlgorithm }
  | { kind: 'jwks'; url: URL };

/** The verifier's settings: the key source, and the `iss`/`aud` to require when set. */
export interface JwtOptions {
  key: JwtKeySource;
  issuer: string | undefined;
  audience: string | undefined;
}

/** Reads a secret by its parameter name (lib/adapters/ssm); rejects when the parameter store cannot be read. */
export type SecretFetcher = (name: string) => Promise<string>;

/** The shortest HS256 secret accepted, in bytes (RFC 7518 §3.2: at least the hash's 256 bits). */
export const MIN_SECRET_BYTES = 32;
/** Longer Authorization values are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_SUBJECT_LENGTH = 1024;
const BEARER = /^bearer[ \t]+(\S*)[ \t]*$/i;
const JWKS_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** JOSE error codes that mean "the token is bad", as opposed to "the key source failed" (undefined: not a JOSE error). */
const TOKEN_ERROR_CODES: ReadonlySet<string | undefined> = new Set([
  errors.JWTClaimValidationFailed.code,
  errors.JWTExpired.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JWKInvalid.code,
]);

/**
 * The HS256 key for JWT_SECRET_PARAMETER, read when a token is verified (cached by Powertools
 * Parameters). A fetch failure rejects with a non-JOSE error, which the verifier turns into 503.
 */
const secretParameterKey = (name: string, fetchSecret: SecretFetcher) => async (): Promise<Uint8Array> => {
  const secret = await fetchSecret(name);
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new AppError('INTERNAL', { cause: { reason: `JWT_SECRET_PARAMETER value is shorter than ${MIN_SECRET_BYTES} bytes`, parameter: name } });
  }
  return new TextEncoder().encode(secret);
};

const keyAndAlgorithms = (source: JwtKeySource, fetchSecret: SecretFetcher | undefined): { key: Uint8Array | KeyObject | JWTVerifyGetKey; algorithms: string[] } => {
  switch (source.kind) {
    case 'secret':
      return { key: new TextEncoder().encode(source.secret), algorithms: ['HS256'] };
    case 'secretParameter':
      if (fetchSecret === undefined) throw new TypeError('a JWT_SECRET_PARAMETER key source needs a secret fetcher');
      return { key: secretParameterKey(source.name, fetchSecret), algorithms: ['HS256'] };
    case 'publicKey':
      return { key: source.key, algorithms: [source.algorithm] };
    case 'jwks':
      // jose caches the set (10 min), refetches on an unknown kid at most every 30 s, and times out
      // a fetch after 3 s so a slow key server cannot hold the request.
      return { key: createRemoteJWKSet(source.url, { timeoutDuration: 3000 }), algorithms: JWKS_ALGORITHMS };
  }
};

/**
 * How the holder signed in (`amr`, `acr`, `auth_time`), for step-up. A claim of the wrong type is
 * read as absent, never as a failure: it then proves no factor and no recent sign-in, which is
 * a refusal only where step-up asks for them.
 */
const authenticationClaims = ({ amr, acr, auth_time: authTime }: JWTPayload): Pick<VerifiedToken, 'amr' | 'acr' | 'authTime'> => ({
  amr: Array.isArray(amr) ? amr.filter((value): value is string => typeof value === 'string') : undefined,
  acr: typeof acr === 'string' ? acr : undefined,
  authTime: typeof authTime === 'number' ? authTime : undefined,
});

/**
 * Builds the bearer-token check. The algorithm is pinned to the key source (no alg substitution),
 * `exp` and `sub` are required, `iss`/`aud` enforced when configured. Every token failure is the
 * same 401 4001; a missing bearer token is 401 4002; a JWKS endpoint that cannot be reached is a
 * dependency failure (503), not the client's fault.
 */
export const createTokenVerifier = (jwt: JwtOptions, { fetchSecret }: { fetchSecret?: SecretFetcher | undefined } = {}): TokenVerifier => {
  const { key, algorithms } = keyAndAlgorithms(jwt.key, fetchSecret);
  const options = {
    algorithms,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    // jose checks each only when it is not undefined.
    issuer: jwt.issuer,
    audience: jwt.audience,
  };
  return async (authorization) => {
    // Length first: an oversized header never reaches the regex (room for the scheme and spaces).
    if (authorization !== undefined && authorization.length > MAX_TOKEN_LENGTH + 32) {
      throw new AppError('UNAUTHORIZED', { cause: { reason: 'authorization header too long' } });
    }
    // Stryker disable next-line StringLiteral: any text without the scheme is as absent as the empty one
    const token = BEARER.exec(authorization ?? '')?.[1];
    if (token === undefined || token === '') throw new AppError('NO_AUTH_TOKEN');
    if (token.length > MAX_TOKEN_LENGTH) throw new AppError('UNAUTHORIZED', { cause: { reason: 'token too long' } });
    let payload;
    try {
      // Overloads differ only in the key's type; one call keeps the pinned options in one place.
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: both branches make the same call
      ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options));
    } catch (error) {
      if (error instanceof AppError) throw error;
      const code = error instanceof errors.JOSEError ? error.code : undefined;
      // A key that is fetched (JWKS, SSM parameter) and cannot be: the dependency's fault, 503.
      if ((jwt.key.kind === 'jwks' || jwt.key.kind === 'secretParameter') && !TOKEN_ERROR_CODES.has(code)) {
        throw new AppError('SERVICE_UNAVAILABLE', { cause: { reason: `${jwt.key.kind} unavailable`, code: code ?? (error as Error).name } });
      }
      throw new AppError('UNAUTHORIZED', { cause: { reason: code ?? 'invalid token' } });
    }
    const { sub, iat, sid } = payload;
    // jose checks iat only with maxTokenAge (and that it is a number when present); a future iat
    // would also outlive a later revocation by iat.
    if ((iat ?? 0) > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) {
      throw new AppError('UNAUTHORIZED', { cause: { reason: 'iat in the future' } });
    }
    // In UTF-8 bytes: 1024 characters of '€' are 3072 bytes, past DynamoDB's 2048-byte key limit (a 500).
    // jose checks that a sub is present, not that it is a string.
    if (
      typeof sub !== 'string' || sub === '' ||
      // Stryker disable next-line StringLiteral: Node reads an empty encoding as its default, UTF-8
      Buffer.byteLength(sub, 'utf8') > MAX_SUBJECT_LENGTH
    ) {
      throw new AppError('UNAUTHORIZED', { cause: { reason: 'unusable sub claim' } });
    }
    return { userId: sub, issuedAt: iat, sessionId: typeof sid === 'string' && sid !== '' ? sid : undefined, ...authenticationClaims(payload) };
  };
};
