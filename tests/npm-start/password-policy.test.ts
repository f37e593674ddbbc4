import { describe, expect, inject, it } from 'vitest';
import { checkPasswordLocally, createChangePasswordClient } from '../../client/change-password.js';
import { PASSWORD_POLICY_ROUTE, SESSION_ROUTE } from '../../lib/http/routes.js';
import { putUser } from '../../scripts/local/dynamodb.js';
import { openApiCheckedFetch } from '../support/openapi.js';
import { claims, nowSeconds, signToken } from '../support/tokens.js';

/**
 * Guidance before the change, choice at it, over real HTTP through the shared `npm start`, which
 * runs PASSWORD_PROFILE=nist and OTHER_SESSIONS_ON_CHANGE=user-choice (tests/support/local-server-setup.ts):
 * the published policy without a token, the length by factor, and keeping the other devices.
 */
const { baseUrl, dynamoEndpoint, table, jwtSecret, output } = inject('localServer');
const key = new TextEncoder().encode(jwtSecret);
const OLD = 'CurrentSecureP@ss123';
const TEN = 'kettle-orb';
const client = createChangePasswordClient({ baseUrl, fetch: openApiCheckedFetch });

const token = (sub: string, extra: Record<string, unknown> = {}) => signToken(claims(sub, extra), key, 'HS256');
const session = async (bearer: string) => (await fetch(`${baseUrl}${SESSION_ROUTE.path}`, { headers: { Authorization: `Bearer ${bearer}` } })).status;

describe('GET /v1/password-policy (npm start, nist)', () => {
  it('is printed as a curl by npm start', () => {
    expect(output).toMatch(/curl -sS http:\/\/localhost:\d+\/v1\/password-policy\n/);
  });

  it('answers the rules in force without a token, cacheable, and the typed client reads them', async () => {
    const res = await fetch(`${baseUrl}${PASSWORD_POLICY_ROUTE.path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    const policy = await client.getPasswordPolicy();
    expect(policy).toMatchObject({ minLength: 15, minLengthWithMfa: 8, maxLength: 128, requiredClasses: [], minUniqueChars: 1 });
    expect(checkPasswordLocally(policy, TEN)).toEqual(['minLength']);
    expect(checkPasswordLocally(policy, TEN, { mfaEnrolled: true })).toEqual([]);
  });
});

describe('the length by factor (npm start, nist)', () => {
  it('refuses a 10-character password for a user without a second factor and accepts it for one with it', async () => {
    await putUser(dynamoEndpoint, table, { userId: 'factor-plain', password: OLD }, 4);
    await putUser(dynamoEndpoint, table, { userId: 'factor-enrolled', password: OLD, mfaEnrolled: true }, 4);

    const refused = await client.changePassword({ oldPassword: OLD, newPassword: TEN }, await token('factor-plain'));
    expect(refused).toMatchObject({ ok: false, status: 400, error: { code: 5025, details: { failedRules: ['minLength'] } } });
    const accepted = await client.changePassword({ oldPassword: OLD, newPassword: TEN }, await token('factor-enrolled', { amr: ['pwd', 'mfa'] }));
    expect(accepted).toEqual({ ok: true, status: 200, data: { passwordChanged: 'OK' } });
  });
});

describe('keeping the other devices (npm start, user-choice)', () => {
  it('leaves older tokens working on GET /v1/session with signOutOtherSessions false, and ends them by default', async () => {
    const before = nowSeconds() - 60;
    for (const [userId, choice, laptopAfter] of [['keep-user', false, 200], ['default-user', undefined, 403]] as const) {
      await putUser(dynamoEndpoint, table, { userId, password: OLD }, 4);
      const phone = await token(userId, { iat: before, sid: 'sid-phone' });
      const laptop = await token(userId, { iat: before, sid: 'sid-laptop' });
      expect(await session(laptop)).toBe(200);

      const changed = await fetch(`${baseUrl}/v1/users/profile/change-password`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${phone}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ oldPassword: OLD, newPassword: 'NewSecureP@ssw0rd!', signOutOtherSessions: choice }),
      });

      expect(await changed.text()).toBe('{"status":true,"data":{"passwordChanged":"OK"}}');
      expect(await session(phone)).toBe(200);
      expect(await session(laptop), userId).toBe(laptopAfter);
    }
  });
});
