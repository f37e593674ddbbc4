import { generateKeyPairSync, sign as signWithNode } from 'node:crypto';
import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../lib/core/settings.js';
import { publicKeySource } from '../../../lib/adapters/jwt/key-source.js';
import { AppError } from '../../../lib/core/errors.js';
import { createTokenVerifier, MAX_TOKEN_LENGTH, type JwtKeySource, type JwtOptions } from '../../../lib/adapters/jwt/token-verifier.js';
import { CLOCK_TOLERANCE_SECONDS, type TokenVerifier } from '../../../lib/core/ports.js';
import { closedPort, startBlackhole } from '../../support/fault-servers.js';
import { appErrorOf } from '../../support/rejection.js';
import { startJsonStandIn, type StandIn } from '../../support/stand-in.js';
import { b64url, claims as claimsFor, hmacToken, nowSeconds, signToken as sign } from '../../support/tokens.js';

const SECRET = 'unit-test-hs256-secret-of-at-least-32-bytes';
const SECRET_KEY = new TextEncoder().encode(SECRET);
const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'users-api';

/** Claims of a valid token for user-123; pass `undefined` for a claim to leave it out. */
const claims = (overrides: Record<string, unknown> = {}): JWTPayload => claimsFor('user-123', overrides);

/** A token signed with HMAC-SHA-256 by hand, for keys jose would refuse to use as an HMAC secret. */
const hs256ByHand = (payload: JWTPayload, secret: string): string => hmacToken({ alg: 'HS256', typ: 'JWT' }, payload, secret);

const jwtConfig = (key: JwtKeySource, options: { issuer?: string; audience?: string } = {}): JwtOptions => ({
  key,
  issuer: options.issuer,
  audience: options.audience,
});

const secretVerifier = (options: { issuer?: string; audience?: string } = {}): TokenVerifier =>
  createTokenVerifier(jwtConfig({ kind: 'secret', secret: SECRET }, options));

/** The AppError key the verifier rejects with; fails the test if it resolves or throws anything else. */
const rejectionKey = async (verify: TokenVerifier, authorization: string | undefined): Promise<string> => {
  try {
    await verify(authorization);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).key;
  }
  throw new Error('expected the token to be refused');
};

/** The AppError the verifier rejects with (its key and the cause that is logged); fails the test otherwise. */
const rejectionOf = (verify: TokenVerifier, authorization: string | undefined): Promise<AppError> => appErrorOf(verify(authorization));

describe('createTokenVerifier with an HS256 secret', () => {
  const verify = secretVerifier();

  it('accepts a valid token and returns its sub and iat', async () => {
    // Arrange
    const iat = nowSeconds() - 5;
    const token = await sign(claims({ iat }), SECRET_KEY, 'HS256');

    // Act
    const result = await verify(`Bearer ${token}`);

    // Assert
    expect(result).toEqual({ userId: 'user-123', issuedAt: iat });
  });

  it.each([
    ['a string', 'sid-1', 'sid-1'],
    ['empty', '', undefined],
    ['not a string', 42, undefined],
    ['absent', undefined, undefined],
  ])('returns the OIDC sid as the session id when it is %s: %s', async (_case, sid, sessionId) => {
    // Arrange
    const token = await sign(claims({ sid }), SECRET_KEY, 'HS256');

    // Act
    const result = await verify(`Bearer ${token}`);

    // Assert: toStrictEqual, so an absent session id is there as undefined and nothing else is
    expect(result).toStrictEqual({ userId: 'user-123', issuedAt: expect.any(Number), sessionId, amr: undefined, acr: undefined, authTime: undefined });
  });

  it('returns issuedAt undefined when the token has no iat', async () => {
    // Arrange
    const token = await sign(claims({ iat: undefined }), SECRET_KEY, 'HS256');

    // Act
    const result = await verify(`Bearer ${token}`);

    // Assert
    expect(result).toEqual({ userId: 'user-123', issuedAt: undefined });
  });

  it(`refuses a token expired beyond the ${CLOCK_TOLERANCE_SECONDS} s tolerance with 401 4001`, async () => {
    // Arrange
    const token = await sign(claims({ iat: nowSeconds() - 600, exp: nowSeconds() - CLOCK_TOLERANCE_SECONDS - 30 }), SECRET_KEY, 'HS256');

    // Act
    const error = await rejectionOf(verify, `Bearer ${token}`);

    // Assert: the log names jose's reason
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toEqual({ reason: 'ERR_JWT_EXPIRED' });
  });

  it('accepts a token expired within the clock tolerance', async () => {
    // Arrange
    const token = await sign(claims({ iat: nowSeconds() - 600, exp: nowSeconds() - 10 }), SECRET_KEY, 'HS256');

    // Act
    const result = await verify(`Bearer ${token}`);

    // Assert
    expect(result.userId).toBe('user-123');
  });

  it('refuses a token that is not yet valid beyond the tolerance (nbf)', async () => {
    // Arrange
    const token = await sign(claims({ nbf: nowSeconds() + 300 }), SECRET_KEY, 'HS256');

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses a token signed with another secret with 401 4001', async () => {
    // Arrange
    const token = await sign(claims(), new TextEncoder().encode('another-secret-that-is-also-32-bytes-long'), 'HS256');

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses a token with alg HS512 even when signed with the right secret (algorithm pinned)', async () => {
    // Arrange
    const token = await sign(claims(), SECRET_KEY, 'HS512');

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses alg none with 401 4001', async () => {
    // Arrange: an unsigned token, header {"alg":"none"} and an empty signature
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`;

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses a token without exp', async () => {
    // Arrange
    const token = await sign(claims({ exp: undefined }), SECRET_KEY, 'HS256');

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses a token without sub', async () => {
    // Arrange
    const token = await sign(claims({ sub: undefined }), SECRET_KEY, 'HS256');

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses a token whose sub is the empty string', async () => {
    // Arrange
    const token = await sign(claims({ sub: '' }), SECRET_KEY, 'HS256');

    // Act
    const error = await rejectionOf(verify, `Bearer ${token}`);

    // Assert
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toEqual({ reason: 'unusable sub claim' });
  });

  it('refuses a token whose sub is not a string', async () => {
    // Arrange
    const token = hs256ByHand(claims({ sub: 123 }), SECRET);

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses a sub longer than 1024 characters and accepts one of exactly 1024', async () => {
    // Arrange
    const tooLong = await sign(claims({ sub: 'u'.repeat(1025) }), SECRET_KEY, 'HS256');
    const longest = await sign(claims({ sub: 'u'.repeat(1024) }), SECRET_KEY, 'HS256');

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${tooLong}`)).toBe('UNAUTHORIZED');
    expect((await verify(`Bearer ${longest}`)).userId).toBe('u'.repeat(1024));
  });

  it('refuses a token whose payload segment has one character changed', async () => {
    // Arrange
    const token = await sign(claims(), SECRET_KEY, 'HS256');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const i = Math.floor(payload.length / 2);
    const tampered = `${header}.${payload.slice(0, i)}${payload[i] === 'A' ? 'B' : 'A'}${payload.slice(i + 1)}.${signature}`;

    // Act / Assert
    expect(tampered).not.toBe(token);
    expect(await rejectionKey(verify, `Bearer ${tampered}`)).toBe('UNAUTHORIZED');
  });

  it('refuses a token whose payload was re-encoded with another sub', async () => {
    // Arrange
    const token = await sign(claims(), SECRET_KEY, 'HS256');
    const [header, , signature] = token.split('.') as [string, string, string];
    const forged = `${header}.${b64url(claims({ sub: 'admin' }))}.${signature}`;

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${forged}`)).toBe('UNAUTHORIZED');
  });

  it(`refuses a correctly signed token longer than MAX_TOKEN_LENGTH (${MAX_TOKEN_LENGTH}) and accepts one of exactly that length`, async () => {
    // Arrange: grow a padding claim until the token is exactly at the limit, then one step over it
    let atLimit = '';
    let overLimit = '';
    // base64url turns 3 bytes into 4 characters, so start a little below 3/4 of the limit
    for (let chars = Math.floor((MAX_TOKEN_LENGTH * 3) / 4) - 200; overLimit === ''; chars += 1) {
      const token = await sign(claims({ padding: 'p'.repeat(chars) }), SECRET_KEY, 'HS256');
      if (token.length === MAX_TOKEN_LENGTH) atLimit = token;
      if (token.length > MAX_TOKEN_LENGTH) overLimit = token;
    }

    // Act
    const refused = await rejectionOf(verify, `Bearer ${overLimit}`);

    // Assert
    expect(atLimit.length).toBe(MAX_TOKEN_LENGTH);
    expect((await verify(`Bearer ${atLimit}`)).userId).toBe('user-123');
    expect(refused.key).toBe('UNAUTHORIZED');
    expect(refused.cause).toEqual({ reason: 'token too long' });
  });

  it('refuses a token whose iat is beyond the clock tolerance in the future, and accepts one within it', async () => {
    // Arrange
    const future = await sign(claims({ iat: nowSeconds() + CLOCK_TOLERANCE_SECONDS + 60 }), SECRET_KEY, 'HS256');
    const withinTolerance = await sign(claims({ iat: nowSeconds() + CLOCK_TOLERANCE_SECONDS - 10 }), SECRET_KEY, 'HS256');

    // Act
    const error = await rejectionOf(verify, `Bearer ${future}`);

    // Assert
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toEqual({ reason: 'iat in the future' });
    expect((await verify(`Bearer ${withinTolerance}`)).userId).toBe('user-123');
  });

  it('refuses a token with a crit header naming an unknown extension', async () => {
    // Arrange
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', crit: ['urn:example:unknown'], 'urn:example:unknown': true })
      .sign(SECRET_KEY, { crit: { 'urn:example:unknown': true } });

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it.each(['not-a-jwt', 'a.b.c', '...', 'eyJhbGciOiJIUzI1NiJ9.e30'])('refuses the malformed token %j with 401 4001', async (token) => {
    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });
});

describe('Authorization header parsing', () => {
  const verify = secretVerifier();
  let token = '';
  beforeAll(async () => {
    token = await sign(claims(), SECRET_KEY, 'HS256');
  });

  it.each([
    ['missing', () => undefined],
    ['empty', () => ''],
    ['blank', () => '   '],
    ['the scheme alone', () => 'Bearer'],
    ['the scheme and a space', () => 'Bearer '],
    ['a Basic credential', () => 'Basic dXNlcjpwYXNzd29yZA=='],
    ['the token without a scheme', () => token],
    ['another scheme', () => `Token ${token}`],
    ['a scheme that only ends in Bearer', () => `NotBearer ${token}`],
    ['the scheme glued to the token', () => `Bearer${token}`],
  ])('answers 401 4002 when the header is %s', async (_label, header) => {
    // Act / Assert
    expect(await rejectionKey(verify, header())).toBe('NO_AUTH_TOKEN');
  });

  it.each([
    ['Bearer', (t: string) => `Bearer ${t}`],
    ['bearer', (t: string) => `bearer ${t}`],
    ['BEARER', (t: string) => `BEARER ${t}`],
    ['a tab and trailing spaces', (t: string) => `Bearer\t${t}  `],
    ['two spaces before the token', (t: string) => `Bearer  ${t}`],
    ['a space and a tab before the token', (t: string) => `Bearer \t${t}`],
  ])('accepts the scheme written as %s', async (_label, header) => {
    // Act
    const result = await verify(header(token));

    // Assert
    expect(result.userId).toBe('user-123');
  });
});

describe('the length of the Authorization header', () => {
  const verify = secretVerifier();

  it(`accepts a header of MAX_TOKEN_LENGTH + 32 characters around a valid token, and refuses one more before parsing it`, async () => {
    // Arrange: a valid token, padded with the trailing spaces the scheme allows
    const token = await sign(claims(), SECRET_KEY, 'HS256');
    const longest = `Bearer ${token}`.padEnd(MAX_TOKEN_LENGTH + 32);

    // Act
    const refused = await rejectionOf(verify, `${longest} `);

    // Assert
    expect((await verify(longest)).userId).toBe('user-123');
    expect(refused.key).toBe('UNAUTHORIZED');
    expect(refused.cause).toEqual({ reason: 'authorization header too long' });
  });

  it('refuses an over-long header even when the spaces in it surround a valid token', async () => {
    // Arrange
    const token = await sign(claims(), SECRET_KEY, 'HS256');

    // Act
    const refused = await rejectionOf(verify, `Bearer${' '.repeat(MAX_TOKEN_LENGTH)}${token}`);

    // Assert
    expect(refused.key).toBe('UNAUTHORIZED');
    expect(refused.cause).toEqual({ reason: 'authorization header too long' });
  });
});

describe('issuer and audience', () => {
  const strict = secretVerifier({ issuer: ISSUER, audience: AUDIENCE });
  const lenient = secretVerifier();

  it('accepts a token with the configured iss and aud', async () => {
    // Arrange
    const token = await sign(claims({ iss: ISSUER, aud: AUDIENCE }), SECRET_KEY, 'HS256');

    // Act / Assert
    expect((await strict(`Bearer ${token}`)).userId).toBe('user-123');
  });

  it('accepts an aud array that contains the configured audience', async () => {
    // Arrange
    const token = await sign(claims({ iss: ISSUER, aud: ['other-api', AUDIENCE] }), SECRET_KEY, 'HS256');

    // Act / Assert
    expect((await strict(`Bearer ${token}`)).userId).toBe('user-123');
  });

  it.each([
    ['a wrong iss', { iss: 'https://evil.example.com', aud: AUDIENCE }],
    ['no iss', { aud: AUDIENCE }],
    ['a wrong aud', { iss: ISSUER, aud: 'other-api' }],
    ['no aud', { iss: ISSUER }],
  ])('refuses %s when iss and aud are configured', async (_label, extra) => {
    // Arrange
    const token = await sign(claims(extra), SECRET_KEY, 'HS256');

    // Act / Assert
    expect(await rejectionKey(strict, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('accepts any iss and aud when neither is configured', async () => {
    // Arrange
    const token = await sign(claims({ iss: 'https://anyone.example.com', aud: 'anything' }), SECRET_KEY, 'HS256');

    // Act / Assert
    expect((await lenient(`Bearer ${token}`)).userId).toBe('user-123');
  });
});

describe('createTokenVerifier with a PEM public key', () => {
  const cases = [
    { name: 'RS256 (RSA)', alg: 'RS256', generate: () => generateKeyPair('RS256') },
    { name: 'ES256 (P-256)', alg: 'ES256', generate: () => generateKeyPair('ES256') },
    { name: 'EdDSA (Ed25519)', alg: 'EdDSA', generate: () => generateKeyPair('Ed25519') },
  ] as const;

  describe.each(cases)('$name', ({ alg, generate }) => {
    let privateKey: CryptoKey;
    let otherPrivateKey: CryptoKey;
    let pem = '';
    let verify: TokenVerifier;

    beforeAll(async () => {
      const pair = await generate();
      privateKey = pair.privateKey;
      otherPrivateKey = (await generate()).privateKey;
      pem = await exportSPKI(pair.publicKey);
      verify = createTokenVerifier(jwtConfig(publicKeySource(pem)));
    });

    it('accepts a valid token and returns its sub and iat', async () => {
      // Arrange
      const iat = nowSeconds();
      const token = await sign(claims({ iat }), privateKey, alg);

      // Act
      const result = await verify(`Bearer ${token}`);

      // Assert
      expect(result).toEqual({ userId: 'user-123', issuedAt: iat });
    });

    it('refuses a token signed with another key of the same type', async () => {
      // Arrange
      const token = await sign(claims(), otherPrivateKey, alg);

      // Act / Assert
      expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
    });

    it('refuses an expired token', async () => {
      // Arrange
      const token = await sign(claims({ exp: nowSeconds() - 120 }), privateKey, alg);

      // Act / Assert
      expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
    });

    it('refuses alg none', async () => {
      // Arrange
      const token = `${b64url({ alg: 'none' })}.${b64url(claims())}.`;

      // Act / Assert
      expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
    });

    it('refuses an HS256 token signed with the PEM text as HMAC secret (key confusion)', async () => {
      // Arrange
      const token = hs256ByHand(claims(), pem);

      // Act / Assert
      expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
    });
  });

  it('refuses an RS256 token relabelled PS256 (the algorithm is pinned to the key)', async () => {
    // Arrange
    const { publicKey, privateKey } = await generateKeyPair('PS256');
    const verify = createTokenVerifier(jwtConfig(publicKeySource(await exportSPKI(publicKey))));
    const token = await sign(claims(), privateKey, 'PS256');

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses an ES256 token presented to an RS256 verifier', async () => {
    // Arrange
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    const verify = createTokenVerifier(jwtConfig(publicKeySource(await exportSPKI(rsa.publicKey))));
    const token = await sign(claims(), ec.privateKey, 'ES256');

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('answers 401, not 503, when jose will not use the configured key (RSA under 2048 bits): a fixed key is no dependency', async () => {
    // Arrange: jose refuses to sign with such a key too, so the token is signed by hand
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const verify = createTokenVerifier(jwtConfig(publicKeySource(String(publicKey.export({ type: 'spki', format: 'pem' })))));
    const input = `${b64url({ alg: 'RS256' })}.${b64url(claims())}`;
    const token = `${input}.${signWithNode('sha256', Buffer.from(input), privateKey).toString('base64url')}`;

    // Act
    const error = await rejectionOf(verify, `Bearer ${token}`);

    // Assert: jose's TypeError is no token code; the log says so without its text
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toEqual({ reason: 'invalid token' });
  });

  it('throws ConfigError for a key that is not PEM', () => {
    // Act / Assert
    expect(() => publicKeySource('not a key')).toThrow(ConfigError);
  });

  it('throws ConfigError for an unsupported key type (P-384)', async () => {
    // Arrange
    const { publicKey } = await generateKeyPair('ES384');
    const pem = await exportSPKI(publicKey);

    // Act / Assert
    expect(() => publicKeySource(pem)).toThrow(/JWT_PUBLIC_KEY/);
  });
});


describe('createTokenVerifier with a JWKS URL', () => {
  let rsa: CryptoKey;
  let ec: CryptoKey;
  let ed: CryptoKey;
  let impostor: CryptoKey;
  let jwks: JSONWebKeySet;
  let jwksServer: StandIn;
  let verify: TokenVerifier;

  beforeAll(async () => {
    const [rsaPair, ecPair, edPair, impostorPair] = await Promise.all([
      generateKeyPair('RS256'),
      generateKeyPair('ES256'),
      generateKeyPair('Ed25519'),
      generateKeyPair('RS256'),
    ]);
    rsa = rsaPair.privateKey;
    ec = ecPair.privateKey;
    ed = edPair.privateKey;
    impostor = impostorPair.privateKey;
    jwks = {
      keys: [
        { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
        { ...(await exportJWK(edPair.publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
      ],
    };
    createLocalJWKSet(jwks); // the served document is a valid JWKS
    jwksServer = await startJsonStandIn(200, JSON.stringify(jwks));
    verify = createTokenVerifier(jwtConfig({ kind: 'jwks', url: jwksServer.url('/.well-known/jwks.json') }, { issuer: ISSUER }));
  });

  afterAll(async () => {
    await jwksServer.stop();
  });

  it.each([
    ['RS256', 'rsa-1', () => rsa],
    ['ES256', 'ec-1', () => ec],
    ['EdDSA', 'ed-1', () => ed],
  ])('accepts a valid %s token whose kid is in the set', async (alg, kid, key) => {
    // Arrange
    const iat = nowSeconds();
    const token = await sign(claims({ iat, iss: ISSUER }), key(), alg, { kid });

    // Act
    const result = await verify(`Bearer ${token}`);

    // Assert
    expect(result).toEqual({ userId: 'user-123', issuedAt: iat });
    expect(jwksServer.hits()).toBeGreaterThan(0);
  });

  it('refuses with 401 4001 a token signed by another key under a known kid', async () => {
    // Arrange
    const token = await sign(claims({ iss: ISSUER }), impostor, 'RS256', { kid: 'rsa-1' });

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses with 401 4001 a token whose kid is not in the set', async () => {
    // Arrange
    const token = await sign(claims({ iss: ISSUER }), impostor, 'RS256', { kid: 'unknown-kid' });

    // Act
    const error = await rejectionOf(verify, `Bearer ${token}`);

    // Assert: the token's fault, not the key server's
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toEqual({ reason: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('refuses with 401 4001 an expired token', async () => {
    // Arrange
    const token = await sign(claims({ iss: ISSUER, exp: nowSeconds() - 120 }), rsa, 'RS256', { kid: 'rsa-1' });

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses with 401 4001 a token with the wrong issuer', async () => {
    // Arrange
    const token = await sign(claims({ iss: 'https://evil.example.com' }), rsa, 'RS256', { kid: 'rsa-1' });

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses with 401 4001 alg none', async () => {
    // Arrange
    const token = `${b64url({ alg: 'none', kid: 'rsa-1' })}.${b64url(claims({ iss: ISSUER }))}.`;

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses with 401 4001 an HS256 token signed with the served JWKS as secret', async () => {
    // Arrange
    const token = hs256ByHand(claims({ iss: ISSUER }), JSON.stringify(jwks));

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses with 401 4001 a crit header naming an unknown extension', async () => {
    // Arrange
    const token = await new SignJWT(claims({ iss: ISSUER }))
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1', crit: ['urn:example:unknown'], 'urn:example:unknown': true })
      .sign(rsa, { crit: { 'urn:example:unknown': true } });

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
  });

  it('refuses with 401 4001 a malformed token', async () => {
    // Act / Assert
    expect(await rejectionKey(verify, 'Bearer not-a-jwt')).toBe('UNAUTHORIZED');
  });
});

describe('createTokenVerifier with a JWKS URL that fails', () => {
  let rsa: CryptoKey;
  const token = async (): Promise<string> => sign(claims(), rsa, 'RS256', { kid: 'rsa-1' });

  beforeAll(async () => {
    rsa = (await generateKeyPair('RS256')).privateKey;
  });

  it('answers 503 9001 when the JWKS server is down (closed port), naming the fetch error in the cause', async () => {
    // Arrange: take a free port, then close it so nothing listens there
    const url = new URL(`http://127.0.0.1:${await closedPort()}/.well-known/jwks.json`);
    const verify = createTokenVerifier(jwtConfig({ kind: 'jwks', url }));

    // Act
    const error = await rejectionOf(verify, `Bearer ${await token()}`);

    // Assert: no JOSE code, so the error's name
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    expect(error.cause).toEqual({ reason: 'jwks unavailable', code: 'TypeError' });
  });

  it.each([
    ['answers 500', 500, '{"error":"boom"}', 'ERR_JOSE_GENERIC'],
    ['answers something that is not JSON', 200, '<html>maintenance</html>', 'ERR_JOSE_GENERIC'],
    ['answers JSON that is not a key set', 200, '{"hello":"world"}', 'ERR_JWKS_INVALID'],
  ])('answers 503 9001 when the JWKS server %s, naming the JOSE code in the cause', async (_label, status, body, code) => {
    // Arrange
    const server = await startJsonStandIn(status, body);
    const url = server.url('/.well-known/jwks.json');
    const verify = createTokenVerifier(jwtConfig({ kind: 'jwks', url }));

    try {
      // Act
      const error = await rejectionOf(verify, `Bearer ${await token()}`);

      // Assert
      expect(error.key).toBe('SERVICE_UNAVAILABLE');
      expect(error.cause).toEqual({ reason: 'jwks unavailable', code });
    } finally {
      await server.stop();
    }
  });

  it('gives up on a JWKS server that never answers after 3 s (503 9001, ERR_JWKS_TIMEOUT)', async () => {
    // Arrange: a server that accepts and stays silent; the spy records the bound jose is given
    const hole = await startBlackhole();
    const verify = createTokenVerifier(jwtConfig({ kind: 'jwks', url: hole.url('/.well-known/jwks.json') }));
    const timeout = vi.spyOn(AbortSignal, 'timeout');

    try {
      // Act
      const error = await rejectionOf(verify, `Bearer ${await token()}`);

      // Assert
      expect(timeout.mock.calls).toEqual([[3000]]);
      expect(error.key).toBe('SERVICE_UNAVAILABLE');
      expect(error.cause).toEqual({ reason: 'jwks unavailable', code: 'ERR_JWKS_TIMEOUT' });
      expect(hole.connections()).toBe(1);
    } finally {
      timeout.mockRestore();
      await hole.stop();
    }
  });
});

describe('createTokenVerifier with a secret from a parameter store', () => {
  const NAME = '/change-password/test/jwt-secret';
  /** A verifier for the parameter NAME whose value `fetchSecret` gives (a plain function: the SSM client is tests/adapters/ssm's). */
  const parameterVerifier = (fetchSecret: (name: string) => Promise<string>) =>
    createTokenVerifier(jwtConfig({ kind: 'secretParameter', name: NAME }), { fetchSecret });

  it('needs a fetcher: building one without it is a programming error', () => {
    // Act / Assert
    expect(() => createTokenVerifier(jwtConfig({ kind: 'secretParameter', name: NAME }))).toThrow(new TypeError('a JWT_SECRET_PARAMETER key source needs a secret fetcher'));
  });

  it('accepts a secret of exactly 32 bytes, asking the fetcher for the configured name', async () => {
    // Arrange
    const secret = 's'.repeat(32);
    const asked: string[] = [];
    const verify = parameterVerifier((name) => (asked.push(name), Promise.resolve(secret)));
    const token = await sign(claims(), new TextEncoder().encode(secret), 'HS256');

    // Act
    const result = await verify(`Bearer ${token}`);

    // Assert
    expect(result.userId).toBe('user-123');
    expect(asked).toEqual([NAME]);
  });

  it('refuses to verify with a secret of 31 bytes: 500, naming the parameter, never the value', async () => {
    // Arrange: 31 bytes in 17 characters (the limit counts bytes)
    const secret = `${'€'.repeat(7)}${'s'.repeat(10)}`;
    expect(Buffer.byteLength(secret)).toBe(31);
    const verify = parameterVerifier(() => Promise.resolve(secret));
    const token = hs256ByHand(claims(), secret);

    // Act
    const error = await rejectionOf(verify, `Bearer ${token}`);

    // Assert
    expect(error.key).toBe('INTERNAL');
    expect(error.cause).toEqual({ reason: 'JWT_SECRET_PARAMETER value is shorter than 32 bytes', parameter: NAME });
  });

  it('answers 503 when the fetcher fails, naming its error in the cause', async () => {
    // Arrange
    const verify = parameterVerifier(() => Promise.reject(Object.assign(new Error('stand-in failure'), { name: 'ParameterNotFound' })));

    // Act
    const error = await rejectionOf(verify, `Bearer ${await sign(claims(), SECRET_KEY, 'HS256')}`);

    // Assert
    expect(error.key).toBe('SERVICE_UNAVAILABLE');
    expect(error.cause).toEqual({ reason: 'secretParameter unavailable', code: 'ParameterNotFound' });
  });

  it('answers 401 for a token signed with another secret: the token is at fault, not the store', async () => {
    // Arrange
    const verify = parameterVerifier(() => Promise.resolve(SECRET));
    const token = await sign(claims(), new TextEncoder().encode('another-secret-that-is-also-32-bytes-long'), 'HS256');

    // Act
    const error = await rejectionOf(verify, `Bearer ${token}`);

    // Assert
    expect(error.key).toBe('UNAUTHORIZED');
    expect(error.cause).toEqual({ reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});
