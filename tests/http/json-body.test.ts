import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserStore } from '../../lib/core/ports.js';
import { MAX_BODY_BYTES } from '../../lib/http/body.js';
import { apiEvent, errorCode, SEED_NEW, SEED_OLD, startHarness, type Harness } from '../support/harness.js';

/**
 * The body as @middy/http-json-body-parser reads it, behind our own checks: every answer exactly
 * as the envelope table has it (413 before 415, 415 1003, 400 1001 for anything that is not a safe
 * JSON object), and base64 bodies as API Gateway sends them.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const SEED = JSON.stringify({ oldPassword: SEED_OLD, newPassword: SEED_NEW });
const MALFORMED = '{"status":false,"error":{"code":1001,"message":"Request body must be a JSON object"}}';
const withToken = async (parts: Parameters<typeof apiEvent>[0]) => h.invoke(apiEvent({ token: (await h.seedUser()).token, ...parts }));

describe('the JSON body', () => {
  it.each([
    ['application/json', 'application/json'],
    ['a charset, in any case', 'APPLICATION/JSON; charset=UTF-8'],
    ['a space before the parameters', 'application/json ; charset=utf-8'],
    ['a structured +json type with a charset', 'application/merge-patch+json; charset=utf-8'],
  ])('accepts %s', async (_case, contentType) => {
    const res = await withToken({ rawBody: SEED, headers: { 'content-type': contentType } });
    expect(res.statusCode).toBe(200);
  });

  it('accepts a base64-encoded body', async () => {
    const res = await withToken({ rawBody: Buffer.from(SEED).toString('base64'), isBase64Encoded: true });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['a __proto__ key', `{"__proto__":{"admin":true},"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}"}`],
    ['a constructor key holding a prototype', `{"constructor":{"prototype":{"admin":true}},"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}"}`],
    ['a plain constructor key', `{"constructor":1,"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}"}`],
    ['a nested prototype key', `{"x":{"prototype":1},"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}"}`],
    ['malformed JSON', '{"oldPassword":'],
    ['an empty body', ''],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['a JSON array', `[{"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}"}]`],
    ['a JSON string', '"x"'],
  ])('answers 400 1001 for %s', async (_case, rawBody) => {
    const res = await withToken({ rawBody });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe(MALFORMED);
  });

  it('answers 400 1001 for a missing body (null)', async () => {
    const { token } = await h.seedUser();
    const res = await h.invoke({ ...apiEvent({ token }), body: null });
    expect(res.body).toBe(MALFORMED);
  });

  it('keeps a lone surrogate of a text body as it came, to be refused (400 1002), rather than turn it into a replacement character', async () => {
    const res = await withToken({ rawBody: `{"oldPassword":"${SEED_OLD}","newPassword":"Abc-\ud800-123!xyz"}` });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('"fieldErrors":["newPassword:invalidCharacters"]');
  });

  it('answers 400 1001 for base64 of bytes that are not UTF-8, rather than reading them with replacement characters', async () => {
    const bytes = Buffer.concat([Buffer.from(`{"oldPassword":"${SEED_OLD}","newPassword":"${SEED_NEW}`), Buffer.from([0xff]), Buffer.from('"}')]);
    const res = await withToken({ rawBody: bytes.toString('base64'), isBase64Encoded: true });
    expect(res.body).toBe(MALFORMED);
  });

  it('answers 413 1004 before looking at the content type', async () => {
    const res = await withToken({ rawBody: 'x'.repeat(9000), headers: { 'content-type': 'text/plain' } });
    expect(res.statusCode).toBe(413);
    expect(res.body).toBe('{"status":false,"error":{"code":1004,"message":"Request body is too large"}}');
  });

  it('reads a body of exactly MAX_BODY_BYTES, and answers 413 1004 to one byte more', async () => {
    const padded = (bytes: number) => SEED.padEnd(bytes, ' ');
    expect((await withToken({ rawBody: padded(MAX_BODY_BYTES) })).statusCode).toBe(200);
    expect((await withToken({ rawBody: padded(MAX_BODY_BYTES + 1) })).statusCode).toBe(413);
  });

  it('answers 500 9000, not 1001, to a dependency error that carries statusCode 422: only the parser’s own errors are the body’s fault', async () => {
    const { token } = await h.seedUser();
    const unprocessable = Object.assign(new Error('unprocessable'), { statusCode: 422 });
    const store: UserStore = { beginAttempt: () => Promise.reject(unprocessable), releaseAttempt: () => Promise.resolve(), replacePasswordHash: () => Promise.resolve() };
    const res = await h.invokerWith({ store })(apiEvent({ token, rawBody: SEED }));
    expect(res.statusCode).toBe(500);
    expect(errorCode(res)).toBe(9000);
  });

  it.each(['text/plain', 'application/jsonp', 'application/x-www-form-urlencoded', 'json', 'text/plain; format=application/json'])('answers 415 1003 for %s', async (contentType) => {
    const res = await withToken({ rawBody: SEED, headers: { 'content-type': contentType } });
    expect(res.statusCode).toBe(415);
    expect(res.body).toBe('{"status":false,"error":{"code":1003,"message":"Content-Type must be application/json"}}');
  });
});
