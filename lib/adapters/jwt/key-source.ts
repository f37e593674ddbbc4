/**
 * The key source's rules, beside the verifier that uses it: which of the JWT_* variables may be
 * set, and what each must hold. The configuration hands in their values; a bad one throws
 * ConfigError naming the variable, at cold start.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ConfigError, httpsOrLocalUrl } from '../../core/settings.js';
import { MIN_SECRET_BYTES, type JwtKeySource, type PublicKeyAlgorithm } from './token-verifier.js';

/** The variables that can name the key, trimmed, undefined when unset: exactly one must be set. */
export interface KeySourceSettings {
  JWT_SECRET: string | undefined;
  JWT_SECRET_PARAMETER: string | undefined;
  JWT_PUBLIC_KEY: string | undefined;
  JWT_JWKS_URL: string | undefined;
}

/** An SSM hierarchical parameter name: "/" then letters, digits and _.-/ (at most 1011 characters). */
const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/** The one algorithm a public key's type allows, so no token can choose another (no alg substitution). */
const algorithmFor = (key: KeyObject): PublicKeyAlgorithm | undefined => {
  const { asymmetricKeyType, asymmetricKeyDetails } = key;
  if (asymmetricKeyType === 'rsa') return 'RS256';
  // Stryker disable next-line ConditionalExpression,OptionalChaining: only an EC key has a named curve, and Node always gives it
  if (asymmetricKeyType === 'ec' && asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (asymmetricKeyType === 'ed25519') return 'EdDSA';
  return undefined;
};

/**
 * JWT_PUBLIC_KEY as a key source: the PEM read (environments often carry it with literal "\n"; both
 * forms are accepted) and its algorithm. Throws ConfigError for text that is not a public key, or a
 * key of another type.
 */
export const publicKeySource = (pem: string): JwtKeySource => {
  let key: KeyObject;
  try {
    key = createPublicKey(pem.replace(/\\n/g, '\n'));
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY is not a readable PEM public key (-----BEGIN PUBLIC KEY-----)');
  }
  const algorithm = algorithmFor(key);
  if (algorithm === undefined) throw new ConfigError('JWT_PUBLIC_KEY must be an RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA) public key');
  return { kind: 'publicKey', key, algorithm };
};

/** The key source the one variable set describes. Throws ConfigError when none or several are set, or the one set is unusable. */
export const parseKeySource = ({ JWT_SECRET: secret, JWT_SECRET_PARAMETER: parameter, JWT_PUBLIC_KEY: pem, JWT_JWKS_URL: jwksUrl }: KeySourceSettings): JwtKeySource => {
  const given = [secret, pem, jwksUrl, parameter].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw new ConfigError('Set exactly one of JWT_SECRET (HS256, stage local), JWT_SECRET_PARAMETER (HS256 secret in SSM Parameter Store), JWT_PUBLIC_KEY (PEM) or JWT_JWKS_URL (remote JWKS) to verify bearer tokens');
  }
  if (parameter !== undefined) {
    // Hierarchical names only, so the IAM policy in infra/runtime-access.yml can name its ARN.
    if (!SSM_PARAMETER_NAME.test(parameter)) {
      throw new ConfigError(`JWT_SECRET_PARAMETER must be an SSM parameter name starting with "/", such as /change-password/prod/jwt-secret (got "${parameter}")`);
    }
    return { kind: 'secretParameter', name: parameter };
  }
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long (RFC 7518 §3.2 for HS256)`);
    return { kind: 'secret', secret };
  }
  if (pem !== undefined) return publicKeySource(pem);
  const url = httpsOrLocalUrl(jwksUrl);
  if (url === undefined) throw new ConfigError('JWT_JWKS_URL must be an https:// URL (http:// only for localhost)');
  return { kind: 'jwks', url };
};
