import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../lib/http/event.js';
import { verifyPassword } from '../../lib/adapters/bcrypt/password-hash.js';
import { mintToken } from '../../scripts/local/dev-token.js';
import { DEFAULT_LIMITS, lambdaContext, SEED_OLD, startHarness, type Harness, withoutCounter } from '../support/harness.js';
import { claims as validClaims, DEV_SECRET_KEY, signToken } from '../support/tokens.js';

/**
 * Property-based fuzzing of body, headers and token through the real handler and a real
 * DynamoDB API server. For any input: the answer is a JSON envelope, 200 or 4xx, never 5xx; no
 * answer quotes a submitted password; and the stored record changes only on a 200 (and then holds
 * a hash of exactly the submitted new password).
 *
 * 50 runs per property keep `npm test` quick (about 4 s of CPU here); `npm run test:dynamodb-local`
 * runs 100 (FUZZ_RUNS), so CI tries 150 inputs per property; raise FUZZ_RUNS for a longer hunt.
 * A failure prints fast-check's seed and path; replay with FUZZ_SEED and FUZZ_PATH.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);
const replay = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED), path: process.env.FUZZ_PATH };

let h: Harness;
beforeAll(async () => {
  // Inputs, not the attempt limit, are under test here (it has its own tests): a limit fuzzing cannot reach.
  h = await startHarness({ limits: { ...DEFAULT_LIMITS, maxAttempts: 100_000 } });
});
afterAll(() => h.stop());

/** One user whose current password the test tracks, so that generated requests can succeed. */
const subject = async () => {
  const { userId, token } = await h.seedUser();
  return { userId, token, password: SEED_OLD };
};
type Subject = Awaited<ReturnType<typeof subject>>;

const SUCCESS = '{"status":true,"data":{"passwordChanged":"OK"}}';

/**
 * Invokes the handler and checks every property that must hold for any input. `submitted` are the
 * passwords the request carried, if any, for the no-echo and "changed to exactly this" checks.
 */
const invokeAndCheck = async (user: Subject, event: HttpEvent, submitted: { newPassword?: unknown; secrets?: string[] } = {}): Promise<HttpResult> => {
  const before = await h.getItem(user.userId);
  const res = await h.invoke(event, lambdaContext());
  const after = await h.getItem(user.userId);

  expect(res.headers['Content-Type']).toBe('application/json; charset=utf-8');
  const body = JSON.parse(res.body) as { status: boolean; error?: { code: unknown; message: unknown } };
  if (res.statusCode === 200) {
    expect(res.body).toBe(SUCCESS);
    expect(typeof submitted.newPassword).toBe('string');
    expect(await verifyPassword(submitted.newPassword as string, after?.passwordHash as string)).toBe(true);
    user.password = submitted.newPassword as string;
    // The change made the token stale (tokens older than the last change are refused): a new one.
    user.token = await mintToken(user.userId, { issuedAt: Math.ceil(Date.now() / 1000) });
  } else {
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(body.status).toBe(false);
    expect(typeof body.error?.code).toBe('number');
    expect(typeof body.error?.message).toBe('string');
    expect(withoutCounter(after)).toEqual(withoutCounter(before));
  }
  for (const secret of submitted.secrets ?? []) {
    if (secret.length >= 8) expect(res.body).not.toContain(secret);
  }
  return res;
};

// Building blocks

/** Strings that stress parsers: any code point (lone surrogates included), NULs, controls, long runs. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 8, maxLength: 130 }),
  fc.tuple(fc.constantFrom('A', '\u0000', '😀', '\u202e', '\\', '"'), fc.integer({ min: 1, max: 20_000 })).map(([c, n]) => c.repeat(n)),
);
/** Passwords that pass the policy, so generated requests do reach bcrypt and the write. */
const strongPassword = fc.string({ unit: fc.constantFrom(...'abcdefghXYZ0123456789!@#$%^&*😀é\u0000\t'), minLength: 4, maxLength: 100 }).map((s) => `Aa1!${s}`);
const password = (user: () => Subject) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(null).map(() => user().password) }, { weight: 2, arbitrary: strongPassword }, { weight: 1, arbitrary: nastyString });

const jsonText = (value: unknown): string => JSON.stringify(value) ?? 'null';
/** A JSON object as raw text from key/value pairs, so keys may repeat and include __proto__. */
const objectText = (pairs: [string, string][]): string => `{${pairs.map(([k, v]) => `${jsonText(k)}:${v}`).join(',')}}`;
const POISON_KEYS = ['__proto__', 'constructor', 'prototype', 'userId', 'oldPassword', 'newPassword', 'isAdmin', 'toString', 'hasOwnProperty'];

const bodyText = (user: () => Subject) =>
  fc.oneof(
    // Well-shaped bodies, with a current or random old password and a strong or nasty new one.
    {
      weight: 4,
      arbitrary: fc.record({ oldPassword: password(user), newPassword: password(user) }).map((b) => ({ text: jsonText(b), newPassword: b.newPassword, secrets: [b.oldPassword, b.newPassword] })),
    },
    // Raw objects with repeated and prototype-polluting keys.
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...POISON_KEYS), fc.string()), fc.oneof(password(user).map(jsonText), fc.jsonValue().map(jsonText))), { maxLength: 6 })
      .map((pairs) => ({ text: objectText(pairs), newPassword: undefined, secrets: [] })),
    // Any JSON at all, and things that are almost JSON.
    fc.json().map((text) => ({ text, newPassword: undefined, secrets: [] })),
    fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ text, newPassword: undefined, secrets: [] })),
    // Deep nesting, around and beyond the 8 KiB limit.
    fc.tuple(fc.integer({ min: 1, max: 6000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'])).map(([n, [open, close]]) => ({ text: `${open.repeat(n)}1${close.repeat(n)}`, newPassword: undefined, secrets: [] })),
    // Huge bodies.
    fc.integer({ min: 8000, max: 200_000 }).map((n) => ({ text: jsonText({ oldPassword: 'x'.repeat(n), newPassword: 'y' }), newPassword: undefined, secrets: [] })),
  );

/** The body as API Gateway delivers it: text, or base64 of that text, or base64 of random bytes. */
const encodedBody = (user: () => Subject) =>
  fc.oneof(
    { weight: 4, arbitrary: bodyText(user).map((b) => ({ ...b, body: b.text, isBase64Encoded: false })) },
    { weight: 2, arbitrary: bodyText(user).map((b) => ({ ...b, body: Buffer.from(b.text, 'utf8').toString('base64'), isBase64Encoded: true })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ text: '', newPassword: undefined, secrets: [], body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((junk) => ({ text: '', newPassword: undefined, secrets: [], body: junk, isBase64Encoded: true })) },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined, '').map((body) => ({ text: '', newPassword: undefined, secrets: [], body, isBase64Encoded: false })) },
  );

const event = (headers: Record<string, string> | null | undefined, body: string | null | undefined, isBase64Encoded: boolean, method = 'POST'): HttpEvent => ({
  headers,
  body,
  isBase64Encoded,
  requestContext: { requestId: 'fuzz', http: { method, sourceIp: '203.0.113.9' } },
});

// Properties

describe('fuzzing POST /v1/users/profile/change-password', () => {
  it('any body, plain or base64: a 200 or 4xx envelope, and the record changes only on a 200', async () => {
    const user = await subject();
    let successes = 0;
    // Two fixed examples run first on every run, so the write path is always exercised, plain and base64.
    const example = (newPassword: string, base64: boolean) => {
      const text = JSON.stringify({ oldPassword: base64 ? 'Example-1-P@ssw0rd' : SEED_OLD, newPassword });
      return { text, newPassword, secrets: [newPassword], body: base64 ? Buffer.from(text).toString('base64') : text, isBase64Encoded: base64 };
    };
    await fc.assert(
      fc.asyncProperty(encodedBody(() => user), async (b) => {
        const res = await invokeAndCheck(user, event({ authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }, b.body, b.isBase64Encoded), {
          newPassword: b.newPassword,
          secrets: b.secrets.filter((s): s is string => typeof s === 'string'),
        });
        if (res.statusCode === 200) successes += 1;
      }),
      { numRuns: RUNS, examples: [[example('Example-1-P@ssw0rd', false)], [example('Example-2-P@ssw0rd', true)]], ...replay },
    );
    // The examples and the generator must reach the write path, or the property above proves little.
    expect(successes).toBeGreaterThanOrEqual(2);
  });

  it('any header names in any casing, duplicated or not: same rules, same guarantees', async () => {
    const user = await subject();
    const good = () => ({ oldPassword: user.password, newPassword: `Fuzz-${Math.random().toString(36).slice(2)}-1!` });
    const headerValue = fc.oneof(
      fc.constant('auth').map(() => `Bearer ${user.token}`),
      fc.constantFrom('application/json', 'APPLICATION/JSON; charset=utf-8', 'application/merge-patch+json', 'text/plain', ''),
      nastyString,
    );
    const headerName = fc.oneof(fc.mixedCase(fc.constantFrom('authorization', 'content-type', 'x-forwarded-for', 'cookie')), fc.string({ maxLength: 20 }));
    const headers = fc.oneof(fc.dictionary(headerName, headerValue, { maxKeys: 6 }), fc.constantFrom(null, undefined));
    await fc.assert(
      fc.asyncProperty(headers, fc.constantFrom('POST', 'post', 'GET', 'PUT', 'OPTIONS'), async (hdrs, method) => {
        const body = good();
        await invokeAndCheck(user, event(hdrs, JSON.stringify(body), false, method), { newPassword: body.newPassword, secrets: [body.oldPassword, body.newPassword] });
      }),
      { numRuns: RUNS, ...replay },
    );
  });

  it('the casing of header names never changes the answer', async () => {
    const user = await subject();
    await fc.assert(
      fc.asyncProperty(fc.mixedCase(fc.constant('authorization')), fc.mixedCase(fc.constant('content-type')), fc.mixedCase(fc.constant('bearer')), async (auth, type, scheme) => {
        // A wrong old password: the answer is fully determined (400 5023) and nothing changes.
        const body = JSON.stringify({ oldPassword: 'Not-the-p@ssw0rd', newPassword: 'Fuzz-Casing-P@ss1' });
        const res = await invokeAndCheck(user, event({ [auth]: `${scheme} ${user.token}`, [type]: 'application/json' }, body, false));
        expect(res.body).toBe('{"status":false,"error":{"code":5023,"message":"Incorrect old password"}}');
      }),
      { numRuns: Math.ceil(RUNS / 3), ...replay },
    );
  });

  it('any sub in an otherwise valid token: 401 or 404, never 5xx, and only its own user changes', async () => {
    const user = await subject();
    const sub = fc.oneof(
      nastyString,
      fc.string({ unit: 'binary', maxLength: 1100 }),
      // Multi-byte runs either side of DynamoDB's 2048-byte key limit and of the 1024 limit on sub.
      fc.tuple(fc.constantFrom('€', 'é', '😀', 'x'), fc.integer({ min: 300, max: 1100 })).map(([c, n]) => c.repeat(n)),
    );
    await fc.assert(
      fc.asyncProperty(sub, async (s) => {
        const token = await signToken(validClaims(s), DEV_SECRET_KEY, 'HS256');
        const body = { oldPassword: user.password, newPassword: `Sub-${Math.random().toString(36).slice(2)}-7!` };
        const res = await invokeAndCheck(user, event({ authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify(body), false), { newPassword: body.newPassword });
        expect([401, 404]).toContain(res.statusCode);
      }),
      { numRuns: RUNS, ...replay },
    );
  });

  it('any token, from junk to correctly signed tokens with arbitrary claims: 401, or the right user only', async () => {
    const user = await subject();
    const claimValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.integer(), fc.double(), nastyString);
    const claims = fc.record(
      {
        // Long multi-byte subjects probe DynamoDB's 2048-byte key limit.
        sub: fc.oneof(fc.constant('self').map(() => user.userId), nastyString, fc.jsonValue({ maxDepth: 1 }), fc.integer({ min: 600, max: 1100 }).map((n) => '€'.repeat(n))), exp: fc.oneof(fc.constant(Math.floor(Date.now() / 1000) + 600), claimValue),
        // Mostly valid time claims, so that signed tokens get past jose to the store.
        iat: fc.oneof(fc.constant(Math.floor(Date.now() / 1000)), claimValue),
        nbf: fc.oneof(fc.constant(Math.floor(Date.now() / 1000) - 5), claimValue),
        extra: claimValue,
      },
      { requiredKeys: [] },
    );
    const signed = claims.chain((payload) =>
      fc.constantFrom('HS256', 'HS384', 'HS512').map((alg) => ({ payload, alg })),
    );
    const token = fc.oneof(
      signed.map(({ payload, alg }) => ({ kind: 'signed' as const, payload, alg })),
      nastyString.map((raw) => ({ kind: 'raw' as const, raw })),
      fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([at, insert]) => ({ kind: 'mutated' as const, at, insert })),
    );
    const scheme = fc.constantFrom('Bearer ', 'bearer\t', 'Bearer  ', 'Basic ', '', 'Bearer');
    await fc.assert(
      fc.asyncProperty(token, scheme, async (t, prefix) => {
        let value: string;
        /** A mutation that leaves every segment's decoded bytes as they were (same character, or unused low bits). */
        let sameBytes = false;
        if (t.kind === 'signed') {
          value = await signToken(t.payload as Record<string, unknown>, DEV_SECRET_KEY, t.alg).catch(() => 'unsignable');
        } else if (t.kind === 'raw') {
          value = t.raw;
        } else {
          const valid = await mintToken(user.userId);
          const at = t.at % valid.length;
          value = valid.slice(0, at) + t.insert + valid.slice(at + 1);
          const bytes = (token: string) => token.split('.').map((segment) => Buffer.from(segment, 'base64url').toString('hex'));
          sameBytes = JSON.stringify(bytes(value)) === JSON.stringify(bytes(valid)) && /^[\w-]$/.test(t.insert);
        }
        const body = { oldPassword: user.password, newPassword: `Tok-${Math.random().toString(36).slice(2)}-9!` };
        const res = await invokeAndCheck(user, event({ authorization: `${prefix}${value}`, 'content-type': 'application/json' }, JSON.stringify(body), false), {
          newPassword: body.newPassword,
          secrets: [body.oldPassword, body.newPassword],
        });
        // A 200 is only ever earned by an HS256 token for this very user (base64url's unused trailing
        // bits make a signed token's last character malleable; that is still the same signature).
        if (res.statusCode === 200) {
          expect((t.kind === 'signed' && t.alg === 'HS256' && (t.payload as { sub?: unknown }).sub === user.userId) || sameBytes).toBe(true);
        }
      }),
      { numRuns: RUNS, ...replay },
    );
  });
});
