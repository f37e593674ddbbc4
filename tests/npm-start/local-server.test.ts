import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, inject, it } from 'vitest';
import { CHANGE_PASSWORD_ROUTE } from '../../lib/http/routes.js';
import { assertFetchMatchesOpenApi } from '../support/openapi.js';

/**
 * The server `npm start` runs (serverless-offline over dynalite), driven over real HTTP. This file
 * alone uses the demo user and the token npm start printed (tests/support/local-server-setup.ts).
 */
const { baseUrl, output, token } = inject('localServer');
const url = `${baseUrl}${CHANGE_PASSWORD_ROUTE.path}`;

/** Every answer over HTTP must also conform to docs/openapi.yaml. */
const post = async (headers: Record<string, string>, body: string) => {
  const res = await fetch(url, { method: 'POST', headers, body });
  await assertFetchMatchesOpenApi(res);
  return res;
};
const seedBody = JSON.stringify({ oldPassword: 'CurrentSecureP@ss123', newPassword: 'NewSecureP@ssw0rd!' });

describe('POST /v1/users/profile/change-password over HTTP (npm start)', () => {
  it('prints a ready line with the URL and a curl that carries a valid token', () => {
    expect(output).toContain(`change-password is ready on ${url}`);
    expect(output).toMatch(/curl -sS -X POST http:\/\/localhost:\d+\/v1\/users\/profile\/change-password/);
  });

  it('answers 401 4002 without a token, as JSON with the hardening headers', async () => {
    const res = await post({ 'Content-Type': 'application/json' }, seedBody);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('{"status":false,"error":{"code":4002,"message":"No auth token"}}');
  });

  it('answers 415 for a form-encoded body', async () => {
    const res = await post({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' }, 'oldPassword=x');
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(1003);
  });

  it('changes the demo user’s password with the printed token, which then only serves a retry of that change', async () => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    // The rule compares whole seconds: change in a later second than the token's iat, as in life.
    const { iat } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { iat: number };
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (iat + 1) * 1000 - Date.now())));
    const first = await post(headers, seedBody);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
    // The same request again (a client that lost the answer) gets the same answer...
    const retry = await post(headers, seedBody);
    expect(await retry.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
    // ...but the token predates the change, so nothing else passes with it.
    const other = await post(headers, JSON.stringify({ oldPassword: 'NewSecureP@ssw0rd!', newPassword: 'Another-P@ssw0rd-9' }));
    expect(other.status).toBe(401);
    expect(await other.text()).toBe('{"status":false,"error":{"code":4001,"message":"Unauthorized"}}');
  });
});

describe('npm start builds once; npm run start:watch starts it again on an edit', () => {
  const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

  it('gives serverless-esbuild no file to watch: a rebuild would not reach the in-process handler, and the default watcher walks the whole folder', () => {
    const { custom } = loadYaml(read('serverless.yml')) as { custom: { esbuild: { watch?: unknown } } };
    expect(custom.esbuild.watch).toEqual({ pattern: [] });
  });

  it('runs npm start under Node\'s watch mode on functions/ and lib/ (the restart relies on the stop that shell-settings.test.ts checks)', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts['start:watch']).toBe(scripts.start?.replace(/^node /, 'node --watch-path=functions --watch-path=lib '));
  });
});
