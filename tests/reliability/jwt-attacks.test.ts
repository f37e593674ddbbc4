import { createPrivateKey, type KeyObject } from 'node:crypto';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../lib/config/variables.js';
import { type Config } from '../../lib/config/load.js';
import { publicKeySource } from '../../lib/adapters/jwt/key-source.js';
import type { HttpEvent, HttpResult } from '../../lib/http/event.js';
import { createTokenVerifier, MAX_TOKEN_LENGTH } from '../../lib/adapters/jwt/token-verifier.js';
import { CLOCK_TOLERANCE_SECONDS } from '../../lib/core/ports.js';
import { apiEvent, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../support/harness.js';
import { startJsonStandIn, type StandIn } from '../support/stand-in.js';
import { b64url, claims, DEV_SECRET_KEY, hmacToken, nowSeconds as now, signToken, unsignedToken as unsigned } from '../support/tokens.js';

/**
 * JWT attacks through the whole handler: every forged, confused or smuggled token is the
 * generic 401 and leaves the record alone; each key source has a positive control so a verifier
 * that refused everything would fail here. (tests/adapters/jwt/token-verifier.test.ts covers the verifier alone.)
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const BODY = { oldPassword: SEED_OLD, newPassword: SEED_NEW };
const UNAUTHORIZED = '{"status":false,"error":{"code":4001,"message":"Unauthorized"}}';
const NO_AUTH_TOKEN = '{"status":false,"error":{"code":4002,"message":"No auth token"}}';
type Attack = { name: string; event: (sub: string) => HttpEvent | Promise<HttpEvent>; body: string };

/** Runs an attack against a fresh user and asserts the exact 401 and an untouched record. */
const expectRefused = async (invoke: (event: HttpEvent) => Promise<HttpResult>, attack: Attack) => {
  const { userId } = await h.seedUser();
  const before = await h.getItem(userId);
  const res = await invoke(await attack.event(userId));
  expect(res.statusCode).toBe(401);
  expect(res.body).toBe(attack.body);
  expect(await h.getItem(userId)).toEqual(before);
};
const bearer = (token: string, extra: Partial<Parameters<typeof apiEvent>[0]> = {}) => apiEvent({ token, body: BODY, ...extra });

describe('JWT attacks on a handler that verifies HS256 with a shared secret', () => {
  const invoke = (event: HttpEvent) => h.invoke(event);

  it('accepts a well-formed token (positive control)', async () => {
    const { userId } = await h.seedUser();
    const token = await signToken(claims(userId), DEV_SECRET_KEY, 'HS256');
    expect((await invoke(bearer(token))).statusCode).toBe(200);
  });

  const attacks: Attack[] = [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): Attack => ({ name: `alg "${alg}" without a signature`, event: (sub) => bearer(unsigned({ alg, typ: 'JWT' }, claims(sub))), body: UNAUTHORIZED })),
    { name: 'alg "none" carrying a valid HS256 signature', event: (sub) => bearer(`${unsigned({ alg: 'none' }, claims(sub)).slice(0, -1)}${hmacToken({ alg: 'HS256' }, claims(sub), DEV_JWT_SECRET).split('.')[2]}`), body: UNAUTHORIZED },
    { name: 'HS384, signed with the right secret (outside the allowlist)', event: (sub) => bearer(hmacToken({ alg: 'HS384' }, claims(sub), DEV_JWT_SECRET, 384)), body: UNAUTHORIZED },
    { name: 'HS512, signed with the right secret (outside the allowlist)', event: (sub) => bearer(hmacToken({ alg: 'HS512' }, claims(sub), DEV_JWT_SECRET, 512)), body: UNAUTHORIZED },
    { name: 'an RS256 header over an HS256 signature', event: (sub) => bearer(hmacToken({ alg: 'RS256' }, claims(sub), DEV_JWT_SECRET)), body: UNAUTHORIZED },
    { name: 'a crit header naming an unknown extension', event: (sub) => bearer(hmacToken({ alg: 'HS256', crit: ['urn:x:evil'], 'urn:x:evil': true }, claims(sub), DEV_JWT_SECRET)), body: UNAUTHORIZED },
    { name: 'crit b64=false (unencoded payload)', event: (sub) => bearer(hmacToken({ alg: 'HS256', crit: ['b64'], b64: false }, claims(sub), DEV_JWT_SECRET)), body: UNAUTHORIZED },
    { name: 'an empty crit list', event: (sub) => bearer(hmacToken({ alg: 'HS256', crit: [] }, claims(sub), DEV_JWT_SECRET)), body: UNAUTHORIZED },
    { name: 'a jwk header embedding the attacker’s own secret', event: (sub) => bearer(hmacToken({ alg: 'HS256', jwk: { kty: 'oct', k: b64url('attacker-secret-attacker-secret-0') } }, claims(sub), 'attacker-secret-attacker-secret-0')), body: UNAUTHORIZED },
    { name: 'a kid path traversal signed with an empty key', event: (sub) => bearer(hmacToken({ alg: 'HS256', kid: '../../../../dev/null' }, claims(sub), '')), body: UNAUTHORIZED },
    { name: 'a kid SQL injection signed with the attacker’s secret', event: (sub) => bearer(hmacToken({ alg: 'HS256', kid: "x' UNION SELECT 'k' --" }, claims(sub), 'k')), body: UNAUTHORIZED },
    { name: 'a jku pointing at the attacker', event: (sub) => bearer(hmacToken({ alg: 'HS256', jku: 'http://127.0.0.1:9/jwks.json' }, claims(sub), 'attacker')), body: UNAUTHORIZED },
    { name: `nbf beyond the ${CLOCK_TOLERANCE_SECONDS} s tolerance`, event: (sub) => bearer(hmacToken({ alg: 'HS256' }, claims(sub, { nbf: now() + CLOCK_TOLERANCE_SECONDS + 60 }), DEV_JWT_SECRET)), body: UNAUTHORIZED },
    { name: `iat beyond the ${CLOCK_TOLERANCE_SECONDS} s tolerance`, event: (sub) => bearer(hmacToken({ alg: 'HS256' }, claims(sub, { iat: now() + 3600 }), DEV_JWT_SECRET)), body: UNAUTHORIZED },
    { name: 'an iat that is not a number', event: (sub) => bearer(hmacToken({ alg: 'HS256' }, claims(sub, { iat: 'yesterday' as unknown as number }), DEV_JWT_SECRET)), body: UNAUTHORIZED },
    { name: 'exp beyond the tolerance in the past', event: (sub) => bearer(hmacToken({ alg: 'HS256' }, claims(sub, { exp: now() - CLOCK_TOLERANCE_SECONDS - 60 }), DEV_JWT_SECRET)), body: UNAUTHORIZED },
    { name: 'a signature stripped off a valid token', event: (sub) => bearer(`${hmacToken({ alg: 'HS256' }, claims(sub), DEV_JWT_SECRET).split('.').slice(0, 2).join('.')}.`), body: UNAUTHORIZED },
    { name: 'a JWE-shaped (5-part) token', event: (sub) => bearer(`${b64url({ alg: 'dir', enc: 'A256GCM' })}..${b64url('iv')}.${b64url(claims(sub))}.${b64url('tag')}`), body: UNAUTHORIZED },
    {
      name: `a correctly signed token over ${MAX_TOKEN_LENGTH} characters`,
      event: (sub) => bearer(hmacToken({ alg: 'HS256' }, claims(sub, { pad: 'x'.repeat(MAX_TOKEN_LENGTH) }), DEV_JWT_SECRET)),
      body: UNAUTHORIZED,
    },
    // DynamoDB refuses a partition key over 2048 bytes (ValidationException, a 500); dynalite does not.
    { name: 'a correctly signed token whose sub is 1024 characters but 3072 UTF-8 bytes', event: async () => bearer(await validHs('€'.repeat(1024))), body: UNAUTHORIZED },
    { name: 'a 1 MiB Authorization header', event: () => bearer('a'.repeat(1 << 20)), body: UNAUTHORIZED },
    // Two tokens: neither may be picked. API Gateway joins repeated headers with a comma.
    { name: 'two valid tokens joined by a comma', event: async (sub) => apiEvent({ body: BODY, headers: { authorization: `Bearer ${await validHs(sub)}, Bearer ${await validHs(sub)}` } }), body: NO_AUTH_TOKEN },
    { name: 'two valid tokens separated by a space', event: async (sub) => apiEvent({ body: BODY, headers: { authorization: `Bearer ${await validHs(sub)} ${await validHs(sub)}` } }), body: NO_AUTH_TOKEN },
    // Only the Authorization header authenticates.
    {
      name: 'a valid token in the query string only',
      event: async (sub) => {
        const token = await validHs(sub);
        return { ...apiEvent({ body: BODY }), rawQueryString: `access_token=${token}`, queryStringParameters: { access_token: token, token } } as HttpEvent;
      },
      body: NO_AUTH_TOKEN,
    },
    { name: 'a valid token in a cookie only', event: async (sub) => apiEvent({ body: BODY, headers: { cookie: `token=${await validHs(sub)}; access_token=${await validHs(sub)}` } }), body: NO_AUTH_TOKEN },
    { name: 'a valid token in the body only', event: async (sub) => apiEvent({ body: { ...BODY, token: await validHs(sub), authorization: `Bearer ${await validHs(sub)}` } }), body: NO_AUTH_TOKEN },
  ];
  const validHs = (sub: string) => signToken(claims(sub), DEV_SECRET_KEY, 'HS256');

  it.each(attacks)('refuses $name', (attack) => expectRefused(invoke, attack));
});

describe('JWT attacks on a handler that verifies RS256 with a PEM public key', () => {
  let rsa: CryptoKey;
  /** The same private key as a KeyObject, which (unlike a WebCrypto key) signs with any RSA algorithm. */
  let rsaAnyAlg: KeyObject;
  let attacker: CryptoKey;
  let attackerJwk: JWK;
  let pem: string;
  let invoke: (event: HttpEvent) => Promise<HttpResult>;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const evil = await generateKeyPair('RS256', { extractable: true });
    rsa = pair.privateKey;
    rsaAnyAlg = createPrivateKey(await exportPKCS8(pair.privateKey));
    attacker = evil.privateKey;
    attackerJwk = await exportJWK(evil.publicKey);
    pem = await exportSPKI(pair.publicKey);
    invoke = h.invokerWith({ verifyToken: createTokenVerifier({ key: publicKeySource(pem), issuer: undefined, audience: undefined }) });
  });

  it('accepts an RS256 token signed with the private key (positive control)', async () => {
    const { userId } = await h.seedUser();
    const token = await signToken(claims(userId), rsa, 'RS256');
    expect((await invoke(bearer(token))).statusCode).toBe(200);
  });

  const attacks: Attack[] = [
    { name: 'HS256 signed with the PEM text as the HMAC secret (key confusion)', event: (sub) => bearer(hmacToken({ alg: 'HS256' }, claims(sub), pem)), body: UNAUTHORIZED },
    { name: 'HS256 signed with the PEM text without its final newline', event: (sub) => bearer(hmacToken({ alg: 'HS256' }, claims(sub), pem.trimEnd())), body: UNAUTHORIZED },
    { name: 'PS256 signed with the real private key (outside the allowlist)', event: async (sub) => bearer(await signToken(claims(sub), rsaAnyAlg, 'PS256')), body: UNAUTHORIZED },
    { name: 'RS512 signed with the real private key (outside the allowlist)', event: async (sub) => bearer(await signToken(claims(sub), rsaAnyAlg, 'RS512')), body: UNAUTHORIZED },
    { name: 'a jwk header embedding the attacker’s public key', event: async (sub) => bearer(await signToken(claims(sub), attacker, 'RS256', { jwk: attackerJwk })), body: UNAUTHORIZED },
    { name: 'an x5u pointing at the attacker', event: async (sub) => bearer(await signToken(claims(sub), attacker, 'RS256', { x5u: 'http://127.0.0.1:9/cert.pem' })), body: UNAUTHORIZED },
    { name: 'alg none', event: (sub) => bearer(unsigned({ alg: 'none' }, claims(sub))), body: UNAUTHORIZED },
  ];

  it.each(attacks)('refuses $name', (attack) => expectRefused(invoke, attack));
});

describe('JWT attacks on a handler that verifies against a remote JWKS', () => {
  let good: CryptoKey;
  let attacker: CryptoKey;
  let attackerJwks: { keys: JWK[] };
  let servers: { jwks: StandIn; evil: StandIn };
  let jwksUrl: URL;
  let evilUrl: string;
  let invoke: (event: HttpEvent) => Promise<HttpResult>;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    const evil = await generateKeyPair('RS256');
    good = pair.privateKey;
    attacker = evil.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'good', alg: 'RS256', use: 'sig' }] };
    attackerJwks = { keys: [{ ...(await exportJWK(evil.publicKey)), kid: 'good', alg: 'RS256', use: 'sig' }] };
    servers = { jwks: await startJsonStandIn(200, JSON.stringify(jwks)), evil: await startJsonStandIn(200, JSON.stringify(attackerJwks)) };
    jwksUrl = servers.jwks.url('/.well-known/jwks.json');
    evilUrl = servers.evil.url('/jwks.json').href;
    const jwt: Config['jwt'] = { key: { kind: 'jwks', url: jwksUrl }, issuer: undefined, audience: undefined };
    invoke = h.invokerWith({ verifyToken: createTokenVerifier(jwt) });
  });
  afterAll(async () => {
    for (const server of Object.values(servers)) await server.stop();
  });

  it('accepts a token signed with a key from the set (positive control)', async () => {
    const { userId } = await h.seedUser();
    const token = await signToken(claims(userId), good, 'RS256', { kid: 'good' });
    expect((await invoke(bearer(token))).statusCode).toBe(200);
  });

  it('never fetches a key from a jku, x5u or jwk header the token carries', async () => {
    const sign = (sub: string, header: Record<string, unknown>) => signToken(claims(sub), attacker, 'RS256', { kid: 'good', ...header });
    const tricks = [{ jku: evilUrl }, { x5u: evilUrl }, { jwk: attackerJwks.keys[0] }, { jku: evilUrl, kid: 'evil-only' }];
    for (const header of tricks) {
      await expectRefused(invoke, { name: JSON.stringify(Object.keys(header)), event: async (sub) => bearer(await sign(sub, header)), body: UNAUTHORIZED });
    }
    expect(servers.evil.hits()).toBe(0);
  });

  it('refuses a kid from the set with an algorithm the key is not for', async () => {
    const es = (await generateKeyPair('ES256')).privateKey;
    await expectRefused(invoke, { name: 'ES256 under an RSA kid', event: async (sub) => bearer(await signToken(claims(sub), es, 'ES256', { kid: 'good' })), body: UNAUTHORIZED });
  });

  it('refuses HS256 signed with the published JWKS as the secret', async () => {
    await expectRefused(invoke, { name: 'JWKS as HMAC secret', event: (sub) => bearer(hmacToken({ alg: 'HS256', kid: 'good' }, claims(sub), JSON.stringify(attackerJwks))), body: UNAUTHORIZED });
  });

  it('does not let a flood of unknown kids turn into a flood of JWKS fetches', async () => {
    const { userId } = await h.seedUser();
    const before = servers.jwks.hits();
    const tokens = await Promise.all(Array.from({ length: 25 }, (_, i) => signToken(claims(userId), attacker, 'RS256', { kid: `random-${i}` })));
    const results = await Promise.all(tokens.map((token) => invoke(bearer(token))));
    expect(results.map((r) => r.statusCode)).toEqual(Array(25).fill(401));
    // jose refetches on an unknown kid at most once per 30 s cooldown.
    expect(servers.jwks.hits() - before).toBeLessThanOrEqual(1);
  });
});
