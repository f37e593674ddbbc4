import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, publicKeySource } from '../../../lib/config/load.js';
import { AppError } from '../../../lib/core/errors.js';
import { CLOCK_TOLERANCE_SECONDS, createTokenVerifier, MAX_TOKEN_LENGTH, type JwtKeySource, type JwtOptions } from '../../../lib/adapters/jwt/token-verifier.js';
import { type TokenVerifier } from '../../../lib/core/ports.js';
import { closedPort } from '../../support/fault-servers.js';
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

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
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

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
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

  it(`refuses a correctly signed token longer than MAX_TOKEN_LENGTH (${MAX_TOKEN_LENGTH}) and accepts one at the limit`, async () => {
    // Arrange: grow a padding claim until the token crosses the limit
    let atLimit = '';
    let overLimit = '';
    // base64url turns 3 bytes into 4 characters, so start a little below 3/4 of the limit
    for (let chars = Math.floor((MAX_TOKEN_LENGTH * 3) / 4) - 200; overLimit === ''; chars += 1) {
      const token = await sign(claims({ padding: 'p'.repeat(chars) }), SECRET_KEY, 'HS256');
      if (token.length <= MAX_TOKEN_LENGTH) atLimit = token;
      else overLimit = token;
    }

    // Act / Assert
    expect(atLimit.length).toBeGreaterThan(MAX_TOKEN_LENGTH - 8);
    expect((await verify(`Bearer ${atLimit}`)).userId).toBe('user-123');
    expect(await rejectionKey(verify, `Bearer ${overLimit}`)).toBe('UNAUTHORIZED');
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
  ])('answers 401 4002 when the header is %s', async (_label, header) => {
    // Act / Assert
    expect(await rejectionKey(verify, header())).toBe('NO_AUTH_TOKEN');
  });

  it.each([
    ['Bearer', (t: string) => `Bearer ${t}`],
    ['bearer', (t: string) => `bearer ${t}`],
    ['BEARER', (t: string) => `BEARER ${t}`],
    ['a tab and trailing spaces', (t: string) => `Bearer\t${t}  `],
  ])('accepts the scheme written as %s', async (_label, header) => {
    // Act
    const result = await verify(header(token));

    // Assert
    expect(result.userId).toBe('user-123');
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

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${token}`)).toBe('UNAUTHORIZED');
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

  it('answers 503 9001 when the JWKS server is down (closed port)', async () => {
    // Arrange: take a free port, then close it so nothing listens there
    const url = new URL(`http://127.0.0.1:${await closedPort()}/.well-known/jwks.json`);
    const verify = createTokenVerifier(jwtConfig({ kind: 'jwks', url }));

    // Act / Assert
    expect(await rejectionKey(verify, `Bearer ${await token()}`)).toBe('SERVICE_UNAVAILABLE');
  });

  it.each([
    ['answers 500', 500, '{"error":"boom"}'],
    ['answers something that is not JSON', 200, '<html>maintenance</html>'],
    ['answers JSON that is not a key set', 200, '{"hello":"world"}'],
  ])('answers 503 9001 when the JWKS server %s', async (_label, status, body) => {
    // Arrange
    const server = await startJsonStandIn(status, body);
    const url = server.url('/.well-known/jwks.json');
    const verify = createTokenVerifier(jwtConfig({ kind: 'jwks', url }));

    try {
      // Act / Assert
      expect(await rejectionKey(verify, `Bearer ${await token()}`)).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await server.stop();
    }
  });
});
