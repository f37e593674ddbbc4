import { describe, expect, it } from 'vitest';
import type { UserStore } from '../../lib/core/ports.js';
import { apiEvent, SEED_NEW, SEED_OLD, useHarness } from '../support/harness.js';

/** Security headers on every answer, and CORS only for the configured origins. */
const { h } = useHarness();

const HARDENING = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' };

describe('response hardening', () => {
  it('sends no-store, nosniff and HSTS on 2xx, 4xx and 5xx', async () => {
    const { token } = await h.seedUser();
    const failing: UserStore = { beginAttempt: () => Promise.reject(new Error('boom')), releaseAttempt: () => Promise.resolve(), replacePasswordHash: () => Promise.resolve() };
    const ok = await h.change(token, SEED_OLD, SEED_NEW);
    const bad = await h.invoke(apiEvent({ body: {} }));
    const broken = await h.invokerWith({ store: failing })(apiEvent({ token, body: { oldPassword: SEED_OLD, newPassword: SEED_NEW } }));
    expect([ok.statusCode, bad.statusCode, broken.statusCode]).toEqual([200, 401, 500]);
    for (const res of [ok, bad, broken]) expect(res.headers).toMatchObject(HARDENING);
    expect(broken.body).toBe('{"status":false,"error":{"code":9000,"message":"Internal server error"}}');
  });

  it('sends no CORS headers and answers OPTIONS with 405 when CORS is off (the default)', async () => {
    const res = await h.invoke(apiEvent({ method: 'OPTIONS', headers: { origin: 'https://app.example.com' } }));
    expect(res.statusCode).toBe(405);
    expect(res.headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });

  it('answers the preflight and tags answers for an allowed origin when CORS_ALLOWED_ORIGINS is set', async () => {
    const cors = h.invokerWith({ corsAllowedOrigins: ['https://app.example.com'] });
    const preflight = await cors(apiEvent({ method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } }));
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Allow-Methods': 'POST,OPTIONS', 'Access-Control-Allow-Headers': 'Authorization,Content-Type' });
    const allowed = await cors(apiEvent({ body: {}, headers: { origin: 'https://app.example.com' } }));
    expect(allowed.statusCode).toBe(401);
    expect(allowed.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    const other = await cors(apiEvent({ body: {}, headers: { origin: 'https://evil.example.net' } }));
    expect(other.headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });
});
